"""Contact-centre daily call export (calls_<YYYY-MM-DD>.csv), and the `parse:` options for other vendors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from civicpulse.columns import ColumnMapping, ColumnName

FILE_PATTERNS = ("*.csv",)
STREAM = "contact_call"
HEADER = (
    "call_id",
    "start_time",
    "queue",
    "wait_seconds",
    "handle_seconds",
    "disposition",
    "resolved",
    "repeat_contact",
    "caller_number",
    "agent_id",
    "notes",
)
START_TIME_LAYOUT = "%Y-%m-%d %H:%M:%S"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Columns(ColumnMapping):
    """The export's header for each field; the defaults are the standard export's header.

    The optional fields may be null when the vendor's export has no such column (the value stays empty).
    """

    call_id: ColumnName = "call_id"
    start_time: ColumnName = "start_time"
    queue: ColumnName = "queue"
    wait_seconds: ColumnName | None = "wait_seconds"
    handle_seconds: ColumnName | None = "handle_seconds"
    disposition: ColumnName | None = "disposition"
    resolved: ColumnName | None = "resolved"
    repeat_contact: ColumnName | None = "repeat_contact"
    caller_number: ColumnName | None = "caller_number"
    agent_id: ColumnName | None = "agent_id"
    notes: ColumnName | None = "notes"


FlagValue = Annotated[str, Field(min_length=1, max_length=50)]


class Options(_Strict):
    """`parse:` options of a contact_center_csv source; the defaults read the standard export."""

    columns: Columns = Field(default_factory=Columns)
    time_format: Annotated[str, Field(min_length=2, max_length=100)] = START_TIME_LAYOUT
    true_values: tuple[FlagValue, ...] = Field(default=("Y",), min_length=1)
    false_values: tuple[FlagValue, ...] = Field(default=("N",), min_length=1)

    @field_validator("time_format")
    @classmethod
    def _time_format(cls, value: str) -> str:
        # An offset-aware example, so that %z (a UTC offset like -0500) round-trips too.
        example = dt.datetime(2024, 1, 31, 14, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
        try:
            parsed = dt.datetime.strptime(example.strftime(value), value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.date() != example.date():
            raise ValueError(
                f"'{value}' is not a strptime format with a full date, like '%m/%d/%Y %I:%M %p' or "
                "'%Y-%m-%dT%H:%M:%S%z' (ISO 8601 times with a UTC offset are read whatever the format)"
            )
        return value

    @model_validator(mode="after")
    def _flags(self) -> Options:
        for values in (self.true_values, self.false_values):
            for value in values:
                if value != value.strip():
                    raise ValueError(f"'{value}' has leading or trailing blanks (values are read trimmed)")
        both = {v.upper() for v in self.true_values} & {v.upper() for v in self.false_values}
        if both:
            raise ValueError(f"{', '.join(sorted(both))} is in both true_values and false_values")
        return self

    def flag_meanings(self) -> dict[str, bool]:
        """Flag values (upper case: they are matched ignoring case) to True or False."""
        return {
            **{value.upper(): True for value in self.true_values},
            **{value.upper(): False for value in self.false_values},
        }

    def header_fix(self) -> str:
        return f"export the call report with the header {','.join(self.columns.header())}"
