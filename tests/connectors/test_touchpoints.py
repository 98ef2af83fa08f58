from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from civicpulse.sources import FileProblem, Record, RowProblem

ISO = "or ISO 8601 with its UTC offset like 2024-01-31T14:05:09-05:00"

Parse = Callable[..., tuple[list[Record], list[RowProblem]]]
Problem = Callable[..., FileProblem]
PLAIN = "touchpoints/a11v2demo/touchpoints-a11-v2-form-responses-2024-05-01_120000.csv"
WITH_BOM = "touchpoints/bom0form/touchpoints-a11-v2-form-responses-2024-05-02_083000.csv"
PLACEHOLDERS = "touchpoints/upload0form/touchpoints-a11-v2-form-responses-2024-05-03_090000.csv"
COMBINED = "touchpoints/cx1234ab/touchpoints-a11-v2-form-responses-2024-05-08_101500.csv"


def _copy_to(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_plain_layout_uses_folder_form_id_and_file_name_time(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("touchpoints", fixtures / PLAIN)
    assert problems == [] and len(records) == 20
    assert {r.values["submitted_at"] for r in records} == {dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)}
    assert records[0].values == {
        "response_id": "1001",
        "submitted_at": dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC),
        "survey_kind": "touchpoints_a11_v2",
        "form_id": "a11v2demo",
        "service_hint": None,
        "respondent_id": None,
        "satisfaction_score": None,
        "trust_score": None,
        "ease_score": None,
        "is_trust_positive": True,
        "positive_drivers": ["transparency", "employee", "other"],
        "negative_drivers": [],
        "comment": None,
    }
    second, third = records[1].values, records[2].values
    assert second["is_trust_positive"] is False and second["negative_drivers"] == ["ease"]
    assert third["comment"] == "Got my refund faster than I expected."


def test_export_with_bom_and_crlf(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("touchpoints", fixtures / WITH_BOM)
    assert problems == []
    assert [(r.line, r.values["response_id"], r.values["comment"]) for r in records] == [
        (2, "100001", "alright"),
        (3, "100002", None),
        (4, "100003", "Excellent listening"),
        (5, "100004", "Very intuitive experience, easy!"),
    ]
    assert records[0].values["positive_drivers"] == [
        "effectiveness",
        "ease",
        "efficiency",
        "transparency",
        "humanity",
        "employee",
    ]


def test_placeholder_values_are_row_problems(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("touchpoints", fixtures / PLACEHOLDERS)
    assert records == []
    assert [(p.line, p.reason) for p in problems] == [
        (line, f"question_1 (the trust thumbs up/down) is 'Data {line - 1}-1'; expected 1 or 0")
        for line in (2, 3, 4)
    ]


def test_combined_layout(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("touchpoints", fixtures / COMBINED)
    assert [r.line for r in records] == [2, 3, 8]
    paid, timed_out, humane = (r.values for r in records)
    assert paid["response_id"] == "48211" and paid["form_id"] == "cx1234ab"
    assert paid["submitted_at"] == dt.datetime(2024, 5, 6, 14, 22, 5, tzinfo=dt.UTC)
    assert paid["service_hint"] == "/utilities/pay-my-bill"
    assert paid["positive_drivers"] == ["effectiveness", "ease"] and paid["negative_drivers"] == []
    assert timed_out["is_trust_positive"] is False and timed_out["negative_drivers"] == ["ease", "efficiency"]
    assert timed_out["comment"] == "The page timed out twice\nbefore my payment went through."
    assert humane["service_hint"] is None and humane["positive_drivers"] == ["humanity"]
    assert [(p.line, p.reason) for p in problems] == [
        (6, "Touchpoints marks this submission as flagged; it is not loaded"),
        (7, "Created at is '05/06/2024 4:10 PM'; expected the form 2024-01-31 14:05:09 UTC " + ISO),
    ]


def test_bad_indicator_and_missing_id_are_row_problems(parse: Parse, fixtures: Path, tmp_path: Path) -> None:
    lines = (fixtures / PLAIN).read_text().splitlines()
    lines[1] = lines[1].replace("1001,1,0,0,0,1", "1001,1,0,0,0,yes")
    lines[2] = lines[2].replace("1002,", ",")
    path = _copy_to(tmp_path / "form1" / (fixtures / PLAIN).name, "\n".join(lines) + "\n")
    records, problems = parse("touchpoints", path)
    assert len(records) == 18
    assert [(p.line, p.reason) for p in problems] == [
        (2, "positive_transparency is 'yes'; expected 1, 0 or null"),
        (3, "external_id is empty"),
    ]
    # A plain export's rows are dated by its file name: a bad row is filed under that day.
    assert [p.day for p in problems] == [dt.date(2024, 5, 1)] * 2


def test_missing_a11_columns_are_named(file_problem: Problem, fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / PLAIN).read_text().replace(",negative_other,question_4", "")
    problem = file_problem("touchpoints", _copy_to(tmp_path / "form1" / "export-2024-05-01_120000.csv", text))
    assert "lacks required column(s) negative_other, question_4" in problem.problem
    assert "A-11 v2 CSV export" in problem.fix


def test_combined_layout_without_created_at_is_a_file_problem(
    file_problem: Problem, fixtures: Path, tmp_path: Path
) -> None:
    text = (fixtures / COMBINED).read_text().replace("Created at,", "Created,", 1)
    problem = file_problem("touchpoints", _copy_to(tmp_path / "form1" / "export.csv", text))
    assert "lacks required column(s) Created at" in problem.problem


def test_plain_layout_needs_a_timestamped_file_name(
    file_problem: Problem, fixtures: Path, tmp_path: Path
) -> None:
    problem = file_problem(
        "touchpoints", _copy_to(tmp_path / "form1" / "responses.csv", (fixtures / PLAIN).read_text())
    )
    assert "file name has no export time" in problem.problem
    assert "touchpoints-a11-v2-form-responses-2024-05-01_120000.csv" in problem.fix


def test_empty_and_wrong_format_files_are_file_problems(
    file_problem: Problem, fixtures: Path, tmp_path: Path
) -> None:
    assert "empty" in file_problem("touchpoints", _copy_to(tmp_path / "f" / "a.csv", "")).problem
    survey = (fixtures / "resident_survey_csv/resident_survey_2024.csv").read_text(encoding="utf-8-sig")
    problem = file_problem("touchpoints", _copy_to(tmp_path / "f" / "b.csv", survey))
    assert "lacks required column(s) external_id, question_1" in problem.problem
