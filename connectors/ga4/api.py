"""GA4 Data API `runReport` per interval: pages by date x pagePath and site search by date x searchTerm.

Auth: the JSON key of a service account with Viewer on the property (the connection's password); an access
token is minted from it at each run and renewed before it expires. A plain OAuth access token is accepted
too, for one-off runs (it lasts an hour). Rows are paged with offset/limit against `rowCount`; the property
quota is logged per page.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import ApiSettings, NumericId
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, offset_pages, response_json, safe_url
from civicpulse.oauth import (
    ServiceAccountKey,
    ServiceAccountTokens,
    key_location,
    looks_like_service_account_key,
)
from civicpulse.sources import ParseContext, options_of
from civicpulse.state import Window
from connectors.ga4 import parse_page
from connectors.ga4.settings import DATE_DIMENSION, REPORT_KINDS, Options, ReportKind

log = logging.getLogger(__name__)

CONNECTION_FIELDS = (
    "password: the JSON key file of a service account with Viewer on the property (or an OAuth access token)"
)
SCOPES = ("https://www.googleapis.com/auth/analytics.readonly",)
BASE_URL = "https://analyticsdata.googleapis.com"
RUN_REPORT = "/v1beta/properties/{property_id}:runReport"
MAX_LIMIT = 250_000
SEARCH_EVENT = "view_search_results"


class Settings(ApiSettings):
    property_id: NumericId = Field(description="the GA4 property's numeric id")


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    if looks_like_service_account_key(secret.token):
        key = ServiceAccountKey.from_json(secret.token, key_location(http.credentials))
        http.auth = ServiceAccountTokens(http, key, SCOPES)
    else:
        http.headers["Authorization"] = f"Bearer {secret.token}"
    url = (settings.base_url or BASE_URL).rstrip("/") + RUN_REPORT.format(property_id=settings.property_id)
    limit = min(MAX_LIMIT, settings.page_size)
    batch = ApiBatch()
    options = options_of(context, Options)
    # The API asks for completions as metrics (keyEvents:<event>); reports split by eventName are for files.
    for kind in (kind for kind in REPORT_KINDS if kind.split_dimension is None):
        fetch = _fetcher(http, url, kind, window, limit, batch, options)
        for rows in offset_pages(fetch, limit, max_pages=settings.max_pages):
            batch.rows.extend(rows)
    return batch


def _fetcher(
    http: ApiSession,
    url: str,
    kind: ReportKind,
    window: Window,
    limit: int,
    batch: ApiBatch,
    options: Options,
) -> Any:
    def fetch(offset: int) -> tuple[list[Any], int | None]:
        response = http.post(url, json=_request(kind, window, offset, limit, options))
        page_number = offset // limit + 1
        report = response_json(response, page_number)
        origin = f"{safe_url(response.url)}#{kind.stream}@{offset}"
        rows = list(parse_page(origin, report, first_line=offset + 1, options=options))
        batch.pages.append(origin)
        _log_quota(report)
        total = report.get("rowCount") if isinstance(report, dict) else None
        return rows, total if isinstance(total, int) else None

    return fetch


def _request(kind: ReportKind, window: Window, offset: int, limit: int, options: Options) -> dict[str, Any]:
    last_day = window.end.date() - dt.timedelta(days=1)
    metrics = [metric.name for metric in kind.metrics]
    if kind.stream == "web_page_daily":
        metrics += [name for name in options.requested_metrics() if name not in metrics]
    body: dict[str, Any] = {
        "dateRanges": [{"startDate": window.start.date().isoformat(), "endDate": last_day.isoformat()}],
        "dimensions": [{"name": DATE_DIMENSION}, {"name": kind.key_dimension}],
        "metrics": [{"name": name} for name in metrics],
        "limit": str(limit),
        "offset": str(offset),
        "keepEmptyRows": False,
        "returnPropertyQuota": True,
    }
    if kind.key_dimension == "searchTerm":
        body["dimensionFilter"] = {
            "filter": {
                "fieldName": "eventName",
                "stringFilter": {"matchType": "EXACT", "value": SEARCH_EVENT},
            }
        }
    return body


def _log_quota(report: Any) -> None:
    quota = report.get("propertyQuota") if isinstance(report, dict) else None
    if isinstance(quota, dict):
        remaining = {name: value.get("remaining") for name, value in quota.items() if isinstance(value, dict)}
        log.info("GA4 property quota remaining: %s", remaining)
