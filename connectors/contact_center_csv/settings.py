"""Contact-centre daily call export (calls_<YYYY-MM-DD>.csv), and the `parse:` options for other vendors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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

ColumnName = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Columns(_Strict):
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

    @field_validator("*")
    @classmethod
    def _trimmed(cls, value: str | None) -> str | None:
        if value is not None and value != value.strip():
            raise ValueError(f"'{value}' has leading or trailing blanks (headers are read without them)")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> Columns:
        seen: dict[str, str] = {}
        for field, column in self.model_dump().items():
            if column is None:
                continue
            if column in seen:
                raise ValueError(f"'{column}' is mapped to both {seen[column]} and {field}")
            seen[column] = field
        return self

    def header(self) -> tuple[str, ...]:
        """The export columns that must be present, in the standard export's order."""
        return tuple(column for column in self.model_dump().values() if column is not None)


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
        example = dt.datetime(2024, 1, 31, 14, 5, 9)
        try:
            parsed = dt.datetime.strptime(example.strftime(value), value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.date() != example.date():
            raise ValueError(f"'{value}' is not a strptime format with a full date, like '%m/%d/%Y %I:%M %p'")
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
