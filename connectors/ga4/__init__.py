"""Google Analytics 4: runReport responses (date x pagePath, date x searchTerm) to web landing streams."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.ga4.helpers import report_layout, report_rows, row_values
from connectors.ga4.settings import EXPECTED_FILE, FILE_PATTERNS, REPORT_KINDS

STREAMS = tuple(kind.stream for kind in REPORT_KINDS)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    report = load_json(path, EXPECTED_FILE)
    layout = report_layout(path, report)
    for index, row in enumerate(report_rows(path, report), start=1):
        yield to_record(layout.kind.stream, path, index, json_raw(row), row_values, layout, row)
