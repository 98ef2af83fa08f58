"""Great Expectations suites on landing and on every warehouse layer: results, errors, Data Docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from civicpulse import pipeline
from civicpulse.config import Config
from civicpulse.landing import Manifest, complete_days, day_folder, write_day
from civicpulse.quality import (
    REJECTED_MANIFEST,
    QualityError,
    build_data_docs,
    check_landing,
    check_layers,
    load_suite,
    schema_suite,
    suite_names,
)
from civicpulse.sources import Record
from civicpulse.streams import load_streams
from civicpulse.warehouse import ensure_demo_key, writer

DAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


@pytest.fixture
def config(project_config: Config) -> Config:
    ensure_demo_key(project_config)
    return project_config


def _survey(response_id: str, score: int, line: int, at: dt.datetime | None = None) -> Record:
    values = {
        "response_id": response_id,
        "submitted_at": at or dt.datetime(2026, 6, 15, 14, tzinfo=dt.UTC),
        "survey_kind": "touchpoints_a11_v2",
        "form_id": "3f9c21aa",
        "respondent_id": f"resp-{response_id}",
        "satisfaction_score": score,
        "comment": "The online renewal was quick, thank you",
    }
    return Record("survey_response", values, "export.csv", line)


def _land(config: Config, records: list[Record], source: str = "touchpoints") -> Path:
    manifest = Manifest(
        source=source,
        connector=config.source(source).connector,
        day=DAY.isoformat(),
        files=("export.csv",),
        rows_read=len(records),
        rows_quarantined=0,
        streams={"survey_response": len(records)},
    )
    return write_day(config.landing_path, manifest, {"survey_response": records}, [])


def test_landing_suites_follow_the_stream_schemas() -> None:
    streams = load_streams()
    assert sorted(suite_names("landing")) == sorted(f"landing.{name}" for name in streams), (
        "every landing stream needs quality/suites/landing.<stream>.json"
    )
    for name in streams:
        suite = load_suite(f"landing.{name}")
        assert all(e["severity"] in ("critical", "warning") for e in suite["expectations"])
        kept = [(e["type"], e["kwargs"]) for e in suite["expectations"]]
        for implied in schema_suite(name)["expectations"]:
            assert (implied["type"], implied["kwargs"]) in kept, f"landing.{name}: {implied} is missing"


def test_every_layer_table_suite_names_an_existing_model() -> None:
    sql = Path(__file__).resolve().parents[1] / "sql"
    for layer in ("staging", "core", "marts"):
        for name in suite_names(layer):
            table = load_suite(name)["meta"].get("table", name)
            schema, model = table.split(".")
            assert (sql / schema / f"{model}.sql").is_file(), f"{name}: no model {table}"


def test_good_landing_passes_and_records_results(config: Config) -> None:
    _land(config, [_survey("1", 5, 2), _survey("2", 1, 3)])
    results = check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
    assert results and all(r.success for r in results)
    assert {r.suite for r in results} == {"landing.survey_response"}
    written = config.landing_path / "touchpoints" / "_quality" / f"{DAY}_{DAY + dt.timedelta(days=1)}.json"
    assert len(json.loads(written.read_text())) == len(results)
    # Data Docs wait for the end of the run (build_data_docs); a passing check does not build them.
    assert not (config.report_path / "data-docs").exists()
    index = build_data_docs(config)
    assert "landing.touchpoints.survey_response" in index.read_text()


def test_critical_landing_failure_names_expectation_file_and_rows_and_holds_the_day_back(
    config: Config,
) -> None:
    folder = _land(config, [_survey("1", 5, 2), _survey("2", 4, 3), _survey("3", 3, 4)])
    # A broken export slipped past the connector: two ratings off the 1-5 scale, one from the future.
    table = pq.read_table(folder / "survey_response.parquet").to_pylist()
    table[0]["satisfaction_score"] = 9
    table[1]["satisfaction_score"] = 0
    table[2]["submitted_at"] = NOW + dt.timedelta(days=30)
    pq.write_table(
        pq.read_table(folder / "survey_response.parquet").from_pylist(table),
        folder / "survey_response.parquet",
    )

    with pytest.raises(QualityError) as raised:
        check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
    message = str(raised.value)
    assert "expect_column_values_to_be_between(satisfaction_score)" in message
    assert "2 of 3 rows" in message
    assert "expect_column_values_to_be_between(submitted_at)" in message and "1 of 3 rows" in message
    assert "touchpoints/day=2026-06-15/survey_response.parquet" in message
    assert complete_days(config.landing_path, "touchpoints", DAY, DAY + dt.timedelta(days=1)) == []
    assert (day_folder(config.landing_path, "touchpoints", DAY) / REJECTED_MANIFEST).is_file()
    # The run stops for this source, so its Data Docs are built now and show the failure.
    index = (config.report_path / "data-docs" / "index.html").read_text()
    assert re.search(r"failed</span></td><td>landing</td>\s*<td><a [^>]*>landing.touchpoints", index)


def test_layers_pass_record_run_and_load_ids_and_fail_on_an_unknown_service(config: Config) -> None:
    _land(config, [_survey("1", 5, 2), _survey("2", 2, 3)])
    check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
    pipeline.load(config, DAY, DAY + dt.timedelta(days=1), ["touchpoints"])
    pipeline.build(config)
    with writer(config) as con:
        results = check_layers(con, config, "run-1", now=NOW)
        failed = [r.describe() for r in results if not r.success]
        assert not failed
        layers = dict(con.execute("select layer, count(*) from ops.dq_results group by 1").fetchall())
        assert set(layers) == {"landing", "staging", "core", "marts"}
        landing_loads = con.execute(
            "select distinct load_ids from ops.dq_results where layer = 'landing'"
        ).fetchall()
        (load_id,) = con.execute("select load_id from ops.loads").fetchone() or ("",)
        assert landing_loads == [([load_id],)]
        by_run = dict(
            con.execute(
                "select run_id, count(*) from ops.dq_results where layer <> 'landing' group by 1"
            ).fetchall()
        )
        build_run = con.execute("select max(run_id) from ops.model_runs").fetchone()
        assert build_run is not None
        assert set(by_run) == {"run-1", build_run[0]}, "the build checks its own layers under its run id"
        assert by_run["run-1"] == by_run[build_run[0]]

        con.execute("update core.fact_feedback set service_id = 'moon_base'")
        with pytest.raises(QualityError) as raised:
            check_layers(con, config, "run-2", now=NOW)
        assert (
            "expect_column_values_to_be_in_set(service_id) failed on core.fact_feedback: 2 of 2 rows"
            in str(raised.value)
        )
        recorded = con.execute(
            "select count(*) from ops.dq_results where run_id = 'run-2' and not success"
        ).fetchone()
        assert recorded == (1,)
    index = (config.report_path / "data-docs" / "index.html").read_text()
    assert re.search(r"failed</span></td><td>core</td>\s*<td><a [^>]*>core.fact_feedback<", index)
