"""GSA Touchpoints A-11 v2 CX exports (combined or plain layout) to survey_response records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import read_csv
from civicpulse.sources import ParseContext, ParsedRow
from connectors.touchpoints.helpers import export_layout, response_values
from connectors.touchpoints.settings import FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    export = read_csv(path)
    yield from export.records(STREAM, response_values, export_layout(export))
