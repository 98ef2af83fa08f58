"""X (Twitter) API v2 recent-search pages to social_post records."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.x.helpers import page_tweets, page_usernames, post_values
from connectors.x.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file", "parse_page"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    yield from parse_page(path, load_json(path, EXPECTED_FILE))


def parse_page(origin: Path | str, page: Any) -> Iterator[ParsedRow]:
    """One response page, from a saved file or straight from the API: the same parser for both modes."""
    tweets = page_tweets(origin, page)
    usernames = page_usernames(page)
    for index, item in enumerate(tweets, start=1):
        yield to_record(STREAM, origin, index, partial(json_raw, item), post_values, item, usernames)
