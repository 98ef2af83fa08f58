"""Google Analytics 4: runReport responses (date x pagePath, date x searchTerm) to web landing streams."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.ga4.helpers import report_layout, report_rows, row_values
from connectors.ga4.settings import EXPECTED_FILE, FILE_PATTERNS, REPORT_KINDS

STREAMS = tuple(kind.stream for kind in REPORT_KINDS)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file", "parse_page"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    yield from parse_page(path, load_json(path, EXPECTED_FILE))


def parse_page(origin: Path | str, report: Any, first_line: int = 1) -> Iterator[ParsedRow]:
    """One runReport response, from a saved file or straight from the API: the same parser for both modes."""
    layout = report_layout(origin, report)
    for index, row in enumerate(report_rows(origin, report), start=first_line):
        yield to_record(layout.kind.stream, origin, index, json_raw(row), row_values, layout, row)
