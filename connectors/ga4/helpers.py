"""Recognise a runReport response's kind from its headers and turn its rows into landing values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicpulse.filereaders import (
    BadValue,
    calendar_date,
    json_object,
    real_number,
    required_text,
    whole_number,
)
from civicpulse.sources import FileProblem
from connectors.ga4.settings import (
    DATE_DIMENSION,
    DATE_LAYOUT,
    EXPECTED_FILE,
    REPORT_KINDS,
    RUN_REPORT_KIND,
    Metric,
    ReportKind,
)

OTHER_ROW = "(other)"


@dataclass(frozen=True)
class Layout:
    kind: ReportKind
    dimensions: tuple[str, ...]
    metric_positions: dict[str, int]
    metric_count: int


def report_layout(path: Path | str, report: Any) -> Layout:
    if not isinstance(report, dict) or not {"dimensionHeaders", "metricHeaders"} <= report.keys():
        raise FileProblem(
            path, "the file is not a GA4 runReport response (no dimensionHeaders)", f"save {EXPECTED_FILE}"
        )
    if report.get("kind", RUN_REPORT_KIND) != RUN_REPORT_KIND:
        problem = f"the file is a {report['kind']} response, not {RUN_REPORT_KIND}"
        raise FileProblem(path, problem, f"save {EXPECTED_FILE}, one file per report")
    dimensions = _header_names(path, report["dimensionHeaders"])
    metrics = _header_names(path, report["metricHeaders"])
    kind = _report_kind(path, dimensions)
    _require_metrics(path, kind, metrics)
    return Layout(kind, dimensions, {name: index for index, name in enumerate(metrics)}, len(metrics))


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
        "request runReport with exactly the dimensions date and pagePath, or date and searchTerm",
    )


def _require_metrics(path: Path | str, kind: ReportKind, metrics: tuple[str, ...]) -> None:
    missing = [metric.name for metric in kind.metrics if metric.required and metric.name not in metrics]
    if missing:
        raise FileProblem(
            path,
            f"the {kind.describe()} report lacks metric(s) {', '.join(missing)}",
            f"add {', '.join(missing)} to the runReport request's metrics",
        )


def row_values(layout: Layout, row: Any) -> dict[str, Any]:
    row = json_object(row, "row")
    dimension_values = dict(
        zip(layout.dimensions, _cells(row, "dimensionValues", len(layout.dimensions)), strict=True)
    )
    metric_values = _cells(row, "metricValues", layout.metric_count)
    kind = layout.kind
    values: dict[str, Any] = {
        "date": _report_date(dimension_values[DATE_DIMENSION]),
        kind.key_column: required_text(dimension_values[kind.key_dimension], kind.key_dimension),
    }
    for metric in kind.metrics:
        position = layout.metric_positions.get(metric.name)
        values[metric.column] = None if position is None else _metric_value(metric, metric_values[position])
    return values


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


def _metric_value(metric: Metric, value: str) -> int | float:
    return real_number(value, metric.name) if metric.fractional else whole_number(value, metric.name)
