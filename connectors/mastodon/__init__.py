"""Mastodon timeline pages to social_post records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.mastodon.helpers import page_statuses, status_values
from connectors.mastodon.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    statuses = page_statuses(path, load_json(path, EXPECTED_FILE))
    for index, item in enumerate(statuses, start=1):
        yield to_record(STREAM, path, index, json_raw(item), status_values, item)
