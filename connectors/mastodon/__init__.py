"""Mastodon timeline pages to social_post records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.mastodon.helpers import page_statuses, status_values
from connectors.mastodon.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file", "parse_page"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    yield from parse_page(path, load_json(path, EXPECTED_FILE))


def parse_page(origin: Path | str, page: Any) -> Iterator[ParsedRow]:
    """One timeline page, from a saved file or straight from the API: the same parser for both modes."""
    statuses = page_statuses(origin, page)
    for index, item in enumerate(statuses, start=1):
        yield to_record(STREAM, origin, index, json_raw(item), status_values, item)
