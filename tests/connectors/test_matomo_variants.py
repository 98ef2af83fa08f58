"""Matomo in full: goal conversions as completions where the page report has page goal metrics, and
page URLs with search parameters as site searches."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from civicpulse.sources import ParseContext, Record, RowProblem, load_connector
from civicpulse.unused_fields import collecting
from connectors.matomo import Options

DAY = dt.date(2024, 5, 6)


def _page_row(path: str, visits: int, **goals: int) -> dict[str, Any]:
    """An Actions.getPageUrls row (flat=1, format=JSON), with page goal metrics when given."""
    return {
        "label": path.lstrip("/"),
        "nb_visits": visits,
        "nb_uniq_visitors": visits,
        "nb_hits": visits + 1,
        "sum_time_spent": visits * 30,
        "entry_nb_visits": 1,
        "exit_nb_visits": 1,
        "avg_time_on_page": 30,
        "bounce_rate": "0%",
        "exit_rate": "50%",
        "url": f"https://riverton.example{path}",
        "segment": f"pageUrl==https%253A%252F%252Friverton.example{path}",
        **goals,
    }


def _parse(
    tmp_path: Path, rows: list[Any], options: Options | None = None
) -> tuple[list[Record], list[RowProblem]]:
    path = tmp_path / f"Actions.getPageUrls_{DAY.isoformat()}.json"
    path.write_text(json.dumps(rows))
    parsed = list(
        load_connector("matomo").parse_file(path, ParseContext(source="matomo_web", options=options))
    )
    return [r for r in parsed if isinstance(r, Record)], [r for r in parsed if isinstance(r, RowProblem)]


GOAL_ROWS = [
    _page_row("/permits/apply", 40, goal_1_nb_conversions_page_uniq=6, goal_1_nb_conversions_attrib=5.5),
    _page_row("/utilities/pay", 50, goal_2_nb_conversions_page_uniq=20, goal_3_nb_conversions_page_uniq=2),
    _page_row("/contact", 90),
]


def test_goal_conversions_count_as_the_options_say(tmp_path: Path) -> None:
    with collecting() as unused:
        records, problems = _parse(tmp_path, GOAL_ROWS, Options(form_submits=(1,), payments_completed=(2,)))
    assert problems == []
    assert [
        (r.values["page_path"], r.values["form_submits"], r.values["payments_completed"]) for r in records
    ] == [
        ("/permits/apply", 6, 0),
        ("/utilities/pay", 0, 20),
        ("/contact", 0, 0),
    ]
    [goal] = unused
    assert (Path(goal.file).name, goal.field, goal.rows) == (
        "Actions.getPageUrls_2024-05-06.json",
        "goal_3_nb_conversions_page_uniq",
        1,
    )
    assert "parse.form_submits" in goal.reason


def test_without_goal_metrics_completions_are_no_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [_page_row("/permits/apply", 40)]
    with caplog.at_level(logging.WARNING, logger="connectors.matomo"):
        records, _ = _parse(tmp_path, rows, Options(form_submits=(1,)))
    assert (records[0].values["form_submits"], records[0].values["payments_completed"]) == (None, None)
    [warning] = [r.getMessage() for r in caplog.records]
    assert "form_submits: the report has no conversions of their goals" in warning


def test_search_page_urls_become_site_searches(tmp_path: Path) -> None:
    rows = [
        _page_row("/search?q=payment+not+working", 12),
        _page_row("/search?q=payment%20not%20working&page=2", 2),
        _page_row("/permits/apply?utm_source=mail", 4),
    ]
    records, problems = _parse(tmp_path, rows)
    assert problems == []
    assert [(r.stream, r.line) for r in records] == [("web_page_daily", 3), ("web_search_daily", 1)]
    assert records[1].values == {
        "date": DAY,
        "search_term": "payment not working",
        "searches": 16,
        "sessions": 14,
    }


def test_goal_options_are_checked() -> None:
    with pytest.raises(ValidationError, match="goal 2 is in both form_submits and payments_completed"):
        Options(form_submits=(2,), payments_completed=(2,))
    with pytest.raises(ValidationError):
        Options(form_submits=(0,))


def test_a_bad_row_is_filed_under_the_reports_day(tmp_path: Path) -> None:
    search = {**_page_row("/search?q=bins", 3), "nb_visits": None}
    _, problems = _parse(tmp_path, [{**_page_row("/other", 5), "label": "Others"}, search])
    assert [(p.line, p.day) for p in problems] == [(1, DAY), (2, DAY)]
    assert "Others" in problems[0].reason and "nb_visits" in problems[1].reason
