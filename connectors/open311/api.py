"""Open311 GeoReport v2 `GET /requests.json` by `start_date`/`end_date` windows (on requested_datetime).

The standard has no paging: a window that comes back with as many requests as the server's cap is split in
two until each half fits. The standard cannot ask for requests by `updated_datetime` either, so the
`revisit_days` before the window are fetched again and the requests among them that the city changed
within the window land as revisions on the day of the change (their stream's `revised_column`). The
cursor notes the newest `updated_datetime` seen.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import ApiSettings, Url
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, response_json, safe_url
from civicpulse.sources import ParseContext, ParsedRow, Record
from civicpulse.state import Window
from connectors.open311 import parse_page
from connectors.open311.settings import MIN_WINDOW_SECONDS, REQUESTS_PATH

log = logging.getLogger(__name__)

CONNECTION_FIELDS = "password: the city's Open311 api_key (optional for reading on most servers)"
SECRET_REQUIRED = False


class Settings(ApiSettings):
    base_url: Url = Field(
        description="the city's GeoReport v2 endpoint, e.g. https://311.city.gov/open311/v2"
    )
    # GeoReport v2 filters on requested_datetime only: requests made this many days before the window are
    # fetched again so that the city's later status changes (closed, status_notes) reach close-the-loop.
    revisit_days: int = Field(default=30, ge=0, le=365)


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    url = settings.base_url.rstrip("/") + REQUESTS_PATH
    batch = ApiBatch()
    fetch = _WindowFetcher(settings, secret, context, http, url, batch)
    batch.rows.extend(fetch(window.start, window.end))
    if settings.revisit_days:
        earlier = window.start - dt.timedelta(days=settings.revisit_days)
        revised = [
            row
            for row in fetch(earlier, window.start)
            if isinstance(row, Record) and _revised_in(row, window)
        ]
        log.info("%s: %d older requests changed within the window", context.source, len(revised))
        batch.rows.extend(revised)
    updated = [r.values["updated_at"] for r in batch.rows if isinstance(r, Record) and r.values["updated_at"]]
    batch.cursor = {"updated_at": max(updated).isoformat()} if updated else {}
    return batch


@dataclass
class _WindowFetcher:
    """Requests requested in [start, end), splitting any window that comes back at the server's cap."""

    settings: Settings
    secret: Secret
    context: ParseContext
    http: ApiSession
    url: str
    batch: ApiBatch

    def __call__(self, first: dt.datetime, last: dt.datetime) -> list[ParsedRow]:
        found: list[ParsedRow] = []
        pending = [(first, last)]
        while pending:
            if len(self.batch.pages) >= self.settings.max_pages:
                raise ValueError(
                    f"{self.context.source}: more than {self.settings.max_pages} windows; raise api.max_pages"
                )
            start, end = pending.pop(0)
            params: dict[str, Any] = {"start_date": _iso(start), "end_date": _iso(end)}
            if self.secret.token:
                params["api_key"] = self.secret.token
            response = self.http.get(self.url, params=params)
            origin = safe_url(response.url)
            page = response_json(response, len(self.batch.pages) + 1)
            rows = list(parse_page(origin, page))
            if len(rows) >= self.settings.page_size and (end - start).total_seconds() > MIN_WINDOW_SECONDS:
                middle = start + (end - start) / 2
                pending[:0] = [(start, middle), (middle, end)]
                continue
            self.batch.pages.append(origin)
            found.extend(row for row in rows if _in_window(row, start, end))
        return found


def _revised_in(record: Record, window: Window) -> bool:
    updated = record.values["updated_at"]
    return isinstance(updated, dt.datetime) and window.start <= updated < window.end


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _in_window(row: ParsedRow, start: dt.datetime, end: dt.datetime) -> bool:
    """Servers treat end_date as inclusive; a request exactly at a boundary belongs to the later window."""
    return not isinstance(row, Record) or start <= row.values["requested_at"] < end
