"""Contact-centre call exports (CSV, local start times) to contact_call records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import read_csv
from civicpulse.sources import ParseContext, ParsedRow
from connectors.contact_center_csv.helpers import call_values
from connectors.contact_center_csv.settings import FILE_PATTERNS, HEADER, HEADER_FIX, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    export = read_csv(path)
    export.require(HEADER, HEADER_FIX)
    yield from export.records(STREAM, call_values, context.timezone)
