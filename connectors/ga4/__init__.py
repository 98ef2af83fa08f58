"""Google Analytics 4: runReport responses (date x pagePath [x eventName], date x searchTerm) to web
landing streams.

Which metrics count as self-service completions is the source's `parse:` options (`Options`); a page path
carrying a search parameter (`/search?q=...`) lands as a site search. Metrics no column takes, and events of
a report by eventName that no completion counts, are reported as unused fields (ops.unused_fields);
completion columns no metric feeds (they land empty: no data, never 0) are logged as a warning per report.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, load_json, read_row, to_record
from civicpulse.sources import ParseContext, ParsedRow, RowProblem, options_of
from civicpulse.unused_fields import report_unused
from connectors.ga4.helpers import (
    SEARCH_STREAM,
    Cell,
    Layout,
    add_search,
    grouped,
    page_search,
    page_values,
    report_layout,
    report_rows,
    row_cell,
    search_term,
    search_values,
)
from connectors.ga4.settings import (
    EVENT_COUNT,
    EXPECTED_FILE,
    FILE_PATTERNS,
    PAGE_VIEW_EVENT,
    REPORT_KINDS,
    Options,
)

STREAMS = tuple(dict.fromkeys(kind.stream for kind in REPORT_KINDS))
__all__ = ["FILE_PATTERNS", "STREAMS", "Options", "parse_file", "parse_page"]
log = logging.getLogger(__name__)


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    yield from parse_page(path, load_json(path, EXPECTED_FILE), options=options_of(context, Options))


def parse_page(
    origin: Path | str, report: Any, first_line: int = 1, options: Options | None = None
) -> Iterator[ParsedRow]:
    """One runReport response, from a saved file or straight from the API: the same parser for both modes."""
    layout = report_layout(origin, report, options)
    rows = report_rows(origin, report)
    report_notes(origin, layout, len(rows))
    cells: list[tuple[int, str, Cell]] = []
    for line, row in enumerate(rows, start=first_line):
        raw = json_raw(row)
        cell = read_row(origin, line, raw, row_cell, layout, row)
        if isinstance(cell, RowProblem):
            yield cell
        else:
            cells.append((line, raw, cell))
    _unused_events(origin, layout, cells)
    if layout.kind.stream == SEARCH_STREAM:
        for line, raw, cell in cells:
            yield to_record(SEARCH_STREAM, origin, line, raw, search_values, layout, cell)
        return
    yield from _pages(origin, layout, cells)


def _pages(origin: Path | str, layout: Layout, cells: list[tuple[int, str, Cell]]) -> Iterator[ParsedRow]:
    events = frozenset(cell.event for _, _, cell in cells if cell.event is not None)
    searches: dict[tuple[Any, str], tuple[int, str, dict[str, Any]]] = {}
    for group in grouped(cells, layout.kind.split_dimension is not None):
        line, raw = group[0][0], "\n".join(item[1] for item in group)
        values = read_row(origin, line, raw, page_values, layout, [item[2] for item in group], events)
        if isinstance(values, RowProblem):
            yield values
            continue
        term = search_term(values["page_path"], layout.search_parameters)
        if term is None:
            yield to_record("web_page_daily", origin, line, raw, dict, values)
            continue
        search = page_search(values, term)
        key = (search["date"], term)
        if key in searches:
            first_line, first_raw, total = searches[key]
            searches[key] = (first_line, f"{first_raw}\n{raw}", add_search(total, search))
        else:
            searches[key] = (line, raw, search)
    for line, raw, search in searches.values():
        yield to_record(SEARCH_STREAM, origin, line, raw, dict, search)


def report_notes(origin: Path | str, layout: Layout, rows: int) -> list[str]:
    """What of the report does not land: unused metrics as unused fields, completion columns no metric
    feeds as a warning naming the report."""
    for metric in layout.unused_metrics:
        report_unused(
            str(origin),
            metric,
            rows,
            "no column takes this metric (count key events as completions with parse.form_submits "
            "or parse.payments_completed)",
        )
    notes = []
    missing = layout.missing_completions()
    if missing:
        notes.append(
            f"{', '.join(missing)}: no metric of this report counts them (see their parse options), "
            "so they load empty, as no data"
        )
    for note in notes:
        log.warning("GA4 report %s: %s", origin, note)
    return notes


def _unused_events(origin: Path | str, layout: Layout, cells: list[tuple[int, str, Cell]]) -> None:
    """Events of a report by eventName that neither give the sessions nor count as a completion."""
    if not layout.kind.split_dimension:
        return
    counted = {event for events in layout.completion_events.values() for event in events}
    rows: dict[str, int] = {}
    for _, _, cell in cells:
        if cell.event is not None and cell.event != PAGE_VIEW_EVENT and cell.event not in counted:
            rows[cell.event] = rows.get(cell.event, 0) + 1
    for event, count in sorted(rows.items()):
        report_unused(
            str(origin),
            f"{EVENT_COUNT}:{event}",
            count,
            f"no completion counts this event (list {EVENT_COUNT}:{event} in parse.form_submits or "
            "parse.payments_completed to count it)",
        )
