"""Mastodon REST API: hashtag timelines, newest first, paged back through the `Link` header (max_id).

Per hashtag the cursor keeps the newest status id landed (`since_id`); statuses from the window's end on
are left for the next run, so the cursor never passes a record that was not landed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.config import ApiSettings, Url
from civicpulse.credentials import Secret
from civicpulse.filereaders import BadValue, utc_timestamp
from civicpulse.http import ApiSession, link_pages, safe_url
from civicpulse.sources import ParseContext, Record
from civicpulse.state import Window
from connectors.mastodon import parse_page

CONNECTION_FIELDS = "password: an access token of an app on the instance (scope read)"
TAG_TIMELINE = "/api/v1/timelines/tag/{tag}"
MAX_LIMIT = 40


class Settings(ApiSettings):
    base_url: Url = Field(description="the instance, like https://mastodon.social")
    hashtags: tuple[Annotated[str, Field(pattern=r"^\w{1,100}$")], ...] = Field(min_length=1)


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    http.headers["Authorization"] = f"Bearer {secret.token}"
    previous = dict(window.resume.values.get("since_ids", {})) if window.resume else {}
    batch = ApiBatch()
    since_ids: dict[str, str] = {}
    for tag in settings.hashtags:
        since_id = previous.get(tag)
        newest = _tag_timeline(http, settings, tag, since_id, window, batch)
        if newest or since_id:
            since_ids[tag] = str(max(int(newest or 0), int(since_id or 0)))
    batch.cursor = {"since_ids": since_ids} if since_ids else {}
    return batch


def _tag_timeline(
    http: ApiSession, settings: Settings, tag: str, since_id: str | None, window: Window, batch: ApiBatch
) -> int:
    url = settings.base_url.rstrip("/") + TAG_TIMELINE.format(tag=tag)
    params: dict[str, Any] = {"limit": min(MAX_LIMIT, settings.page_size)}
    if since_id:
        params["since_id"] = since_id
    newest = 0
    for page, response in link_pages(http, url, params, max_pages=settings.max_pages):
        origin = safe_url(response.url)
        batch.pages.append(origin)
        reached_start = False
        for row in parse_page(origin, page):
            moment = _created_at(row)
            if moment is not None and moment >= window.end:
                continue
            seen_before = since_id is not None and isinstance(row, Record) and _id(row) <= int(since_id)
            if (moment is not None and moment < window.start) or seen_before:
                reached_start = True
                continue
            batch.rows.append(row)
            newest = max(newest, _id(row))
        if reached_start or not page:
            break
    return newest


def _created_at(row: Any) -> dt.datetime | None:
    if isinstance(row, Record):
        moment: dt.datetime = row.values["occurred_at"]
        return moment
    try:
        return utc_timestamp(json.loads(row.raw).get("created_at"), "created_at")
    except (BadValue, ValueError, AttributeError):
        return None


def _id(row: Any) -> int:
    value = str(row.values["native_id"]) if isinstance(row, Record) else ""
    return int(value) if value.isdigit() else 0
