"""Touchpoints API submissions (JSON:API) as rows of the combined A-11 v2 export, for the same row parser."""

from __future__ import annotations

import datetime as dt
from typing import Any

from civicpulse.filereaders import BadValue, data_items, json_object, row_date
from connectors.touchpoints.settings import (
    COMBINED_CREATED_AT,
    COMBINED_ID,
    COMBINED_PAGE,
    COMMENT_QUESTION,
    CREATED_AT_LAYOUT,
    DRIVERS,
    TRUST_QUESTION,
)

SUBMISSION_TYPE = "submissions"
POSITIVE_ANSWER = "answer_02"
NEGATIVE_ANSWER = "answer_03"


def page_submissions(origin: str, page: Any) -> list[Any]:
    return data_items(origin, page, "Touchpoints", "request it again")


def submission_row(item: Any) -> dict[str, str]:
    resource = json_object(item, "submission")
    attributes = json_object(resource.get("attributes"), "submission attributes")
    created_at = _created_at(attributes.get("created_at"))
    if resource.get("type") != SUBMISSION_TYPE:
        raise BadValue(f"the resource is of type {resource.get('type')!r}, not {SUBMISSION_TYPE}")
    positive = _options(attributes.get(POSITIVE_ANSWER))
    negative = _options(attributes.get(NEGATIVE_ANSWER))
    row = {
        COMBINED_ID: str(resource.get("id") or ""),
        COMBINED_CREATED_AT: created_at,
        COMBINED_PAGE: _text(attributes.get("page")),
        "Deleted": _text(attributes.get("deleted")).lower(),
        "Flagged": _text(attributes.get("flagged")).lower(),
        TRUST_QUESTION: _text(attributes.get("answer_01")),
        COMMENT_QUESTION: _text(attributes.get("answer_04")),
    }
    for driver in DRIVERS:
        row[f"positive_{driver}"] = "1" if driver in positive else "0"
        row[f"negative_{driver}"] = "1" if driver in negative else "0"
    return row


def _options(value: Any) -> set[str]:
    return {option.strip() for option in _text(value).split(",") if option.strip()}


def _created_at(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    except ValueError:
        return _text(value)
    return row_date(moment.astimezone(dt.UTC)).strftime(CREATED_AT_LAYOUT)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
