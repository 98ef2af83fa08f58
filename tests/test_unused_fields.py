"""Nothing dropped silently: export fields no landing column takes are recorded in ops.unused_fields
(one row per source, file and field, replaced by a rerun), printed in the extract and load summaries,
listed by `civicpulse status` and published; each connector that can meet them reports them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
import yaml

from civicpulse import pipeline
from civicpulse.config import Config, load_config
from civicpulse.extract import extract_source
from civicpulse.loader import LoadResult
from civicpulse.paths import DEFAULT_CONFIG
from civicpulse.sources import ParseContext, Record, load_connector
from civicpulse.status import render_status
from civicpulse.unused_fields import collecting
from civicpulse.warehouse.connection import published_path, writer
from civicpulse.warehouse.publish import publish
from connectors.ga4 import Options as Ga4Options
from connectors.qualtrics import Options as QualtricsOptions
from tests.conftest import write_project_config

DAY = dt.date(2024, 5, 6)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KEY = "unused-fields-test-key-0123456789abcdef"
HEADER = (
    "call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    "caller_number,agent_id,notes,supervisor,blank\n"
)


def _call(call_id: str, supervisor: str) -> str:
    return f"{call_id},2024-05-06 08:00:00,PERMITS,10,20,resolved,Y,N,+1-217-555-0100,A1,ok,{supervisor},\n"


def _ga4_report(day: str) -> dict[str, object]:
    """A page report with the plain keyEvents metric, which no default completion option counts."""
    return {
        "dimensionHeaders": [{"name": "date"}, {"name": "pagePath"}],
        "metricHeaders": [{"name": n} for n in ("sessions", "activeUsers", "screenPageViews", "keyEvents")],
        "rows": [
            {
                "dimensionValues": [{"value": day}, {"value": path}],
                "metricValues": [{"value": v} for v in ("10", "9", "20", "3.0")],
            }
            for path in ("/permits/apply", "/utilities/pay")
        ],
        "kind": "analyticsData#runReport",
    }


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", KEY)
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    sources = [s for s in settings["sources"] if s["name"] in {"contact_center", "city_website"}]
    paths = dict(settings["paths"], pseudonym_key_file=None)
    config = load_config(write_project_config(tmp_path, sources=sources, paths=paths))
    for source in config.sources:
        config.inbox(source).mkdir(parents=True)
    calls = HEADER + _call("C-1", "Dana") + _call("C-2", "") + _call("C-3", "Lee")
    (config.inbox(config.source("contact_center")) / "calls.csv").write_text(calls, encoding="utf-8")
    report = json.dumps(_ga4_report("20240506"))
    (
        config.inbox(config.source("city_website")) / "ga4_pages_20240506-20240507_offset000000.json"
    ).write_text(report, encoding="utf-8")
    return config


def _rows(config: Config, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _run(config: Config, start: dt.date, end: dt.date) -> tuple[list[str], list[LoadResult]]:
    summaries = [str(extract_source(config, s.name, start, end)) for s in config.sources]
    return summaries, pipeline.load(config, start, end, [s.name for s in config.sources])


def test_unused_fields_are_recorded_once_per_file_and_reported(config: Config) -> None:
    summaries, results = _run(config, DAY, DAY + dt.timedelta(days=2))
    calls_summary = next(s for s in summaries if s.startswith("contact_center"))
    assert "1 export field(s) not loaded (ops.unused_fields)" in calls_summary
    assert (
        "supervisor (1 file(s), 2 row(s), e.g. " in calls_summary
        and "calls.csv): not loaded" in calls_summary
    )
    assert "blank" not in calls_summary  # an empty column drops nothing
    loaded = sorted((r.source, f.field, f.rows) for r in results for f in r.unused_fields)
    assert loaded == [("city_website", "keyEvents", 2), ("contact_center", "supervisor", 2)]
    query = (
        "select source, regexp_extract(record_file, '[^/]+$'), field, rows_with_field, reason, "
        "first_seen_at, last_seen_at from ops.unused_fields order by source"
    )
    first = _rows(config, query)
    assert [row[:4] for row in first] == [
        ("city_website", "ga4_pages_20240506-20240507_offset000000.json", "keyEvents", 2),
        ("contact_center", "calls.csv", "supervisor", 2),
    ]
    assert "parse.form_submits" in str(first[0][4]) and "parse.columns" in str(first[1][4])

    # A rerun replaces the rows (first seen kept); rerunning a later day alone leaves them alone.
    _run(config, DAY, DAY + dt.timedelta(days=2))
    _run(config, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2))
    again = _rows(config, query)
    assert [row[:6] for row in again] == [row[:6] for row in first]
    assert all(str(new[6]) >= str(old[6]) for new, old in zip(again, first, strict=True))

    with writer(config) as con:
        status = render_status(con)
        publish(config, con)
    assert "UNUSED contact_center: supervisor in 1 file(s), 2 row(s)" in status
    assert "UNUSED city_website: keyEvents in 1 file(s), 2 row(s)" in status
    with duckdb.connect(str(published_path(config)), read_only=True) as con:
        published = con.execute("select source, field from ops.unused_fields order by 1").fetchall()
    assert published == [("city_website", "keyEvents"), ("contact_center", "supervisor")]


def test_a_field_used_after_a_config_change_leaves_ops(config: Config) -> None:
    _run(config, DAY, DAY + dt.timedelta(days=1))
    calls = HEADER.replace(",supervisor,blank", ",blank,blank2") + "C-1,2024-05-06 08:00:00,PERMITS,10,20,"
    calls += "resolved,Y,N,+1-217-555-0100,A1,ok,,\n"
    (config.inbox(config.source("contact_center")) / "calls.csv").write_text(calls, encoding="utf-8")
    _run(config, DAY, DAY + dt.timedelta(days=1))
    assert _rows(config, "select source, field from ops.unused_fields") == [("city_website", "keyEvents")]


def test_ga4_events_no_completion_counts_are_reported(tmp_path: Path) -> None:
    report = {
        "dimensionHeaders": [{"name": n} for n in ("date", "pagePath", "eventName")],
        "metricHeaders": [{"name": n} for n in ("eventCount", "sessions", "activeUsers")],
        "rows": [
            {
                "dimensionValues": [{"value": "20240506"}, {"value": "/permits"}, {"value": event}],
                "metricValues": [{"value": v} for v in ("5", "4", "4")],
            }
            for event in ("page_view", "form_submit", "scroll", "file_download", "scroll")
        ],
    }
    path = tmp_path / "ga4_pages_20240506-20240506_offset000000.json"
    path.write_text(json.dumps(report))
    options = Ga4Options(form_submits=("eventCount:form_submit",))
    with collecting() as unused:
        list(load_connector("ga4").parse_file(path, ParseContext(source="web", options=options)))
    assert sorted((f.field, f.rows) for f in unused) == [
        ("eventCount:file_download", 1),
        ("eventCount:scroll", 2),
    ]


@pytest.mark.parametrize(
    ("connector", "fixture", "expected"),
    [
        (
            "linkedin",
            "linkedin/messages.csv",
            [("FOLDER", 7), ("RECIPIENT PROFILE URLS", 7), ("SUBJECT", 1), ("TO", 7)],
        ),
        ("resident_survey_csv", "resident_survey_csv/resident_survey_2024.csv", [("language", 7)]),
        ("contact_center_csv", "contact_center_csv/calls_2024-05-06.csv", []),
        (
            "qualtrics",
            "qualtrics/SV_0fileRiverton/Riverton service feedback_May 7, 2024_10.15.csv",
            [
                ("DistributionChannel", 2),
                ("Duration (in seconds)", 2),
                ("EndDate", 2),
                ("IPAddress", 2),
                ("Progress", 2),
                ("StartDate", 2),
                ("UserLanguage", 2),
            ],
        ),
        (
            "touchpoints",
            "touchpoints/cx1234ab/touchpoints-a11-v2-form-responses-2024-05-08_101500.csv",
            [
                ("Additional Comments", 4),
                ("Archived", 5),
                (
                    "Based on my experience with Springfield Utility Billing, I trust the City of "
                    "Springfield to deliver on its mission.",
                    5,
                ),
                ("Hostname", 5),
                ("Referrer", 5),
                ("Status", 5),
                ("UUID", 5),
                ("User Agent", 5),
                ("What didn't go so well?", 2),
                ("What went well?", 3),
            ],
        ),
    ],
)
def test_every_csv_connector_reports_the_columns_it_does_not_read(
    connector: str, fixture: str, expected: list[tuple[str, int]]
) -> None:
    with collecting() as unused:
        list(load_connector(connector).parse_file(FIXTURES / fixture, ParseContext(source="s")))
    assert sorted((f.field, f.rows) for f in unused) == expected
    assert all(f.file == str(FIXTURES / fixture) for f in unused)


def test_the_cli_load_summary_names_the_unused_fields(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    from civicpulse.cli import main

    for source in config.sources:
        extract_source(config, source.name, DAY, DAY + dt.timedelta(days=1))
    interval = ["--start", DAY.isoformat(), "--end", (DAY + dt.timedelta(days=1)).isoformat()]
    assert main(["--config", str(config.path), "--quiet", "load", *interval]) == 0
    out = capsys.readouterr().out
    assert "2 export field(s) not loaded (ops.unused_fields, civicpulse status):" in out
    assert "\n  - city_website: keyEvents (1 file(s), 2 row(s), e.g. " in out
    assert "\n  - contact_center: supervisor (1 file(s), 2 row(s), e.g. " in out


def test_qualtrics_file_mode_reads_the_questions_parse_columns_names() -> None:
    """The export's own tags (Q1..Q4) are unused fields until `parse.columns` names them, as `api:` does."""
    path = FIXTURES / "qualtrics" / "SV_3kR9riverton311" / "Riverton service feedback.csv"
    connector = load_connector("qualtrics")
    with collecting() as before:
        plain = [r for r in connector.parse_file(path, ParseContext(source="s")) if isinstance(r, Record)]
    assert {"Q1", "Q2", "Q3", "Q4"} <= {f.field for f in before}
    assert {r.values["satisfaction_score"] for r in plain} == {None}
    columns = {"satisfaction": "Q1", "trust": "QID2", "ease": "Q3", "comment": "QID4_TEXT"}
    options = QualtricsOptions.model_validate({"columns": columns})
    with collecting() as after:
        mapped = [
            r
            for r in connector.parse_file(path, ParseContext(source="s", options=options))
            if isinstance(r, Record)
        ]
    assert not {"Q1", "Q2", "Q3", "Q4"} & {f.field for f in after}
    scores = sorted(
        (r.values["response_id"], r.values["satisfaction_score"], r.values["trust_score"]) for r in mapped
    )
    assert scores[0] == ("R_1a2B3c4D5e6F7g8", 5, 4)
    assert mapped[0].values["comment"] == "Renewed my permit online in five minutes."
