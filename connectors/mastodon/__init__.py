"""Mastodon timeline and notifications pages to social_post records.

A timeline page is a JSON array of Status entities; a notifications page (`GET /api/v1/notifications`)
a JSON array of Notification entities, whose mentions land their `status` through the same status parser,
so a status seen both on a hashtag timeline and in the mentions is the same record (same native_id).

Only public and unlisted statuses are landed. Direct mentions (visibility "direct") are private messages
to the agency and followers-only ("private") ones are not public either: the social_post stream is "one
public post or reply" and has no column that could mark a record as private, so landed they would be
shown, linked and counted as public posts. Both are skipped and counted in the log line with the other
notifications that are not mentions (favourites, follows, ...); landing them needs a visibility column in
schemas/landing/social_post.yml first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.mastodon.helpers import (
    Skipped,
    check_visibility,
    is_notification_page,
    log_skipped,
    notification_status,
    page_items,
    status_values,
    timeline_status,
)
from connectors.mastodon.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file", "parse_item", "parse_page"]

StatusOf = Callable[[Any], Any]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    yield from parse_page(path, load_json(path, EXPECTED_FILE))


def parse_page(origin: Path | str, page: Any) -> Iterator[ParsedRow]:
    """One timeline or notifications page, from a saved file or straight from the API."""
    items = page_items(origin, page)
    status_of = notification_status if is_notification_page(items) else timeline_status
    skipped: Counter[str] = Counter()
    for index, item in enumerate(items, start=1):
        try:
            yield parse_item(origin, index, item, status_of)
        except Skipped as skip:
            skipped[skip.reason] += 1
    log_skipped(origin, skipped)


def parse_item(origin: Path | str, line: int, item: Any, status_of: StatusOf) -> ParsedRow:
    """The record of the status `status_of(item)` gives; Skipped for an item that is not landed."""
    status = status_of(item)
    check_visibility(status)
    return to_record(STREAM, origin, line, partial(json_raw, item), status_values, status)
