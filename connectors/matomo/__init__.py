"""Matomo Reporting API reports (Actions.getPageUrls, getSiteSearchKeywords) to web landing streams."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, read_row, to_record
from civicpulse.sources import ParseContext, ParsedRow, RowProblem, options_of
from connectors.matomo.helpers import (
    page_goals,
    report_of,
    row_values,
    rows_by_day,
    search_term,
    search_values,
)
from connectors.matomo.settings import EXPECTED_FILE, FILE_PATTERNS, REPORTS, Options

STREAMS = tuple(dict.fromkeys(report.stream for report in REPORTS))
SEARCH_STREAM = "web_search_daily"
__all__ = ["FILE_PATTERNS", "STREAMS", "Options", "parse_file", "parse_page"]
log = logging.getLogger(__name__)


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    method = path.name.split("_", 1)[0].removesuffix(".json")
    yield from parse_page(path, method, load_json(path, EXPECTED_FILE), options=options_of(context, Options))


def parse_page(
    origin: Path | str,
    method: str,
    page: Any,
    day: dt.date | None = None,
    first_line: int = 1,
    options: Options | None = None,
) -> Iterator[ParsedRow]:
    """One report response, saved or straight from the API: the same parser for both modes.

    Page rows whose URL carries a search parameter (`/search?q=...`) land as site searches; goal
    conversions count as completions as the source's parse options say."""
    options = options or Options()
    report = report_of(origin, method)
    days = rows_by_day(origin, page, day)
    if report.stream == SEARCH_STREAM:
        for moment, rows in days:
            for index, row in enumerate(rows, start=first_line):
                yield to_record(
                    report.stream, origin, index, partial(json_raw, row), row_values, report, moment, row
                )
        return
    goals, notes = page_goals(origin, [row for _, rows in days for row in rows], options)
    for note in notes:
        log.warning("Matomo report %s: %s", origin, note)
    for moment, rows in days:
        searches: dict[str, tuple[int, str, dict[str, Any]]] = {}
        for index, row in enumerate(rows, start=first_line):
            raw = json_raw(row)
            term = search_term(row, options.search_parameters)
            if term is None:
                yield to_record(report.stream, origin, index, raw, row_values, report, moment, row, goals)
                continue
            search = read_row(origin, index, raw, search_values, moment, term, row)
            if isinstance(search, RowProblem):
                yield search
                continue
            if term in searches:
                line, first_raw, total = searches[term]
                total = {**total, "searches": total["searches"] + search["searches"]}
                total["sessions"] += search["sessions"]
                searches[term] = (line, f"{first_raw}\n{raw}", total)
            else:
                searches[term] = (index, raw, search)
        for line, raw, values in searches.values():
            yield to_record(SEARCH_STREAM, origin, line, raw, dict, values)
