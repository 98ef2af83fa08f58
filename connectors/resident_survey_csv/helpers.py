"""One resident-survey row to survey_response values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
    is_number,
    likert_key,
)


def response_values(
    row: dict[str, str], timezone: ZoneInfo, likert: Mapping[str, int], source: str
) -> dict[str, Any]:
    respondent_id = required_text(row["respondent_id"], "respondent_id")
    return {
        "response_id": respondent_id,
        "submitted_at": _local_noon(
            calendar_date(row["response_date"], "response_date", DATE_LAYOUTS), timezone
        ),
        "survey_kind": SURVEY_KIND,
        "form_id": None,
        "service_hint": optional_text(row["service_used"]),
        "respondent_id": respondent_id,
        **{column: _score(row[name], name, likert, source) for name, column in RATING_COLUMNS.items()},
        "is_trust_positive": None,
        "positive_drivers": None,
        "negative_drivers": None,
        "comment": optional_text(row["comment"]),
    }


def _score(value: str | None, column: str, likert: Mapping[str, int], source: str) -> int | None:
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
