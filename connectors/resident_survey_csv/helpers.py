"""One resident-survey row to survey_response values."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from civicpulse.filereaders import BadValue, calendar_date, optional_text, rating, required_text
from connectors.resident_survey_csv.settings import (
    DATE_LAYOUTS,
    RATING_COLUMNS,
    RATING_HIGH,
    RATING_LOW,
    SURVEY_KIND,
    TIME_OF_DAY,
    Options,
    is_number,
    likert_key,
)


def response_values(row: dict[str, str], timezone: ZoneInfo, options: Options, source: str) -> dict[str, Any]:
    columns = options.columns.model_dump()
    likert = options.scores()

    def text(field: str) -> str | None:
        column = columns[field]
        return None if column is None else row[column]

    respondent_id = required_text(row[options.columns.respondent_id], options.columns.respondent_id)
    date_column = options.columns.response_date
    return {
        "response_id": respondent_id,
        "submitted_at": _local_noon(calendar_date(row[date_column], date_column, DATE_LAYOUTS), timezone),
        "survey_kind": SURVEY_KIND,
        "form_id": None,
        "service_hint": optional_text(text("service_used")),
        "respondent_id": respondent_id,
        **{
            column: _score(text(field), str(columns[field]), likert, source)
            for field, column in RATING_COLUMNS.items()
        },
        "is_trust_positive": None,
        "positive_drivers": None,
        "negative_drivers": None,
        "comment": optional_text(text("comment")),
    }


def _score(value: str | None, column: str, likert: dict[str, int], source: str) -> int | None:
    """A 1-5 score written as a number, or as a label listed under the source's `parse: likert:`."""
    text = optional_text(value)
    if text is None or not likert or is_number(text):
        return rating(text, column, RATING_LOW, RATING_HIGH)
    score = likert.get(likert_key(text))
    if score is None:
        raise BadValue(
            f"{column} is {text!r}, a label missing from parse.likert of source '{source}' in "
            f'civicpulse.yml; add it there with its score {RATING_LOW}-{RATING_HIGH}, e.g. "{text}": 3'
        )
    return score


def _local_noon(day: dt.date, timezone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, TIME_OF_DAY, tzinfo=timezone).astimezone(dt.UTC)
