"""One resident-survey row to survey_response values."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from civicpulse.filereaders import calendar_date, optional_text, rating, required_text
from connectors.resident_survey_csv.settings import (
    DATE_LAYOUTS,
    RATING_COLUMNS,
    RATING_HIGH,
    RATING_LOW,
    SURVEY_KIND,
    TIME_OF_DAY,
)


def response_values(row: dict[str, str], timezone: ZoneInfo) -> dict[str, Any]:
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
        **{
            column: rating(row[name], name, RATING_LOW, RATING_HIGH)
            for name, column in RATING_COLUMNS.items()
        },
        "is_trust_positive": None,
        "positive_drivers": None,
        "negative_drivers": None,
        "comment": optional_text(row["comment"]),
    }


def _local_noon(day: dt.date, timezone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, TIME_OF_DAY, tzinfo=timezone).astimezone(dt.UTC)
