"""Touchpoints API (JSON:API): GET /api/v1/forms/<form>/responses by start/end date, page[number]/page[size].

Auth: the `X-Api-Key` header (an api.data.gov key with Touchpoints access).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import ApiSettings, SurveyId
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, numbered_pages, response_json, safe_url
from civicpulse.sources import ParseContext, ParsedRow, Record
from civicpulse.state import Window
from connectors.touchpoints import parse_page

CONNECTION_FIELDS = "password: the api.data.gov API key with Touchpoints access (sent as X-Api-Key)"
BASE_URL = "https://api.gsa.gov/analytics/touchpoints"
RESPONSES = "/api/v1/forms/{form_id}/responses"
MAX_PAGE_SIZE = 5000


class Settings(ApiSettings):
    form_ids: tuple[SurveyId, ...] = Field(min_length=1, description="the Touchpoints forms' short ids")


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    http.headers["X-Api-Key"] = secret.token
    size = min(MAX_PAGE_SIZE, settings.page_size)
    batch = ApiBatch()
    for form_id in settings.form_ids:
        url = (settings.base_url or BASE_URL).rstrip("/") + RESPONSES.format(form_id=form_id)
        params = {
            "start_date": window.start.date().isoformat(),
            "end_date": (window.end.date() - dt.timedelta(days=1)).isoformat(),
            "page[size]": size,
        }

        def fetch(
            number: int, url: str = url, params: dict[str, Any] = params, form_id: str = form_id
        ) -> list[Any]:
            response = http.get(url, params={**params, "page[number]": number})
            origin = safe_url(response.url)
            batch.pages.append(origin)
            page = response_json(response, number)
            rows = list(parse_page(origin, page, form_id, first_line=(number - 1) * size + 1))
            total = page.get("meta", {}).get("total_pages") if isinstance(page, dict) else None
            return rows if not isinstance(total, int) or number <= total else []

        for rows in numbered_pages(fetch, size, max_pages=settings.max_pages):
            batch.rows.extend(row for row in rows if _in_window(row, window))
    return batch


def _in_window(row: ParsedRow, window: Window) -> bool:
    return not isinstance(row, Record) or window.start <= row.values["submitted_at"] < window.end
