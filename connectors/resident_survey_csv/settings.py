"""Annual resident survey export (Qualtrics-style, flattened to one header row)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from civicpulse.columns import ColumnMapping, ColumnName

FILE_PATTERNS = ("*.csv",)
STREAM = "survey_response"
SURVEY_KIND = "resident_survey"
REQUIRED_HEADER = (
    "respondent_id",
    "response_date",
    "service_used",
    "satisfaction",
    "trust",
    "ease",
    "comment",
)
# `language` (EN/ES) is read past on purpose: survey_response has no language column.
DROPPED_COLUMNS = ("language",)

DATE_LAYOUTS = ("%m/%d/%Y", "%Y-%m-%d")
# The export has a date only; noon local time keeps that calendar day in UTC and in local time alike.
TIME_OF_DAY = dt.time(12, 0)

RATING_LOW, RATING_HIGH = 1, 5
RATING_COLUMNS = {"satisfaction": "satisfaction_score", "trust": "trust_score", "ease": "ease_score"}

Label = Annotated[str, Field(min_length=1, max_length=200)]
Score = Annotated[int, Field(strict=True, ge=RATING_LOW, le=RATING_HIGH)]


class Columns(ColumnMapping):
    """The export's header for each field; the defaults are the standard export's header. The ratings,
    service and comment may be null when the export has no such column (the value stays empty)."""

    respondent_id: ColumnName = "respondent_id"
    response_date: ColumnName = "response_date"
    service_used: ColumnName | None = "service_used"
    satisfaction: ColumnName | None = "satisfaction"
    trust: ColumnName | None = "trust"
    ease: ColumnName | None = "ease"
    comment: ColumnName | None = "comment"


class Options(BaseModel):
    """`parse:` options of a resident_survey_csv source; the defaults read the numeric 1-5 export."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: Columns = Field(default_factory=Columns)
    # Answer label (matched ignoring case and surrounding blanks) -> score 1-5, for exports with labels.
    likert: dict[Label, Score] = Field(default_factory=dict)

    @field_validator("likert")
    @classmethod
    def _labels(cls, likert: dict[str, int]) -> dict[str, int]:
        seen: set[str] = set()
        for label in likert:
            key = likert_key(label)
            if not key:
                raise ValueError("a label is blank")
            if is_number(key):
                raise ValueError(f"'{label}' is a number; numbers are read as scores already")
            if key in seen:
                raise ValueError(f"'{label}' is listed twice (labels are matched ignoring case)")
            seen.add(key)
        return likert

    def header_fix(self) -> str:
        header = self.columns.header()
        if header == REQUIRED_HEADER:
            header += DROPPED_COLUMNS
        return (
            f"export the survey with the columns {','.join(header)}, or map the export's headers "
            "under parse.columns of the source in civicpulse.yml"
        )

    def scores(self) -> dict[str, int]:
        """Normalised label -> score."""
        return {likert_key(label): score for label, score in self.likert.items()}


def likert_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def is_number(text: str) -> bool:
    """Whether the answer is written as a number (read as a score, never looked up as a label)."""
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True
