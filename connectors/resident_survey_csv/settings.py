"""Annual resident survey export (Qualtrics-style, flattened to one header row)."""

from __future__ import annotations

import datetime as dt

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
HEADER_FIX = f"export the survey with the columns {','.join(REQUIRED_HEADER + DROPPED_COLUMNS)}"

DATE_LAYOUTS = ("%m/%d/%Y", "%Y-%m-%d")
# The export has a date only; noon local time keeps that calendar day in UTC and in local time alike.
TIME_OF_DAY = dt.time(12, 0)

RATING_LOW, RATING_HIGH = 1, 5
RATING_COLUMNS = {"satisfaction": "satisfaction_score", "trust": "trust_score", "ease": "ease_score"}
