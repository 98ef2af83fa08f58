"""X API v2 through tweepy: recent search per configured query plus the agency's mentions timeline.

tweepy's `Client` sends every request through the shared `ApiSession` (retries, rate-limit waits from the
`x-rate-limit-*` headers, no blind sleeps); `base_url` in config points it at another host (tests).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import requests
import tweepy
from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import ApiSettings, NumericId
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, cursor_pages, response_json, safe_url
from civicpulse.sources import ParseContext, Record
from civicpulse.state import Window
from connectors.x import parse_page

CONNECTION_FIELDS = "password: the X API v2 app bearer token"
TWEEPY_HOST = "https://api.twitter.com"
TWEET_FIELDS = ("created_at", "lang", "entities", "public_metrics", "referenced_tweets", "author_id")
EXPANSIONS = ("author_id",)
USER_FIELDS = ("username",)
MIN_PAGE, MAX_PAGE = 10, 100


class Settings(ApiSettings):
    queries: tuple[str, ...] = Field(default=(), description="one recent-search query per service")
    mentions_user_id: NumericId | None = Field(default=None, description="the agency account's numeric id")


# tweepy logs request headers (the bearer token) at DEBUG; keep its logger above that.
logging.getLogger("tweepy.client").setLevel(logging.INFO)


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    if settings.base_url:
        http.rewrite_base = (TWEEPY_HOST, settings.base_url)
    client = tweepy.Client(bearer_token=secret.token, return_type=requests.Response)
    client.session = http
    since_id = _since_id(window)
    params = _window_params(window, since_id, settings.page_size)
    batch = ApiBatch()
    newest = int(since_id) if since_id else 0
    calls: list[tuple[str, Callable[[str | None], Any]]] = [
        (f"search {query!r}", _search(client, query, params)) for query in settings.queries
    ]
    if settings.mentions_user_id:
        calls.append(("mentions", _mentions(client, settings.mentions_user_id, params)))
    for _, fetch in calls:
        for page, url in cursor_pages(
            _paged(fetch, len(batch.pages)), max_pages=settings.max_pages, session=http
        ):
            batch.pages.append(url)
            rows = list(parse_page(url, page))
            batch.rows.extend(rows)
            newest = max([newest, *(int(r.values["native_id"]) for r in rows if isinstance(r, Record))])
    batch.cursor = {"since_id": str(newest)} if newest else {}
    return batch


def _since_id(window: Window) -> str | None:
    value = window.resume.values.get("since_id") if window.resume else None
    return str(value) if value else None


def _window_params(window: Window, since_id: str | None, page_size: int) -> dict[str, Any]:
    params: dict[str, Any] = {
        "end_time": _rfc3339(window.end),
        "max_results": max(MIN_PAGE, min(MAX_PAGE, page_size)),
        "tweet_fields": list(TWEET_FIELDS),
        "expansions": list(EXPANSIONS),
        "user_fields": list(USER_FIELDS),
    }
    # since_id marks exactly where the committed load stopped; start_time bounds a fresh window.
    if since_id:
        params["since_id"] = since_id
    else:
        params["start_time"] = _rfc3339(window.start)
    return params


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _search(client: tweepy.Client, query: str, params: dict[str, Any]) -> Callable[[str | None], Any]:
    def fetch(token: str | None) -> Any:
        return client.search_recent_tweets(query, next_token=token, **params)

    return fetch


def _mentions(client: tweepy.Client, user_id: str, params: dict[str, Any]) -> Callable[[str | None], Any]:
    def fetch(token: str | None) -> Any:
        return client.get_users_mentions(user_id, pagination_token=token, **params)

    return fetch


def _paged(
    fetch: Callable[[str | None], Any], pages_before: int
) -> Callable[[str | None], tuple[tuple[Any, str], str | None]]:
    count = [pages_before]

    def one_page(token: str | None) -> tuple[tuple[Any, str], str | None]:
        count[0] += 1
        response: requests.Response = fetch(token)
        page = response_json(response, count[0])
        meta = page.get("meta") if isinstance(page, dict) else None
        next_token = meta.get("next_token") if isinstance(meta, dict) else None
        return (page, safe_url(response.url)), (str(next_token) if next_token else None)

    return one_page
