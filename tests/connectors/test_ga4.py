from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civicpulse.sources import FileProblem, Record, RowProblem

Parse = Callable[..., tuple[list[Record], list[RowProblem]]]
Problem = Callable[..., FileProblem]
PAGE_1 = "ga4/ga4_pages_20240506-20240507_offset000000.json"
PAGE_2 = "ga4/ga4_pages_20240506-20240507_offset000004.json"


def _write(path: Path, body: Any) -> Path:
    path.write_text(json.dumps(body))
    return path


def test_page_report_rows_become_web_page_daily(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("ga4", fixtures / PAGE_1)
    assert problems == []
    assert [r.line for r in records] == [1, 2, 3, 4]
    assert {r.stream for r in records} == {"web_page_daily"}
    assert records[0].values == {
        "date": dt.date(2024, 5, 6),
        "page_path": "/utilities/pay-my-bill",
        "sessions": 412,
        "active_users": 377,
        "page_views": 958,
        "engagement_seconds": 18734.5,
        "form_submits": 0,
        "payments_completed": 131,
    }
    assert records[1].values["form_submits"] == 37
    assert records[3].values["page_path"] == "(not set)"


def test_second_page_keeps_its_own_row_numbers_and_reports_the_other_row(
    parse: Parse, fixtures: Path
) -> None:
    records, problems = parse("ga4", fixtures / PAGE_2)
    assert [(r.line, r.values["date"], r.values["page_path"]) for r in records] == [
        (1, dt.date(2024, 5, 7), "/utilities/pay-my-bill"),
        (2, dt.date(2024, 5, 7), "/taxes/property/appeal"),
    ]
    assert [p.line for p in problems] == [3]
    assert "(other)" in problems[0].reason and "fewer days" in problems[0].reason


def test_search_report_matches_metrics_by_name(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("ga4", fixtures / "ga4/ga4_search_20240506-20240507_offset000000.json")
    assert problems == []
    assert {r.stream for r in records} == {"web_search_daily"}
    assert records[0].values == {
        "date": dt.date(2024, 5, 6),
        "search_term": "pay water bill",
        "searches": 64,
        "sessions": 57,
    }
    assert records[-1].values["search_term"] == "(not set)"


def test_site_kit_report_by_country_and_date_range_is_unsupported(
    file_problem: Problem, fixtures: Path
) -> None:
    problem = file_problem("ga4", fixtures / "ga4/site-kit-wp__report-with-date-range.excerpt.json")
    assert "date, country, dateRange" in problem.problem
    assert "date x pagePath" in problem.problem and "date x searchTerm" in problem.problem
    assert "dimensions date and pagePath" in problem.fix


def test_site_kit_report_by_date_only_is_unsupported(file_problem: Problem, fixtures: Path) -> None:
    assert (
        "dimensions date are not supported"
        in file_problem("ga4", fixtures / "ga4/site-kit-wp__report.json").problem
    )


def test_bad_rows_are_problems_and_good_rows_still_load(parse: Parse, fixtures: Path, tmp_path: Path) -> None:
    report = json.loads((fixtures / PAGE_1).read_text())
    report["rows"][0]["metricValues"][4]["value"] = "12.5"
    report["rows"][1]["dimensionValues"][0]["value"] = "2024-05-06"
    del report["rows"][2]["metricValues"][5]
    records, problems = parse("ga4", _write(tmp_path / "report.json", report))
    assert [r.line for r in records] == [4]
    assert [p.line for p in problems] == [1, 2, 3]
    assert "keyEvents:form_submit is '12.5', not a whole number" in problems[0].reason
    assert "date is '2024-05-06'" in problems[1].reason
    assert "5 metricValues" in problems[2].reason
    # A bad row whose date reads is filed under it; one whose date does not read, undated.
    assert [p.day for p in problems] == [dt.date(2024, 5, 6), None, dt.date(2024, 5, 6)]
    assert json.loads(problems[0].raw)["dimensionValues"][1]["value"] == "/utilities/pay-my-bill"


def test_missing_required_metric_is_a_file_problem(
    file_problem: Problem, fixtures: Path, tmp_path: Path
) -> None:
    report = json.loads((fixtures / PAGE_1).read_text())
    report["metricHeaders"] = [h for h in report["metricHeaders"] if h["name"] != "sessions"]
    problem = file_problem("ga4", _write(tmp_path / "report.json", report))
    assert "lacks metric(s) sessions" in problem.problem and "add sessions" in problem.fix


def test_missing_optional_metric_lands_as_null(parse: Parse, fixtures: Path, tmp_path: Path) -> None:
    report = json.loads((fixtures / PAGE_1).read_text())
    report["metricHeaders"].pop()
    for row in report["rows"]:
        row["metricValues"].pop()
    records, _ = parse("ga4", _write(tmp_path / "report.json", report))
    assert records[0].values["payments_completed"] is None


def test_truncated_json_is_a_file_problem(file_problem: Problem, fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / PAGE_1).read_text()
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2])
    problem = file_problem("ga4", truncated)
    assert "ends before it is complete" in problem.problem and "copy or download" in problem.fix
    assert problem.line is not None


def test_empty_file_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert "empty" in file_problem("ga4", empty).problem


def test_wrong_format_names_line_and_column(file_problem: Problem, tmp_path: Path) -> None:
    csv_file = tmp_path / "export.json"
    csv_file.write_text("date,pagePath,sessions\n20240506,/,3\n")
    problem = file_problem("ga4", csv_file)
    assert "not valid JSON" in problem.problem and "line 1, column 1" in problem.problem
    assert "runReport response" in problem.fix


def test_json_that_is_not_a_run_report_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    problem = file_problem("ga4", _write(tmp_path / "batch.json", {"kind": "analyticsData#batchRunReports"}))
    assert "not a GA4 runReport response" in problem.problem
