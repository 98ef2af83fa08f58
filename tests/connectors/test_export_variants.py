"""Real variants of the CSV and JSON exports: column mappings, UTC offsets, combined Touchpoints
exports of several forms, X pages without entities."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError

from civicpulse.sources import FileProblem, ParseContext, Record, RowProblem, load_connector
from connectors.contact_center_csv import Options as CallOptions
from connectors.resident_survey_csv import Options as SurveyOptions
from connectors.touchpoints import Options as TouchpointsOptions

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COMBINED = FIXTURES / "touchpoints/cx1234ab/touchpoints-a11-v2-form-responses-2024-05-08_101500.csv"
X_PAGE = FIXTURES / "x/x_recent_search_20240506_page01.json"
EST = dt.timezone(dt.timedelta(hours=-5))


def _parse(
    connector: str, path: Path, options: BaseModel | None = None, timezone: str = "America/Chicago"
) -> tuple[list[Record], list[RowProblem]]:
    context = ParseContext(source=connector, timezone=ZoneInfo(timezone), options=options)
    rows = list(load_connector(connector).parse_file(path, context))
    return [r for r in rows if isinstance(r, Record)], [r for r in rows if isinstance(r, RowProblem)]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


CALLS_HEADER = (
    "call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    "caller_number,agent_id,notes\n"
)


def test_call_times_with_utc_offsets_load_exactly_with_the_default_format(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "calls_2026-03-01.csv",
        CALLS_HEADER
        + "C-1,2026-03-01T08:02:18-05:00,dmv,1,2,resolved,Y,N,,,\n"
        + "C-2,2026-03-01 13:02:18Z,dmv,1,2,resolved,Y,N,,,\n"
        + "C-3,2026-03-01 07:02:18,dmv,1,2,resolved,Y,N,,,\n"
        + "C-4,03/01/2026 8:02,dmv,1,2,resolved,Y,N,,,\n",
    )
    records, problems = _parse("contact_center_csv", path)
    utc = dt.datetime(2026, 3, 1, 13, 2, 18, tzinfo=dt.UTC)
    # C-3 is local (Chicago, UTC-6 in March before summer time): the same instant as the other two.
    assert [r.values["started_at"] for r in records] == [utc, utc, utc]
    assert [(p.line, p.reason) for p in problems] == [
        (
            5,
            "start_time is '03/01/2026 8:02'; expected the form 2024-01-31 14:05:09 "
            "or ISO 8601 with its UTC offset like 2024-01-31T14:05:09-05:00",
        )
    ]


def test_a_time_format_with_an_offset_is_accepted(tmp_path: Path) -> None:
    options = CallOptions(time_format="%d/%m/%Y %H:%M:%S %z")
    path = _write(tmp_path / "calls.csv", CALLS_HEADER + "C-1,01/03/2026 08:02:18 -0500,dmv,1,2,x,Y,N,,,\n")
    records, problems = _parse("contact_center_csv", path, options)
    assert problems == []
    assert records[0].values["started_at"] == dt.datetime(2026, 3, 1, 8, 2, 18, tzinfo=EST)


def test_a_time_format_without_a_date_names_the_accepted_forms() -> None:
    with pytest.raises(ValidationError) as caught:
        CallOptions(time_format="%H:%M %z")
    assert "'%Y-%m-%dT%H:%M:%S%z'" in str(caught.value)
    assert "ISO 8601 times with a UTC offset are read whatever the format" in str(caught.value)


SURVEY_VARIANT = (
    "Respondent,Date Completed,Service,Overall satisfaction,Trust the city,Ease,Comments\n"
    "R-1,2024-05-06,Building permits,2,1,2,Took six weeks for a deck permit.\n"
    "R-2,05/07/2024,,5,,4,\n"
    "R-3,,Parks,3,3,3,\n"
)
SURVEY_COLUMNS = {
    "respondent_id": "Respondent",
    "response_date": "Date Completed",
    "service_used": "Service",
    "satisfaction": "Overall satisfaction",
    "trust": "Trust the city",
    "ease": "Ease",
    "comment": "Comments",
}


def test_resident_survey_with_other_headers_loads_through_parse_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "survey.csv", SURVEY_VARIANT)
    options = SurveyOptions.model_validate({"columns": SURVEY_COLUMNS})
    records, problems = _parse("resident_survey_csv", path, options)
    first, second = (r.values for r in records)
    assert first["response_id"] == "R-1" and first["service_hint"] == "Building permits"
    assert first["submitted_at"] == dt.datetime(2024, 5, 6, 17, tzinfo=dt.UTC)  # noon in Chicago
    assert (first["satisfaction_score"], first["trust_score"], first["ease_score"]) == (2, 1, 2)
    assert first["comment"] == "Took six weeks for a deck permit."
    assert second["service_hint"] is None and second["trust_score"] is None
    assert [(p.line, p.reason) for p in problems] == [(4, "Date Completed is empty")]


def test_resident_survey_without_a_column_maps_it_to_null(tmp_path: Path) -> None:
    text = "id,date,satisfaction\nR-1,2024-05-06,4\n"
    path = _write(tmp_path / "survey.csv", text)
    columns = {"respondent_id": "id", "response_date": "date", "service_used": None}
    columns |= {"trust": None, "ease": None, "comment": None}
    records, problems = _parse(
        "resident_survey_csv", path, SurveyOptions.model_validate({"columns": columns})
    )
    assert problems == [] and records[0].values["satisfaction_score"] == 4
    assert records[0].values["trust_score"] is None and records[0].values["comment"] is None


def test_resident_survey_missing_a_mapped_column_names_it_and_the_option(tmp_path: Path) -> None:
    path = _write(tmp_path / "survey.csv", SURVEY_VARIANT.replace("Date Completed", "Completed"))
    with pytest.raises(FileProblem) as caught:
        _parse("resident_survey_csv", path, SurveyOptions.model_validate({"columns": SURVEY_COLUMNS}))
    assert "lacks required column(s) Date Completed" in caught.value.problem
    assert "parse.columns" in caught.value.fix


def test_survey_columns_mapped_twice_are_refused() -> None:
    with pytest.raises(ValidationError, match="'Date' is mapped to both respondent_id and response_date"):
        SurveyOptions.model_validate({"columns": {"respondent_id": "Date", "response_date": "Date"}})


def _combined_of_several_forms(tmp_path: Path) -> Path:
    """The fixture's combined export as a weekly file of several forms, each row's form in Location Code."""
    with COMBINED.open(encoding="utf-8", newline="") as export:
        rows = list(csv.reader(export))
    column = rows[0].index("Location Code")
    for row, code in zip(rows[1:], ["UB-PAY", "UB-WEB", "UB-WEB", "UB-RATES", ""], strict=True):
        row[column] = code
    path = tmp_path / "touchpoints" / "weekly.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def test_combined_export_of_several_forms_maps_forms_by_location_code(tmp_path: Path) -> None:
    records, problems = _parse(
        "touchpoints", _combined_of_several_forms(tmp_path), TouchpointsOptions(form_column="Location Code")
    )
    assert [(r.values["response_id"], r.values["form_id"]) for r in records] == [
        ("48211", "UB-PAY"),
        ("48212", "UB-WEB"),
    ]
    assert [p.line for p in problems] == [6, 7, 8]  # flagged, a broken time, and no Location Code
    assert problems[-1].reason == (
        "Location Code is empty, and it names the row's form (parse.form_column); "
        "set Location Code on the form in Touchpoints"
    )


def test_combined_export_maps_forms_by_page(tmp_path: Path) -> None:
    path = _write(tmp_path / "touchpoints" / "weekly.csv", COMBINED.read_text(encoding="utf-8"))
    records, _ = _parse("touchpoints", path, TouchpointsOptions(form_column="Page"))
    assert [r.values["form_id"] for r in records] == ["/utilities/pay-my-bill"] * 2


def test_a_form_column_the_export_lacks_is_a_file_problem(tmp_path: Path) -> None:
    path = _write(tmp_path / "touchpoints" / "weekly.csv", COMBINED.read_text(encoding="utf-8"))
    with pytest.raises(FileProblem) as caught:
        _parse("touchpoints", path, TouchpointsOptions(form_column="Form"))
    assert "lacks required column(s) Form" in caught.value.problem and "parse.form_column" in caught.value.fix


def test_combined_export_with_renamed_columns_and_offset_times(tmp_path: Path) -> None:
    text = COMBINED.read_text(encoding="utf-8").replace("ID,UUID,", "Submission ID,UUID,", 1)
    text = text.replace("2024-05-06 14:22:05 UTC", "2024-05-06T09:22:05-05:00")
    path = _write(tmp_path / "cx1234ab" / "export.csv", text)
    columns = {"id": "Submission ID"}
    records, _ = _parse("touchpoints", path, TouchpointsOptions.model_validate({"columns": columns}))
    assert records[0].values["response_id"] == "48211"
    assert records[0].values["submitted_at"] == dt.datetime(2024, 5, 6, 14, 22, 5, tzinfo=dt.UTC)


def _x_page_without_entities(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    page = json.loads(X_PAGE.read_text())
    for tweet in page["data"]:
        tweet.pop("entities", None)
    return _write(tmp_path / "x.json", json.dumps(page)), json.loads(X_PAGE.read_text())


def test_x_hashtags_come_from_the_text_when_entities_are_absent(tmp_path: Path) -> None:
    path, original = _x_page_without_entities(tmp_path)
    records, problems = _parse("x", path)
    with_entities, _ = _parse("x", X_PAGE)
    assert problems == [] and len(records) == len(original["data"])
    assert [r.values["hashtags"] for r in records] == [r.values["hashtags"] for r in with_entities]
    assert records[0].values["hashtags"] == ["waterbill", "springfield"]


def test_x_hashtag_rules_of_the_text(tmp_path: Path) -> None:
    page = json.loads(X_PAGE.read_text())
    tweet = page["data"][0]
    tweet.pop("entities")
    tweet["text"] = "AT&T#1 #1 https://example.gov/a#top #Día_de_pago x#no ＃Trash #Trash"
    page["data"] = [tweet]
    records, _ = _parse("x", _write(tmp_path / "x.json", json.dumps(page)))
    assert records[0].values["hashtags"] == ["día_de_pago", "trash"]
