"""Matomo report rows (format=JSON, flat=1) to web landing values."""

from __future__ import annotations

import datetime as dt
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
from civicpulse.unused_fields import report_unused
from connectors.matomo.settings import (
    DATE_LAYOUT,
    EXPECTED_FILE,
    FILE_DAY,
    GOAL_ANY_COLUMN,
    GOAL_COLUMN,
    REPORTS,
    SUMMARY_LABELS,
    Options,
    Report,
)


def report_of(origin: Path | str, method: str) -> Report:
    for report in REPORTS:
        if report.method == method:
            return report
    known = ", ".join(r.method for r in REPORTS)
    raise FileProblem(
        origin, f"the report {method} is not supported (supported: {known})", f"save {EXPECTED_FILE}"
    )


def api_error(page: Any) -> str | None:
    """Matomo answers errors with HTTP 200 and {"result": "error", "message": ...}."""
    if isinstance(page, dict) and page.get("result") == "error":
        return str(page.get("message") or "no message")
    return None


def rows_by_day(origin: Path | str, page: Any, day: dt.date | None) -> list[tuple[dt.date, list[Any]]]:
    """A single-date response is a list of rows; a multi-date one maps each date to its rows."""
    error = api_error(page)
    if error:
        raise FileProblem(origin, f"the page is a Matomo error response ({error})", "request it again")
    if isinstance(page, list):
        if day is None:
            match = FILE_DAY.search(str(origin))
            if not match:
                raise FileProblem(
                    origin, "a single-date report needs its date in the file name", f"save {EXPECTED_FILE}"
                )
            day = calendar_date(match.group(1), "file name date", [DATE_LAYOUT])
        return [(day, page)]
    if isinstance(page, dict):
        days = []
        for key, rows in page.items():
            try:
                moment = calendar_date(key, "date", [DATE_LAYOUT])
            except BadValue:
                raise FileProblem(origin, f"{key!r} is not a date", f"save {EXPECTED_FILE}") from None
            if not isinstance(rows, list):
                raise FileProblem(origin, f"the rows of {key} are not a list", f"save {EXPECTED_FILE}")
            days.append((moment, rows))
        return days
    raise FileProblem(
        origin, "the response is neither a list of rows nor rows by date", f"save {EXPECTED_FILE}"
    )


def page_goals(
    origin: Path | str, rows: list[Any], options: Options
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Completion column -> the goal columns of the report that count in it; goals no option names are
    reported as unused fields, and the notes say which configured goals the report lacks."""
    dicts = [row for row in rows if isinstance(row, dict)]
    present = {key for row in dicts for key in row}
    goals_present = {int(m.group(1)) for key in present if (m := GOAL_ANY_COLUMN.match(key))}
    columns = {
        column: tuple(GOAL_COLUMN.format(goal=goal) for goal in goals if goal in goals_present)
        for column, goals in options.goals().items()
    }
    for goal in sorted(goals_present - {goal for goals in options.goals().values() for goal in goals}):
        prefix = f"goal_{goal}_"
        report_unused(
            str(origin),
            GOAL_COLUMN.format(goal=goal),
            sum(1 for row in dicts if any(key.startswith(prefix) for key in row)),
            "no completion column takes this goal's conversions (count them with parse.form_submits "
            "or parse.payments_completed)",
        )
    missing = [column for column, goals in options.goals().items() if goals and not columns[column]]
    notes = []
    if missing:
        notes.append(
            f"{', '.join(missing)}: the report has no conversions of their goals (page goal metrics), "
            "so they load empty, as no data"
        )
    return columns, notes


def search_term(row: Any, parameters: tuple[str, ...]) -> str | None:
    """The site-search term of a page row whose URL (or label) carries one of `parameters`, or None."""
    if not isinstance(row, dict):
        return None
    for field in ("url", "label"):
        address = row.get(field)
        if isinstance(address, str) and "?" in address:
            query = dict(parse_qsl(urlsplit(address).query))
            for name in parameters:
                term = " ".join(query.get(name, "").split())
                if term:
                    return term
    return None


def search_values(day: dt.date, term: str, item: Any) -> dict[str, Any]:
    """A search results page's day as a site-search row: each results page viewed is a search."""
    row_date(day)
    row = json_object(item, "row")
    visits = row.get("nb_visits")
    if visits is None:
        raise BadValue("the row has no nb_visits")
    hits = row.get("nb_hits")
    sessions = whole_number(str(visits), "nb_visits")
    searches = sessions if hits is None else whole_number(str(hits), "nb_hits")
    return {"date": day, "search_term": term, "searches": searches, "sessions": sessions}


def row_values(
    report: Report, day: dt.date, item: Any, goals: dict[str, tuple[str, ...]] | None = None
) -> dict[str, Any]:
    row_date(day)
    row = json_object(item, "row")
    label = required_text(_text(row.get("label")), "label")
    if label in SUMMARY_LABELS or row.get("idsubdatatable") == -1:
        raise BadValue(
            "Matomo folded rows beyond its report limit into 'Others'; raise the archiving row limits"
        )
    values: dict[str, Any] = {
        "date": day,
        report.key_column: _page_path(row, label) if report.key_column == "page_path" else label,
    }
    for column, metric in report.metrics:
        value = row.get(metric)
        if value is None:
            if metric == report.required:
                raise BadValue(f"the row has no {metric}")
            values[column] = None
        elif column == "engagement_seconds":
            values[column] = real_number(str(value), metric)
        else:
            values[column] = whole_number(str(value), metric)
    for column, names in (goals or {}).items():
        # a page without conversions of a goal the report has leaves that goal's column out: 0
        values[column] = sum(whole_number(str(row.get(name) or 0), name) for name in names) if names else None
    return values


def visited_days(origin: str, summary: Any) -> list[dt.date]:
    """Days of a VisitsSummary.get answer (period=day over a date range) with visits; an empty day is []."""
    if not isinstance(summary, dict) or api_error(summary):
        problem = api_error(summary) or "the answer is not metrics by date"
        raise FileProblem(
            origin, f"VisitsSummary.get failed ({problem})", "request period=day with a date range"
        )
    days = []
    for key, metrics in summary.items():
        day = calendar_date(key, "date", [DATE_LAYOUT])
        if isinstance(metrics, dict) and whole_number(str(metrics.get("nb_visits", 0)), "nb_visits") > 0:
            days.append(day)
    return sorted(days)


def _page_path(row: dict[str, Any], label: str) -> str:
    url = row.get("url")
    if isinstance(url, str) and url.strip():
        parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
        return parts.path or "/"
    return label if label.startswith("/") else f"/{label}"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
