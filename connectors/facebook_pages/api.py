"""Facebook Graph API: the Page's posts of the window and the LOOKBACK_DAYS before it, then each post's
comments (replies included, `filter=stream`) newest first, paged by `paging.cursors.after` until a page
reaches back before the window. The Page's own replies are the agency's answers, not feedback: skipped.

Auth: a Page access token (pages_read_engagement, pages_read_user_content) as a bearer header. The
Graph API reports an expired token as HTTP 400 with error code 190, and throttling with codes 4/17/32/613.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests
from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import ApiSettings, NumericId
from civicpulse.credentials import Secret
from civicpulse.http import (
    ApiSession,
    CredentialsError,
    HttpError,
    RetryBudgetExceeded,
    cursor_pages,
    response_json,
    safe_url,
)
from civicpulse.sources import ParseContext, ParsedRow, Record
from civicpulse.state import Window
from connectors.facebook_pages import parse_page
from connectors.facebook_pages.helpers import next_after, page_items
from connectors.facebook_pages.settings import (
    BASE_URL,
    COMMENT_FIELDS,
    COMMENTS,
    CREDENTIAL_CODES,
    LOOKBACK_DAYS,
    MAX_LIMIT,
    POST_FIELDS,
    POSTS,
    THROTTLE_CODES,
    VERSION,
)

CONNECTION_FIELDS = "password: a Page access token with pages_read_engagement and pages_read_user_content"


class Settings(ApiSettings):
    page_id: NumericId = Field(description="the Facebook Page's numeric id")


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    http.headers["Authorization"] = f"Bearer {secret.token}"
    base = (settings.base_url or BASE_URL).rstrip("/")
    limit = min(MAX_LIMIT, settings.page_size)
    batch = ApiBatch()
    since = window.start - dt.timedelta(days=LOOKBACK_DAYS)
    posts_url = base + POSTS.format(version=VERSION, page_id=settings.page_id)
    post_params = {
        "fields": POST_FIELDS,
        "since": int(since.timestamp()),
        "until": int(window.end.timestamp()),
    }
    post_ids: list[str] = []
    posts = _fetcher(http, posts_url, {**post_params, "limit": limit}, batch)
    for page in cursor_pages(posts, max_pages=settings.max_pages, session=http):
        post_ids.extend(
            str(post["id"])
            for post in page_items(batch.pages[-1], page)
            if isinstance(post, dict) and post.get("id")
        )
    for post_id in dict.fromkeys(post_ids):
        url = base + COMMENTS.format(version=VERSION, post_id=post_id)
        params = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "reverse_chronological",
            "limit": limit,
        }
        fetch = _fetcher(http, url, params, batch, window)
        for page in cursor_pages(fetch, max_pages=settings.max_pages, session=http):
            rows = parse_page(batch.pages[-1], page, post_id)
            batch.rows.extend(row for row in rows if _wanted(row, window, settings.page_id))
    return batch


def _fetcher(
    http: ApiSession, url: str, params: dict[str, Any], batch: ApiBatch, window: Window | None = None
) -> Any:
    number = [0]

    def fetch(after: str | None) -> tuple[Any, str | None]:
        number[0] += 1
        try:
            response = http.get(url, params={**params, "after": after} if after else params)
        except CredentialsError:
            raise
        except HttpError as exc:
            raise _graph_error(exc, http) from None
        page = response_json(response, number[0])
        batch.pages.append(safe_url(response.url))
        following = next_after(page)
        if following and window is not None and _reached_before(page, window):
            following = None
        return page, following

    return fetch


def _graph_error(exc: HttpError, http: ApiSession) -> HttpError:
    code = _graph_error_code(exc.response)
    if code in CREDENTIAL_CODES:
        return CredentialsError(f"{exc}; the Graph API rejected the token; {http.credentials.hint()}")
    if code in THROTTLE_CODES:
        return RetryBudgetExceeded(
            f"{exc}; the Graph API is throttling this app or Page; rerun the task later"
        )
    return exc


def _graph_error_code(response: requests.Response | None) -> int | None:
    """The Graph API's `error.code` of a refused call."""
    try:
        body = response.json() if response is not None else None
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) else None


def _reached_before(page: Any, window: Window) -> bool:
    """Newest first: once a page holds a comment older than the window, the next pages are older still."""
    for item in page.get("data", []) if isinstance(page, dict) else []:
        created = item.get("created_time") if isinstance(item, dict) else None
        try:
            if isinstance(created, str) and dt.datetime.fromisoformat(created) < window.start:
                return True
        except ValueError:
            continue
    return False


def _wanted(row: ParsedRow, window: Window, page_id: str) -> bool:
    if not isinstance(row, Record):
        return True
    in_window = window.start <= row.values["occurred_at"] < window.end
    return bool(in_window and row.values["author_id"] != page_id)
