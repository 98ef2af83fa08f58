from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from civicpulse.sources import FileProblem, Record, RowProblem

ISO = "or ISO 8601 with its UTC offset like 2024-01-31T14:05:09-05:00"

Parse = Callable[..., tuple[list[Record], list[RowProblem]]]
Problem = Callable[..., FileProblem]
CALLS = "contact_center_csv/calls_2024-05-06.csv"
CHICAGO = "America/Chicago"
HEADER = (
    b"call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    b"caller_number,agent_id,notes\n"
)
ROW = b"C-1,2024-05-06 08:00:00,permits,10,20,resolved,Y,N,+1-217-555-0100,A1,"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_daily_export_with_bom_and_multiline_notes(parse: Parse, fixtures: Path) -> None:
    records, _ = parse("contact_center_csv", fixtures / CALLS, CHICAGO)
    assert [r.line for r in records] == [2, 4, 7, 9]
    first = records[0].values
    assert first["call_id"] == "C-20240506-0001"
    assert first["started_at"] == dt.datetime(2024, 5, 6, 13, 2, 17, tzinfo=dt.UTC)
    assert (
        first["queue"] == "utility_billing"
        and first["wait_seconds"] == 312
        and first["handle_seconds"] == 486
    )
    assert first["is_resolved"] is True and first["is_repeat_contact"] is False
    assert first["caller_id"] == "+1-217-555-0143" and first["agent_id"] == "A102"
    assert first["notes"].endswith("put the bill on hold.\nShe was upset about the 25 minute wait.")
    assert '"under review"' in records[1].values["notes"]
    abandoned = records[2].values
    assert abandoned["wait_seconds"] is None and abandoned["notes"] is None and abandoned["agent_id"] is None
    assert records[3].values["started_at"] == dt.datetime(2024, 5, 7, 4, 48, 9, tzinfo=dt.UTC)


def test_bad_rows_name_their_line_and_reason(parse: Parse, fixtures: Path) -> None:
    _, problems = parse("contact_center_csv", fixtures / CALLS, CHICAGO)
    assert [(p.line, p.reason) for p in problems] == [
        (5, "start_time is '2024-05-06 25:61:00'; expected the form 2024-01-31 14:05:09 " + ISO),
        (6, "call_id is empty"),
        (8, "resolved is 'Yes'; expected Y or N"),
    ]
    assert problems[1].raw.startswith(",2024-05-06 09:12:03,driver_licensing,")


def test_missing_column_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    path = _write(tmp_path / "calls.csv", HEADER.replace(b"queue,", b"") + b"C-1\n")
    problem = file_problem("contact_center_csv", path)
    assert "lacks required column(s) queue" in problem.problem and "call_id,start_time,queue" in problem.fix
    assert str(problem).startswith(f"{path}:1: ")


def test_empty_and_bom_only_files_are_file_problems(file_problem: Problem, tmp_path: Path) -> None:
    assert "empty" in file_problem("contact_center_csv", _write(tmp_path / "a.csv", b"")).problem
    assert (
        "empty" in file_problem("contact_center_csv", _write(tmp_path / "b.csv", b"\xef\xbb\xbf\r\n")).problem
    )


def test_header_only_file_has_no_rows(parse: Parse, tmp_path: Path) -> None:
    assert parse("contact_center_csv", _write(tmp_path / "calls.csv", HEADER)) == ([], [])


def test_blank_lines_and_rows_of_empty_fields_are_not_rows(parse: Parse, tmp_path: Path) -> None:
    data = HEADER + ROW + b"ok\n\n" + b"," * 10 + b"\n" + ROW + b"ok\n"
    records, problems = parse("contact_center_csv", _write(tmp_path / "calls.csv", data))
    assert [r.line for r in records] == [2, 5] and problems == []


def test_file_cut_inside_a_quoted_note_is_truncated(file_problem: Problem, tmp_path: Path) -> None:
    path = _write(tmp_path / "calls.csv", HEADER + ROW + b"done\n" + ROW + b'"first line\nsecond li')
    problem = file_problem("contact_center_csv", path)
    assert problem.problem == "the file ends inside a quoted field that starts at line 3"
    assert problem.line == 3 and "copy or download" in problem.fix


def test_file_cut_mid_row_is_truncated(file_problem: Problem, tmp_path: Path) -> None:
    path = _write(tmp_path / "calls.csv", HEADER + ROW + b"done\nC-2,2024-05-06 08:05:00,perm")
    problem = file_problem("contact_center_csv", path)
    assert "last row has 3 of 11 fields" in problem.problem and problem.line == 3


def test_undecodable_row_is_a_row_problem_in_a_utf8_file(parse: Parse, tmp_path: Path) -> None:
    data = HEADER + ROW + "Se\u00f1ora Pe\u00f1a\n".encode() + ROW + b"Caf\xe9 owner\n" + ROW + b"ok\n"
    records, problems = parse("contact_center_csv", _write(tmp_path / "calls.csv", data))
    assert [r.line for r in records] == [2, 4]
    assert [p.line for p in problems] == [3]
    assert "not valid UTF-8" in problems[0].reason and "CSV UTF-8" in problems[0].reason
    assert problems[0].raw.endswith("Caf\ufffd owner")


def test_latin1_file_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    path = _write(tmp_path / "calls.csv", HEADER + ROW + "Se\u00f1ora Pe\u00f1a\n".encode("latin-1"))
    problem = file_problem("contact_center_csv", path)
    assert "not UTF-8" in problem.problem and problem.line == 2 and "UTF-8" in problem.fix


def test_utf16_file_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    path = _write(tmp_path / "calls.csv", (HEADER + ROW + b"ok\n").decode().encode("utf-16"))
    assert "UTF-16" in file_problem("contact_center_csv", path).problem


def test_rows_with_broken_quoting_or_field_count_are_row_problems(parse: Parse, tmp_path: Path) -> None:
    data = HEADER + ROW + b'"said "no" twice"\n' + ROW + b"one,extra\n" + ROW + b"fine\n"
    records, problems = parse("contact_center_csv", _write(tmp_path / "calls.csv", data))
    assert [r.line for r in records] == [4]
    assert [p.line for p in problems] == [2, 3]
    assert "not valid CSV" in problems[0].reason
    assert "12 fields but the header has 11" in problems[1].reason
