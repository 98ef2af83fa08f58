"""Annual resident survey exports (CSV, 1-5 ratings) to survey_response records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import read_csv
from civicpulse.sources import ParseContext, ParsedRow
from connectors.resident_survey_csv.helpers import response_values
from connectors.resident_survey_csv.settings import FILE_PATTERNS, HEADER_FIX, REQUIRED_HEADER, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    export = read_csv(path)
    export.require(REQUIRED_HEADER, HEADER_FIX)
    yield from export.records(STREAM, response_values, context.timezone)
