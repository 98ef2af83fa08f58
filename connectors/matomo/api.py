"""Matomo Reporting API: VisitsSummary.get finds the window's days with visits, then per day
Actions.getPageUrls (flat) and Actions.getSiteSearchKeywords, paged with filter_limit/filter_offset.

Auth: `token_auth` (a personal token with view access), sent in the POST body, never in the URL.
Matomo reports errors as HTTP 200 with {"result": "error"}; an access error fails naming the connection.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import ApiSettings, NumericId, Url
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, CredentialsError, HttpError, offset_pages, response_json, safe_url
from civicpulse.sources import ParseContext, ParsedRow, options_of
from civicpulse.state import Window
from connectors.matomo import parse_page
from connectors.matomo.helpers import api_error, visited_days
from connectors.matomo.settings import API_PATH, DATE_LAYOUT, MAX_LIMIT, REPORTS, VISITS_SUMMARY, Options

CONNECTION_FIELDS = "password: a Matomo personal token_auth with view access to the site"
ACCESS_ERRORS = ("token_auth", "access", "not authenticated", "login")


class Settings(ApiSettings):
    base_url: Url = Field(description="the Matomo address, e.g. https://analytics.city.gov")
    site_id: NumericId = Field(description="the Matomo site id (idSite)")


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    url = settings.base_url.rstrip("/") + API_PATH
    limit = min(MAX_LIMIT, settings.page_size)
    batch = ApiBatch()
    options = options_of(context, Options)

    def call(method: str, date: str, **extra: Any) -> tuple[Any, str]:
        params = {"module": "API", "method": method, "idSite": settings.site_id, "period": "day"}
        params.update(date=date, format="JSON", **extra)
        response = http.post(url, params=params, data={"token_auth": secret.token})
        page = response_json(response, extra.get("filter_offset", 0) // limit + 1)
        origin = safe_url(response.url)
        error = api_error(page)
        if error:
            if any(marker in error.lower() for marker in ACCESS_ERRORS):
                raise CredentialsError(
                    f"POST {origin}: Matomo refused the token ({error}); {http.credentials.hint()}"
                )
            raise HttpError(f"POST {origin}: Matomo answered with an error: {error}")
        batch.pages.append(origin)
        return page, origin

    last_day = window.end.date() - dt.timedelta(days=1)
    summary, origin = call(VISITS_SUMMARY, f"{window.start.date():{DATE_LAYOUT}},{last_day:{DATE_LAYOUT}}")
    for day in visited_days(origin, summary):
        for report in REPORTS:

            def fetch(
                offset: int, day: dt.date = day, method: str = report.method
            ) -> tuple[list[ParsedRow], None]:
                page, origin = call(
                    method, f"{day:{DATE_LAYOUT}}", flat=1, filter_limit=limit, filter_offset=offset
                )
                rows = parse_page(origin, method, page, day, first_line=offset + 1, options=options)
                return list(rows), None

            for rows in offset_pages(fetch, limit, max_pages=settings.max_pages):
                batch.rows.extend(rows)
    return batch
