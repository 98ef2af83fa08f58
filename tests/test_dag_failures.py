"""Through real Airflow (`airflow dags test`): a source with an unreadable export fails its own task at
once (no pointless retries), the other sources still load and build, the failure notifier posts each
failed task to the configured webhook, and the final check fails the run naming the task. A bad range
is refused before any task runs, or by the first task without retries."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from civicpulse.config import load_config
from civicpulse.demo import generate
from civicpulse.pseudonym_key import ensure_demo_key
from tests.conftest import airflow_env, dag_run_failed, write_project_config

pytestmark = pytest.mark.airflow

START = dt.date(2026, 6, 10)
END = dt.date(2026, 6, 13)


def dags_test(env: dict[str, str], conf: str, logical_date: dt.date = END) -> tuple[int, str]:
    """`airflow dags test` in `env` (airflow_env: a migrated metadata database of its own)."""
    airflow = str(Path(sys.executable).parent / "airflow")
    result = subprocess.run(
        [airflow, "dags", "test", "civicpulse_nightly", logical_date.isoformat(), "-c", conf],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result.returncode, result.stdout + result.stderr


def test_bad_export_fails_only_its_source(tmp_path: Path, httpserver: HTTPServer, airflow_db: Path) -> None:
    config = load_config(write_project_config(tmp_path))
    generate(tmp_path / "var" / "demo-exports", start=START, days=(END - START).days, seed=2, scale=0.3)
    ensure_demo_key(config)
    broken = sorted((tmp_path / "var" / "demo-exports" / "contact_center").glob("*.csv"))[0]
    broken.write_text("callid;when;queue\n1;yesterday;DMV\n", encoding="utf-8")

    env = airflow_env(tmp_path, config.path, airflow_db)
    env["AIRFLOW_VAR_CIVICPULSE_FAILURE_WEBHOOK"] = httpserver.url_for("/failed")
    httpserver.expect_request("/failed", method="POST").respond_with_data("ok")
    _, log = dags_test(env, f'{{"start": "{START}", "end": "{END}"}}')
    assert str(broken) in log and "Fix:" in log, log[-3000:]
    assert dag_run_failed(log), "the run is marked failed"
    assert "civicpulse run incomplete: failed: extract_" in log, "the check task names the failed extract"
    assert "civicpulse: task civicpulse_nightly.extract[" in log, "one notifier line for the extract"

    posted = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert [(p["task_id"], p["try_number"]) for p in posted] == [("extract", 1), ("check", 1)], posted
    assert str(broken.name) in posted[0]["error"] and posted[0]["map_index"] is not None

    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        loaded = dict(con.execute("select source, sum(rows_loaded) from ops.loads group by 1").fetchall())
        feedback = dict(con.execute("select source, count(*) from core.fact_feedback group by 1").fetchall())
    assert "contact_center" not in loaded
    assert {"x_riverton", "touchpoints", "resident_survey", "city_website"} <= set(loaded)
    assert feedback["x_riverton"] > 0, "the other sources were built into core"


def test_a_range_that_is_not_a_date_is_refused_before_any_task(tmp_path: Path, airflow_db: Path) -> None:
    env = airflow_env(tmp_path, write_project_config(tmp_path), airflow_db)
    code, log = dags_test(env, '{"start": "2026-13-45", "end": "2026-06-13"}')
    assert code != 0 and "Invalid input for param start" in log, log[-2000:]
    assert "running task" not in log, "no task ran"


def test_half_a_range_fails_the_first_task_without_retries(tmp_path: Path, airflow_db: Path) -> None:
    env = airflow_env(tmp_path, write_project_config(tmp_path), airflow_db)
    _, log = dags_test(env, '{"start": "2026-06-10"}')
    assert "param 'start' is set but 'end' is not: give both (end exclusive) or neither" in log, log[-3000:]
    assert dag_run_failed(log)
    assert "task_id=extract" not in log and "running task <TaskInstance: civicpulse_nightly.load" not in log
    assert "failed: resolve_range; not run because of them: build, extract, list_sources, load, report" in log
    assert "Task failed with exception" in log and log.count("resolve_range failed in run") == 1
