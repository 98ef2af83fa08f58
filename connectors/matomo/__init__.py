"""Matomo Reporting API reports (Actions.getPageUrls, getSiteSearchKeywords) to web landing streams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.matomo.helpers import report_of, row_values, rows_by_day
from connectors.matomo.settings import EXPECTED_FILE, FILE_PATTERNS, REPORTS

STREAMS = tuple(report.stream for report in REPORTS)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file", "parse_page"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    method = path.name.split("_", 1)[0].removesuffix(".json")
    yield from parse_page(path, method, load_json(path, EXPECTED_FILE))


def parse_page(
    origin: Path | str, method: str, page: Any, day: dt.date | None = None, first_line: int = 1
) -> Iterator[ParsedRow]:
    """One report response, saved or straight from the API: the same parser for both modes."""
    report = report_of(origin, method)
    for moment, rows in rows_by_day(origin, page, day):
        for index, row in enumerate(rows, start=first_line):
            yield to_record(report.stream, origin, index, json_raw(row), row_values, report, moment, row)
