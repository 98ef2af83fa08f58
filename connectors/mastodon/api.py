"""Mastodon REST API: hashtag timelines and the agency account's mentions, newest first, paged back
through the `Link` header (max_id) by one loop and parsed by the file-mode parser.

* hashtags: `GET /api/v1/timelines/tag/:tag` (scope read:statuses);
* mentions: `GET /api/v1/notifications?types[]=mention` with a token of the agency's own account (scope
  read:notifications); each mention lands its status, so a status also on a hashtag timeline is the same
  record. Other notifications and non-public statuses are skipped (see connectors/mastodon/__init__.py).

The cursor keeps per hashtag the newest status id landed (`since_ids`) and, for mentions, the newest
notification id (`mentions_since_id`; notification ids are not status ids). Statuses created from the
window's end on are left for the next run, and the cursor never passes one of them. Paging stops at the
since_id or at an item from before the window's start: for mentions that is the notification's own time
(when the mention arrived, which a federated status may reach late), while a status is kept or left by
its `created_at`. Cursors without `mentions_since_id` (written before mentions were read) fetch the
mentions of the window by time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import requests
from pydantic import Field, model_validator

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import ApiSettings, Url
from civicpulse.credentials import Secret
from civicpulse.filereaders import BadValue, utc_timestamp
from civicpulse.http import (
    ApiSession,
    CredentialsError,
    HttpError,
    link_pages,
    safe_url,
)
from civicpulse.sources import ParseContext, Record
from civicpulse.state import Window
from connectors.mastodon import StatusOf, parse_item
from connectors.mastodon.helpers import Skipped, log_skipped, notification_status, page_items, timeline_status
from connectors.mastodon.settings import MENTION

CONNECTION_FIELDS = (
    "password: an access token; hashtags need the scope read:statuses, mentions a token of the "
    "agency's own account with the scope read:notifications"
)
TAG_TIMELINE = "/api/v1/timelines/tag/{tag}"
NOTIFICATIONS = "/api/v1/notifications"
TAG_LIMIT = 40
NOTIFICATION_LIMIT = 80
TAG_TOKEN = "an access token with the scope read:statuses"
MENTIONS_TOKEN = (
    "an access token of the agency's own account (not an app token) with the scope read:notifications"
)
# 403: the token lacks the scope; 422: an app token (no user) on an endpoint that needs one.
SCOPE_STATUSES = frozenset({403, 422})


class Settings(ApiSettings):
    base_url: Url = Field(description="the instance, like https://mastodon.social")
    hashtags: tuple[Annotated[str, Field(pattern=r"^\w{1,100}$")], ...] = ()
    mentions: bool = False

    @model_validator(mode="after")
    def _reads_something(self) -> Settings:
        if not self.hashtags and not self.mentions:
            raise ValueError(
                "nothing to read: list hashtags (without '#') and/or set mentions: true "
                "(the mentions of the agency's account)"
            )
        return self


@dataclass(frozen=True)
class _Feed:
    """One newest-first list: its URL and parameters, how to find the status in an item, what it needs."""

    what: str
    url: str
    params: dict[str, Any]
    status_of: StatusOf
    needs: str


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    http.headers["Authorization"] = f"Bearer {secret.token}"
    previous = window.resume.values if window.resume else {}
    previous_tags: dict[str, str] = dict(previous.get("since_ids", {}))
    base = settings.base_url.rstrip("/")
    batch = ApiBatch()
    since_ids: dict[str, str] = {}
    for tag in settings.hashtags:
        tag_feed = _Feed(
            f"the #{tag} timeline",
            base + TAG_TIMELINE.format(tag=tag),
            {"limit": min(TAG_LIMIT, settings.page_size)},
            timeline_status,
            TAG_TOKEN,
        )
        newest = _read(http, tag_feed, previous_tags.get(tag), window, batch, settings.max_pages)
        if newest:
            since_ids[tag] = newest
    cursor: dict[str, Any] = {"since_ids": since_ids} if since_ids else {}
    if settings.mentions:
        mentions = _Feed(
            "the mentions (notifications)",
            base + NOTIFICATIONS,
            {"types[]": MENTION, "limit": min(NOTIFICATION_LIMIT, settings.page_size)},
            notification_status,
            MENTIONS_TOKEN,
        )
        newest = _read(http, mentions, previous.get("mentions_since_id"), window, batch, settings.max_pages)
        if newest:
            cursor["mentions_since_id"] = newest
    batch.cursor = cursor
    return batch


def _read(
    http: ApiSession, feed: _Feed, since_id: str | None, window: Window, batch: ApiBatch, max_pages: int
) -> str | None:
    """Land the feed's statuses of the window; the id its cursor moves to (never past a status left for
    the next run), else `since_id`."""
    since = int(since_id) if since_id else None
    params = {**feed.params, "since_id": since_id} if since_id else feed.params
    done: list[int] = []
    deferred: list[int] = []
    skipped: Counter[str] = Counter()
    for page, response in _pages(http, feed, params, max_pages):
        origin = safe_url(response.url)
        batch.pages.append(origin)
        reached_start = False
        for index, item in enumerate(page_items(origin, page), start=1):
            marker, moment = _item_id(item), _item_time(item)
            if (since is not None and marker and marker <= since) or (
                moment is not None and moment < window.start
            ):
                reached_start = True
                continue
            try:
                row = parse_item(origin, index, item, feed.status_of)
            except Skipped as skip:
                skipped[skip.reason] += 1
                done.append(marker)
                continue
            created = row.values["occurred_at"] if isinstance(row, Record) else moment
            if created is not None and created >= window.end:
                deferred.append(marker)
                continue
            batch.rows.append(row)
            done.append(marker)
        if reached_start or not page:
            break
    log_skipped(safe_url(feed.url, params), skipped)
    limit = min(deferred, default=None)
    newest = max((m for m in done if limit is None or m < limit), default=0)
    return str(max(newest, since or 0)) if newest or since else None


def _pages(
    http: ApiSession, feed: _Feed, params: dict[str, Any], max_pages: int
) -> Iterator[tuple[Any, requests.Response]]:
    try:
        yield from link_pages(http, feed.url, params, max_pages=max_pages)
    except HttpError as exc:
        if exc.response is None or exc.response.status_code not in SCOPE_STATUSES:
            raise
        hint = "" if isinstance(exc, CredentialsError) else f"; {http.credentials.hint()}"
        raise CredentialsError(
            f"{exc}{hint}. Reading {feed.what} needs {feed.needs}: authorise one with that scope and "
            f"store it in the connection '{http.credentials.conn_id}'"
        ) from None


def _item_id(item: Any) -> int:
    value = str(item.get("id")) if isinstance(item, dict) else ""
    return int(value) if value.isdigit() else 0


def _item_time(item: Any) -> dt.datetime | None:
    try:
        return utc_timestamp(item.get("created_at"), "created_at") if isinstance(item, dict) else None
    except BadValue:
        return None
