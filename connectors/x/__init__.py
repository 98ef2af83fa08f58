"""X (Twitter) API v2 recent-search pages to social_post records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.x.helpers import page_tweets, page_usernames, post_values
from connectors.x.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    page = load_json(path, EXPECTED_FILE)
    tweets = page_tweets(path, page)
    usernames = page_usernames(page)
    for index, item in enumerate(tweets, start=1):
        yield to_record(STREAM, path, index, json_raw(item), post_values, item, usernames)
