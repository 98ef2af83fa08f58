"""Open311 GeoReport v2 service requests (JSON or XML) to service_request records."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, read_bytes, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.open311.helpers import page_requests, request_values, xml_requests
from connectors.open311.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file", "parse_page"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    if path.suffix.lower() == ".xml":
        yield from parse_page(path, xml_requests(path, read_bytes(path)))
    else:
        yield from parse_page(path, load_json(path, EXPECTED_FILE))


def parse_page(origin: Path | str, page: Any) -> Iterator[ParsedRow]:
    """One response (JSON array, or the XML's requests as objects): the same parser for both modes."""
    for index, item in enumerate(page_requests(origin, page), start=1):
        yield to_record(STREAM, origin, index, partial(json_raw, item), request_values, item)
