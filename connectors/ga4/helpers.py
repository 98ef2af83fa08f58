"""Recognise a runReport response's kind from its headers and turn its rows into landing values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from civicpulse.filereaders import (
    BadValue,
    calendar_date,
    json_object,
    real_number,
    required_text,
    row_date,
    whole_number,
)
from civicpulse.sources import FileProblem
from connectors.ga4.settings import (
    COMPLETION_COLUMNS,
    DATE_DIMENSION,
    DATE_LAYOUT,
    EVENT_COUNT,
    EVENT_DIMENSION,
    EXPECTED_FILE,
    PAGE_VIEW_EVENT,
    REPORT_KINDS,
    RUN_REPORT_KIND,
    Options,
    ReportKind,
)

OTHER_ROW = "(other)"
SEARCH_STREAM = "web_search_daily"


@dataclass(frozen=True)
class Layout:
    kind: ReportKind
    dimensions: tuple[str, ...]
    metric_positions: dict[str, int]
    metric_count: int
    # completion column -> the report's metrics counted in it (page reports by date x pagePath)
    completion_metrics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # completion column -> the event names counted in it (reports by date x pagePath x eventName)
    completion_events: dict[str, frozenset[str]] = field(default_factory=dict)
    # metrics in the report that no landing column takes
    unused_metrics: tuple[str, ...] = ()
    search_parameters: tuple[str, ...] = ()

    def missing_completions(self) -> list[str]:
        """Completion columns with no metric in this report: they land empty, as no data."""
        if self.kind.stream == SEARCH_STREAM:
            return []
        found = self.completion_events if self.kind.split_dimension else self.completion_metrics
        return [column for column in COMPLETION_COLUMNS if not found.get(column)]


def report_layout(path: Path | str, report: Any, options: Options | None = None) -> Layout:
    if not isinstance(report, dict) or not {"dimensionHeaders", "metricHeaders"} <= report.keys():
        raise FileProblem(
            path, "the file is not a GA4 runReport response (no dimensionHeaders)", f"save {EXPECTED_FILE}"
        )
    if report.get("kind", RUN_REPORT_KIND) != RUN_REPORT_KIND:
        problem = f"the file is a {report['kind']} response, not {RUN_REPORT_KIND}"
        raise FileProblem(path, problem, f"save {EXPECTED_FILE}, one file per report")
    options = options or Options()
    dimensions = _header_names(path, report["dimensionHeaders"])
    metrics = _header_names(path, report["metricHeaders"])
    kind = _report_kind(path, dimensions)
    _require_metrics(path, kind, metrics)
    used = {metric.name for metric in kind.metrics}
    completion_metrics: dict[str, tuple[str, ...]] = {}
    completion_events: dict[str, frozenset[str]] = {}
    if kind.stream != SEARCH_STREAM:
        for column, sources in options.sources().items():
            completion_metrics[column] = tuple(name for name in sources if name in metrics)
            completion_events[column] = frozenset(
                name.split(":", 1)[1] for name in sources if name.startswith(f"{EVENT_COUNT}:")
            )
        if not kind.split_dimension:
            used |= {name for names in completion_metrics.values() for name in names}
    return Layout(
        kind,
        dimensions,
        {name: index for index, name in enumerate(metrics)},
        len(metrics),
        completion_metrics,
        completion_events,
        tuple(name for name in metrics if name not in used),
        options.search_parameters,
    )


def report_rows(path: Path | str, report: dict[str, Any]) -> list[Any]:
    rows = report.get("rows", [])
    if not isinstance(rows, list):
        raise FileProblem(path, "'rows' is not a list", f"save {EXPECTED_FILE}, unchanged")
    return rows


def _header_names(path: Path | str, headers: Any) -> tuple[str, ...]:
    if not isinstance(headers, list) or not all(
        isinstance(h, dict) and isinstance(h.get("name"), str) for h in headers
    ):
        raise FileProblem(
            path, "the report headers are not a list of {name: ...}", f"save {EXPECTED_FILE}, unchanged"
        )
    return tuple(header["name"] for header in headers)


def _report_kind(path: Path | str, dimensions: tuple[str, ...]) -> ReportKind:
    for kind in REPORT_KINDS:
        if len(dimensions) == len(kind.dimensions) and set(dimensions) == kind.dimensions:
            return kind
    supported = "; ".join(kind.describe() for kind in REPORT_KINDS)
    raise FileProblem(
        path,
        f"reports by dimensions {', '.join(dimensions)} are not supported (supported: {supported})",
        "request runReport with exactly the dimensions date and pagePath (and eventName), "
        "or date and searchTerm",
    )


def _require_metrics(path: Path | str, kind: ReportKind, metrics: tuple[str, ...]) -> None:
    missing = [metric.name for metric in kind.metrics if metric.required and metric.name not in metrics]
    if missing:
        raise FileProblem(
            path,
            f"the {kind.describe()} report lacks metric(s) {', '.join(missing)}",
            f"add {', '.join(missing)} to the runReport request's metrics",
        )


@dataclass(frozen=True)
class Cell:
    """One report row read: its dimension values and its metrics by name (as numbers)."""

    day: dt.date
    key: str
    event: str | None
    metrics: dict[str, int | float]


def row_cell(layout: Layout, row: Any) -> Cell:
    row = json_object(row, "row")
    dimension_values = dict(
        zip(layout.dimensions, _cells(row, "dimensionValues", len(layout.dimensions)), strict=True)
    )
    day = _report_date(dimension_values[DATE_DIMENSION])
    metric_values = _cells(row, "metricValues", layout.metric_count)
    kind = layout.kind
    fractional = {metric.name for metric in kind.metrics if metric.fractional}
    counted = {name for names in layout.completion_metrics.values() for name in names}
    metrics: dict[str, int | float] = {}
    for name, position in layout.metric_positions.items():
        if name in fractional:
            metrics[name] = real_number(metric_values[position], name)
        elif name in counted or any(metric.name == name for metric in kind.metrics):
            metrics[name] = whole_number(metric_values[position], name)
    event = dimension_values.get(EVENT_DIMENSION) if kind.split_dimension else None
    return Cell(
        day,
        required_text(dimension_values[kind.key_dimension], kind.key_dimension),
        None if event is None else required_text(event, EVENT_DIMENSION),
        metrics,
    )


def search_values(layout: Layout, cell: Cell) -> dict[str, Any]:
    """A row of the report by date x searchTerm."""
    values: dict[str, Any] = {"date": cell.day, layout.kind.key_column: cell.key}
    for metric in layout.kind.metrics:
        values[metric.column] = cell.metrics.get(metric.name)
    return values


def page_values(layout: Layout, cells: list[Cell], events_in_report: frozenset[str]) -> dict[str, Any]:
    """One page's day: a row of the report by date x pagePath, or its rows by eventName folded."""
    first = cells[0]
    values: dict[str, Any] = {"date": row_date(first.day), "page_path": first.key}
    if not layout.kind.split_dimension:
        for metric in layout.kind.metrics:
            values[metric.column] = first.metrics.get(metric.name)
        for column in COMPLETION_COLUMNS:
            names = layout.completion_metrics.get(column, ())
            values[column] = sum(int(first.metrics[name]) for name in names) if names else None
        return values
    views = [cell for cell in cells if cell.event == PAGE_VIEW_EVENT]
    if not views:
        raise BadValue(
            f"the page has no {PAGE_VIEW_EVENT} row that day, so its sessions are unknown; "
            f"keep {PAGE_VIEW_EVENT} in the report's eventName filter"
        )
    view = views[0].metrics
    values["sessions"] = view.get("sessions")
    values["active_users"] = view.get("activeUsers")
    values["page_views"] = view.get(EVENT_COUNT)
    engagement = [
        cell.metrics["userEngagementDuration"] for cell in cells if "userEngagementDuration" in cell.metrics
    ]
    values["engagement_seconds"] = float(sum(engagement)) if engagement else None
    for column in COMPLETION_COLUMNS:
        events = layout.completion_events.get(column, frozenset()) & events_in_report
        values[column] = (
            sum(int(cell.metrics[EVENT_COUNT]) for cell in cells if cell.event in events) if events else None
        )
    return values


def search_term(page_path: str, parameters: Iterable[str]) -> str | None:
    """The site-search term a page path carries in one of `parameters` (the first one set), or None."""
    if "?" not in page_path:
        return None
    query = dict(parse_qsl(urlsplit(page_path).query))
    for name in parameters:
        term = " ".join(query.get(name, "").split())
        if term:
            return term
    return None


def page_search(values: dict[str, Any], term: str) -> dict[str, Any]:
    """A search results page's day as a site-search row: each results page viewed is a search."""
    searches = values["page_views"] if values["page_views"] is not None else values["sessions"]
    return {"date": values["date"], "search_term": term, "searches": searches, "sessions": values["sessions"]}


def add_search(total: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Two result pages of one term and day (`?q=tax` and `?q=tax&page=2`) are one row, summed."""
    return {
        **total,
        "searches": total["searches"] + more["searches"],
        "sessions": _sum_known(total["sessions"], more["sessions"]),
    }


def _sum_known(left: int | None, right: int | None) -> int | None:
    return None if left is None or right is None else left + right


def grouped(cells: Iterable[tuple[int, str, Cell]], split: bool) -> Iterator[list[tuple[int, str, Cell]]]:
    """Each (date, page)'s rows together when a report is split by eventName; otherwise row by row."""
    if not split:
        for item in cells:
            yield [item]
        return
    groups: dict[tuple[dt.date, str], list[tuple[int, str, Cell]]] = {}
    for item in cells:
        groups.setdefault((item[2].day, item[2].key), []).append(item)
    yield from groups.values()


def _cells(row: dict[str, Any], key: str, expected: int) -> list[str]:
    cells = row.get(key)
    if not isinstance(cells, list) or not all(
        isinstance(c, dict) and isinstance(c.get("value"), str) for c in cells
    ):
        raise BadValue(f"the row's {key} are not a list of {{value: string}}")
    if len(cells) != expected:
        raise BadValue(f"the row has {len(cells)} {key} but the report headers name {expected}")
    return [cell["value"] for cell in cells]


def _report_date(value: str) -> dt.date:
    if value == OTHER_ROW:
        raise BadValue(
            "GA4 grouped rows beyond its row limit into '(other)', which has no date; "
            "request fewer days per report"
        )
    return calendar_date(value, DATE_DIMENSION, [DATE_LAYOUT])
