"""Facebook Pages: Graph API comments on the Page's posts (API pages or saved pages) to social_post."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.facebook_pages.helpers import comment_values, page_items
from connectors.facebook_pages.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file", "parse_page"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    yield from parse_page(path, load_json(path, EXPECTED_FILE), None)


def parse_page(
    origin: Path | str, page: Any, post_id: str | None, first_line: int = 1
) -> Iterator[ParsedRow]:
    for index, item in enumerate(page_items(origin, page), start=first_line):
        yield to_record(STREAM, origin, index, partial(json_raw, item), comment_values, item, post_id)
