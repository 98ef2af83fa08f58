"""Zendesk incremental ticket export, cursor-based: `start_time` opens the window, `after_cursor` pages
until `end_of_stream`. Tickets created in the window land; later updates of older tickets do not.
Requests are spaced to the export's 10 a minute, and a 429's Retry-After is honoured.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import ApiSettings, Url
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, cursor_pages, response_json, safe_url
from civicpulse.sources import ParseContext, ParsedRow, Record
from civicpulse.state import Window
from connectors.zendesk import parse_page
from connectors.zendesk.settings import EXPORT_PATH, MAX_PER_PAGE, REQUESTS_PER_MINUTE

CONNECTION_FIELDS = "login: the agent's e-mail; password: an API token (Admin Center > Apps and integrations)"


class Settings(ApiSettings):
    base_url: Url = Field(description="https://<subdomain>.zendesk.com")


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    if not secret.login:
        raise ValueError(f"{context.source}: the connection needs a login (the agent's e-mail)")
    http.auth = (f"{secret.login}/token", secret.token)
    http.min_interval = max(http.min_interval, 60.0 / REQUESTS_PER_MINUTE)
    url = settings.base_url.rstrip("/") + EXPORT_PATH
    per_page = min(MAX_PER_PAGE, settings.page_size)
    batch = ApiBatch()
    number = [0]

    def fetch(cursor: str | None) -> tuple[list[ParsedRow], str | None]:
        number[0] += 1
        params: dict[str, Any] = {"per_page": per_page}
        if cursor:
            params["cursor"] = cursor
        else:
            params["start_time"] = int(window.start.timestamp())
        response = http.get(url, params=params)
        page = response_json(response, number[0])
        origin = safe_url(response.url)
        batch.pages.append(origin)
        rows = [row for row in parse_page(origin, page) if _in_window(row, window)]
        done = bool(page.get("end_of_stream")) or not page.get("after_cursor")
        return rows, None if done else str(page["after_cursor"])

    for rows in cursor_pages(fetch, max_pages=settings.max_pages, session=http):
        batch.rows.extend(rows)
    return batch


def _in_window(row: ParsedRow, window: Window) -> bool:
    """Bad rows always land (in quarantine); tickets only when created in the window."""
    return not isinstance(row, Record) or window.start <= row.values["started_at"] < window.end
