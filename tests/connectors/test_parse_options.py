"""Per-source `parse:` options: validated at config load, passed to the parser, defaults unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from civicpulse.config import Config, ConfigError, load_config
from civicpulse.extract import extract_source
from civicpulse.landing import QUARANTINE, day_folder
from civicpulse.paths import DEFAULT_CONFIG
from civicpulse.sources import FileProblem, ParseContext, load_connector, options_of
from connectors.contact_center_csv import Options as CallOptions
from connectors.contact_center_csv.settings import HEADER
from connectors.resident_survey_csv import Options as SurveyOptions
from tests.conftest import write_project_config

ISO = "or ISO 8601 with its UTC offset like 2024-01-31T14:05:09-05:00"

DAY = dt.date(2024, 5, 6)
NEXT = DAY + dt.timedelta(days=1)
CALLS, SURVEY = 3, 5  # the sources' positions in the project's civicpulse.yml

VENDOR_CALLS = {
    "columns": {
        "call_id": "Contact ID",
        "start_time": "Start",
        "queue": "Queue Name",
        "wait_seconds": "Wait (s)",
        "handle_seconds": "Handle (s)",
        "disposition": "Outcome",
        "resolved": "Resolved?",
        "repeat_contact": "Repeat Caller",
        "caller_number": "ANI",
        "agent_id": None,
        "notes": "Agent Notes",
    },
    "time_format": "%m/%d/%Y %I:%M %p",
    "true_values": ["Yes", "True"],
    "false_values": ["No", "False"],
}
VENDOR_CALLS_CSV = (
    "\ufeffContact ID,Start,Queue Name,Wait (s),Handle (s),Outcome,Resolved?,Repeat Caller,ANI,"
    "Agent Notes,Channel\r\n"
    'GC-1,05/06/2024 08:02 AM,PERMITS,12,300,resolved,Yes,No,+1-217-555-0100,"Asked about a deck permit,\r\n'
    'then the fee",Voice\r\n'
    "GC-2,05/06/2024 01:45 PM,DMV,,,abandoned,no,TRUE,,,Voice\r\n"
    "GC-3,2024-05-06 09:00:00,DMV,1,2,resolved,Yes,No,,,Voice\r\n"
    "GC-4,05/06/2024 02:00 PM,DMV,1,2,resolved,Maybe,No,,,Voice\r\n"
)
LIKERT = {"Very satisfied": 5, "Satisfied": 4, "Neutral": 3, "Dissatisfied": 2, "Very dissatisfied": 1}
LABELLED_SURVEY_CSV = (
    "respondent_id,response_date,service_used,satisfaction,trust,ease,comment,language\n"
    "R-1,05/06/2024,Parks and recreation,Very satisfied,Satisfied,5,Lovely pool,EN\n"
    "R-2,05/06/2024,Parks and recreation,  very  SATISFIED ,Neutral,,,ES\n"
    "R-3,05/06/2024,Parks and recreation,Somewhat satisfied,4,4,,EN\n"
    "R-4,05/06/2024,Parks and recreation,7,4,4,,EN\n"
)


def _config(tmp_path: Path, **parse: dict[str, Any]) -> Config:
    """The project's config with only the two CSV sources, each with the given `parse:` section."""
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    sources = [s for s in settings["sources"] if s["name"] in parse]
    for source in sources:
        source["parse"] = parse[source["name"]]
    config = load_config(write_project_config(tmp_path, sources=sources))
    for source in config.sources:
        config.inbox(source).mkdir(parents=True)
    return config


def _land(config: Config, source: str, name: str, text: str, stream: str) -> tuple[list[Any], list[Any]]:
    (config.inbox(config.source(source)) / name).write_text(text, encoding="utf-8", newline="")
    extract_source(config, source, DAY, NEXT)
    folder = day_folder(config.landing_path, source, DAY)
    records = pq.read_table(folder / f"{stream}.parquet").to_pylist()
    problems = pq.read_table(folder / f"{QUARANTINE}.parquet").to_pylist()
    return records, problems


def _broken(tmp_path: Path, index: int, parse: object) -> str:
    path = write_project_config(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["sources"][index]["parse"] = parse
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid configuration")
    return message


def test_unknown_parse_keys_are_named(tmp_path: Path) -> None:
    message = _broken(tmp_path, CALLS, {"colums": {"call_id": "ID"}})
    assert "sources.3.parse.colums: unknown key" in message
    message = _broken(tmp_path, CALLS, {"columns": {"call_idd": "ID"}})
    assert "sources.3.parse.columns.call_idd: unknown key" in message
    assert "sources.5.parse.likerts: unknown key" in _broken(tmp_path, SURVEY, {"likerts": {}})


def test_wrong_parse_types_and_values_are_named(tmp_path: Path) -> None:
    assert "sources.3.parse.columns.call_id:" in _broken(tmp_path, CALLS, {"columns": {"call_id": 5}})
    assert "sources.3.parse.columns.call_id:" in _broken(tmp_path, CALLS, {"columns": {"call_id": None}})
    assert "sources.3.parse.true_values:" in _broken(tmp_path, CALLS, {"true_values": "Yes"})
    message = _broken(tmp_path, CALLS, {"time_format": "%H:%M"})
    assert "sources.3.parse.time_format:" in message and "full date" in message
    message = _broken(tmp_path, CALLS, {"columns": {"call_id": "ID", "agent_id": "ID"}})
    assert "sources.3.parse.columns:" in message and "'ID' is mapped to both call_id and agent_id" in message
    message = _broken(tmp_path, CALLS, {"true_values": ["Yes"], "false_values": ["YES"]})
    assert "in both true_values and false_values" in message
    message = _broken(tmp_path, SURVEY, {"likert": {"Very satisfied": 6}})
    assert "sources.5.parse.likert.Very satisfied:" in message and "less than or equal to 5" in message
    assert "sources.5.parse.likert.Good:" in _broken(tmp_path, SURVEY, {"likert": {"Good": "five"}})
    assert "sources.5.parse.likert.Good:" in _broken(tmp_path, SURVEY, {"likert": {"Good": True}})
    assert "is a number" in _broken(tmp_path, SURVEY, {"likert": {"3": 3}})
    assert "is a number" in _broken(tmp_path, SURVEY, {"likert": {" 4.0": 4}})
    assert "listed twice" in _broken(tmp_path, SURVEY, {"likert": {"Good": 4, "good ": 4}})
    assert "sources.5.parse:" in _broken(tmp_path, SURVEY, ["likert"])


def test_parse_section_for_a_connector_without_options_fails(tmp_path: Path) -> None:
    message = _broken(tmp_path, 1, {"columns": {}})
    assert "sources.1.parse: connector 'x' takes no parse options; remove the parse: section" in message


def test_defaults_are_the_standard_layout(tmp_path: Path) -> None:
    config = load_config(write_project_config(tmp_path))
    assert all(config.parse_options(source) is None for source in config.sources)
    assert CallOptions().columns.header() == HEADER
    assert CallOptions().flag_meanings() == {"Y": True, "N": False}
    assert options_of(ParseContext(source="s"), SurveyOptions).scores() == {}
    with pytest.raises(TypeError, match="not Options"):
        options_of(ParseContext(source="s", options=SurveyOptions()), CallOptions)


def test_vendor_call_export_loads_through_a_column_mapping(tmp_path: Path) -> None:
    config = _config(tmp_path, contact_center=VENDOR_CALLS)
    records, problems = _land(config, "contact_center", "calls.csv", VENDOR_CALLS_CSV, "contact_call")
    first, second = records
    assert first["call_id"] == "GC-1" and first["started_at"] == dt.datetime(2024, 5, 6, 13, 2, tzinfo=dt.UTC)
    assert (first["queue"], first["wait_seconds"], first["handle_seconds"]) == ("PERMITS", 12, 300)
    assert first["is_resolved"] is True and first["is_repeat_contact"] is False
    assert first["notes"] == "Asked about a deck permit,\nthen the fee" and first["agent_id"] is None
    assert first["record_line"] == 2
    assert second["started_at"] == dt.datetime(2024, 5, 6, 18, 45, tzinfo=dt.UTC)
    assert second["is_resolved"] is False and second["is_repeat_contact"] is True
    assert second["wait_seconds"] is None and second["caller_id"] is None
    assert [(p["record_line"], p["reason"]) for p in problems] == [
        (5, "Start is '2024-05-06 09:00:00'; expected the form 01/31/2024 02:05 PM " + ISO),
        (6, "Resolved? is 'Maybe'; expected YES or TRUE or NO or FALSE"),
    ]


def test_a_mapped_column_missing_from_the_export_is_a_file_problem(tmp_path: Path) -> None:
    config = _config(tmp_path, contact_center=VENDOR_CALLS)
    standard = ",".join(HEADER) + "\nC-1,2024-05-06 08:00:00,P,1,2,x,Y,N,,A1,\n"
    (config.inbox(config.source("contact_center")) / "calls.csv").write_text(standard)
    with pytest.raises(FileProblem) as caught:
        extract_source(config, "contact_center", DAY, NEXT)
    assert "lacks required column(s) Contact ID, Start, Queue Name" in caught.value.problem
    assert "Fix: export the call report with the header Contact ID,Start,Queue Name" in str(caught.value)


def test_labelled_survey_export_loads_through_a_likert_mapping(tmp_path: Path) -> None:
    config = _config(tmp_path, resident_survey={"likert": LIKERT})
    records, problems = _land(config, "resident_survey", "survey.csv", LABELLED_SURVEY_CSV, "survey_response")
    scores = [(r["response_id"], r["satisfaction_score"], r["trust_score"], r["ease_score"]) for r in records]
    assert scores == [("R-1", 5, 4, 5), ("R-2", 5, 3, None)]
    assert [(p["record_line"], p["reason"]) for p in problems] == [
        (
            4,
            "satisfaction is 'Somewhat satisfied', a label missing from parse.likert of source "
            "'resident_survey' in civicpulse.yml; add it there with its score 1-5, e.g. "
            '"Somewhat satisfied": 3',
        ),
        (5, "satisfaction is '7'; expected a whole number from 1 to 5, or empty if skipped"),
    ]


def test_labels_without_a_likert_mapping_keep_todays_reason(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(LABELLED_SURVEY_CSV)
    rows = list(load_connector("resident_survey_csv").parse_file(path, ParseContext(source="s")))
    assert [getattr(row, "reason", None) for row in rows][:1] == [
        "satisfaction is 'Very satisfied'; expected a whole number from 1 to 5, or empty if skipped"
    ]
