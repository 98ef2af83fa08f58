"""SurveyMonkey API v3: GET /v3/surveys/<id>/responses/bulk for responses created in the window.

Auth: an OAuth bearer token (scopes responses_read_detail, surveys_read). Pages follow `links.next`
(only on the API's own host); the app's minute and day limits are read from the
X-Ratelimit-App-Global-* headers, so a spent budget waits for its reset instead of drawing 429s.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import SurveyApiSettings as Settings
from civicpulse.connector_contract import SurveyMapping
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, BadResponse, cursor_pages, response_json, safe_url
from civicpulse.sources import ParseContext, ParsedRow, Record
from civicpulse.state import Window
from connectors.surveymonkey import parse_page
from connectors.surveymonkey.helpers import next_link
from connectors.surveymonkey.settings import (
    BASE_URL,
    BULK_PATH,
    COMPLETED,
    DAY_REMAINING,
    DAY_RESET,
    MAX_PER_PAGE,
    MINUTE_REMAINING,
    MINUTE_RESET,
    TIME_LAYOUT,
)

CONNECTION_FIELDS = "password: an OAuth access token with the responses_read_detail and surveys_read scopes"


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    http.headers["Authorization"] = f"Bearer {secret.token}"
    base = (settings.base_url or BASE_URL).rstrip("/")
    mapping = settings.mapping()
    per_page = min(MAX_PER_PAGE, settings.page_size)
    batch = ApiBatch()
    for survey_id in settings.survey_ids:
        first = base + BULK_PATH.format(survey_id=survey_id)
        params = {
            "per_page": per_page,
            "status": COMPLETED,
            "start_created_at": window.start.strftime(TIME_LAYOUT),
            "end_created_at": window.end.strftime(TIME_LAYOUT),
            "sort_order": "ASC",
        }
        fetch = _fetcher(http, base, first, params, mapping, per_page, batch)
        for rows in cursor_pages(fetch, max_pages=settings.max_pages, session=http):
            batch.rows.extend(row for row in rows if _in_window(row, window))
    return batch


def _fetcher(
    http: ApiSession,
    base: str,
    first: str,
    params: dict[str, Any],
    mapping: SurveyMapping,
    per_page: int,
    batch: ApiBatch,
) -> Any:
    number = [0]

    def fetch(link: str | None) -> tuple[list[ParsedRow], str | None]:
        number[0] += 1
        response = http.get(link, params=None) if link else http.get(first, params=params)
        _note_limits(http, response)
        page = response_json(response, number[0])
        origin = safe_url(response.url)
        batch.pages.append(origin)
        rows = list(parse_page(origin, page, mapping, first_line=(number[0] - 1) * per_page + 1))
        following = next_link(page)
        if following and urlsplit(following).netloc != urlsplit(base).netloc:
            raise BadResponse(f"{origin}: links.next points to another host ({safe_url(following)})")
        return rows, following

    return fetch


def _note_limits(http: ApiSession, response: requests.Response) -> None:
    for remaining, reset in ((MINUTE_REMAINING, MINUTE_RESET), (DAY_REMAINING, DAY_RESET)):
        left, wait = response.headers.get(remaining), response.headers.get(reset)
        if left is not None and left.strip() == "0" and wait is not None and wait.strip().isdigit():
            http.not_before = max(http.not_before, http.clock() + float(wait))


def _in_window(row: ParsedRow, window: Window) -> bool:
    return not isinstance(row, Record) or window.start <= row.values["submitted_at"] < window.end
