"""Open311 GeoReport v2 `GET /requests.json` by `start_date`/`end_date` windows (on requested_datetime).

The standard has no paging: a window that comes back with as many requests as the server's cap is split in
two until each half fits. The cursor notes the newest `updated_datetime` seen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.config import ApiSettings, Url
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, response_json, safe_url
from civicpulse.sources import ParseContext, ParsedRow, Record
from civicpulse.state import Window
from connectors.open311 import parse_page
from connectors.open311.settings import MIN_WINDOW_SECONDS, REQUESTS_PATH

CONNECTION_FIELDS = "password: the city's Open311 api_key (optional for reading on most servers)"
SECRET_REQUIRED = False


class Settings(ApiSettings):
    base_url: Url = Field(
        description="the city's GeoReport v2 endpoint, e.g. https://311.city.gov/open311/v2"
    )


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    url = settings.base_url.rstrip("/") + REQUESTS_PATH
    batch = ApiBatch()
    pending = [(window.start, window.end)]
    while pending:
        if len(batch.pages) >= settings.max_pages:
            raise ValueError(f"{context.source}: more than {settings.max_pages} windows; raise api.max_pages")
        start, end = pending.pop(0)
        params: dict[str, Any] = {"start_date": _iso(start), "end_date": _iso(end)}
        if secret.token:
            params["api_key"] = secret.token
        response = http.get(url, params=params)
        origin = safe_url(response.url)
        page = response_json(response, len(batch.pages) + 1)
        rows = list(parse_page(origin, page))
        if len(rows) >= settings.page_size and (end - start).total_seconds() > MIN_WINDOW_SECONDS:
            middle = start + (end - start) / 2
            pending[:0] = [(start, middle), (middle, end)]
            continue
        batch.pages.append(origin)
        batch.rows.extend(row for row in rows if _in_window(row, start, end))
    updated = [r.values["updated_at"] for r in batch.rows if isinstance(r, Record) and r.values["updated_at"]]
    batch.cursor = {"updated_at": max(updated).isoformat()} if updated else {}
    return batch


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _in_window(row: ParsedRow, start: dt.datetime, end: dt.datetime) -> bool:
    """Servers treat end_date as inclusive; a request exactly at a boundary belongs to the later window."""
    return not isinstance(row, Record) or start <= row.values["requested_at"] < end
