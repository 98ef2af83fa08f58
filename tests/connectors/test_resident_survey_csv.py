from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from civicpulse.sources import FileProblem, Record, RowProblem

Parse = Callable[..., tuple[list[Record], list[RowProblem]]]
Problem = Callable[..., FileProblem]
SURVEY = "resident_survey_csv/resident_survey_2024.csv"
CHICAGO = "America/Chicago"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_survey_export_with_bom_crlf_and_both_date_forms(parse: Parse, fixtures: Path) -> None:
    records, _ = parse("resident_survey_csv", fixtures / SURVEY, CHICAGO)
    assert [r.line for r in records] == [2, 3, 5, 9]
    assert records[0].values == {
        "response_id": "R-2024-00017",
        "submitted_at": dt.datetime(2024, 4, 2, 17, 0, tzinfo=dt.UTC),
        "survey_kind": "resident_survey",
        "form_id": None,
        "service_hint": "Trash and recycling pickup",
        "respondent_id": "R-2024-00017",
        "satisfaction_score": 4,
        "trust_score": 4,
        "ease_score": 5,
        "is_trust_positive": None,
        "positive_drivers": None,
        "negative_drivers": None,
        "comment": "Pickup is reliable. The bulk item scheduling page is hard to find.",
    }
    permits, water, skipped = (r.values for r in records[1:])
    assert permits["submitted_at"] == dt.datetime(2024, 4, 2, 17, 0, tzinfo=dt.UTC)
    assert permits["comment"] == "Took six weeks to get a simple deck permit.\nNobody returned my calls."
    assert water["trust_score"] is None and water["comment"] == "El pago en línea fue muy fácil."
    assert [skipped[k] for k in ("satisfaction_score", "trust_score", "ease_score", "comment")] == [None] * 4


def test_bad_rows_name_their_line_and_reason(parse: Parse, fixtures: Path) -> None:
    _, problems = parse("resident_survey_csv", fixtures / SURVEY, CHICAGO)
    assert [(p.line, p.reason) for p in problems] == [
        (6, "satisfaction is '7'; expected a whole number from 1 to 5, or empty if skipped"),
        (7, "respondent_id is empty"),
        (8, "response_date is '2024/04/04'; expected a date like 01/31/2024 or 2024-01-31"),
    ]
    assert (
        problems[0].raw
        == "R-2024-00020,04/03/2024,Parks and recreation,7,4,4,Great summer programs for kids.,EN"
    )


def test_missing_column_is_a_file_problem(file_problem: Problem, fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / SURVEY).read_bytes().replace(b",ease,", b",effort,", 1)
    problem = file_problem("resident_survey_csv", _write(tmp_path / "survey.csv", text))
    assert "lacks required column(s) ease" in problem.problem and "respondent_id,response_date" in problem.fix


def test_export_without_language_column_still_loads(parse: Parse, tmp_path: Path) -> None:
    data = (
        b"respondent_id,response_date,service_used,satisfaction,trust,ease,comment\n"
        b"R-1,2024-04-02,Parks,5,5,5,\n"
    )
    records, _ = parse("resident_survey_csv", _write(tmp_path / "survey.csv", data))
    assert [r.values["response_id"] for r in records] == ["R-1"]


def test_empty_truncated_and_wrong_format_files(
    file_problem: Problem, fixtures: Path, tmp_path: Path
) -> None:
    assert "empty" in file_problem("resident_survey_csv", _write(tmp_path / "a.csv", b"  \n")).problem
    survey = (fixtures / SURVEY).read_bytes()
    cut = survey[: survey.index(b"deck permit")]
    assert (
        "ends inside a quoted field that starts at line 3"
        in file_problem("resident_survey_csv", _write(tmp_path / "b.csv", cut)).problem
    )
    calls = (fixtures / "contact_center_csv/calls_2024-05-06.csv").read_bytes()
    problem = file_problem("resident_survey_csv", _write(tmp_path / "c.csv", calls))
    assert "lacks required column(s) respondent_id, response_date, service_used" in problem.problem
