"""Through real Airflow: a source with an unreadable export fails its own task at once (no pointless
retries), the other sources still load and build, and the run ends failed with the fix in the log."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from civicpulse.config import load_config
from civicpulse.demo import generate
from civicpulse.warehouse import ensure_demo_key
from tests.conftest import airflow_env, dag_run_failed, write_project_config

pytestmark = pytest.mark.airflow

START = dt.date(2026, 6, 10)
END = dt.date(2026, 6, 13)


def test_bad_export_fails_only_its_source(tmp_path: Path) -> None:
    config = load_config(write_project_config(tmp_path))
    generate(tmp_path / "var" / "demo-exports", start=START, days=(END - START).days, seed=2, scale=0.3)
    ensure_demo_key(config)
    broken = sorted((tmp_path / "var" / "demo-exports" / "contact_center").glob("*.csv"))[0]
    broken.write_text("callid;when;queue\n1;yesterday;DMV\n", encoding="utf-8")

    airflow = str(Path(sys.executable).parent / "airflow")
    env = airflow_env(tmp_path, config.path)
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [airflow, "pools", "set", "duckdb_writer", "1", "w"], env=env, check=True, capture_output=True
    )
    conf = f'{{"start": "{START}", "end": "{END}"}}'
    result = subprocess.run(
        [airflow, "dags", "test", "civicpulse_nightly", END.isoformat(), "-c", conf],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = result.stdout + result.stderr
    assert str(broken) in log and "Fix:" in log, log[-3000:]
    assert dag_run_failed(log), "the run is marked failed"

    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        loaded = dict(con.execute("select source, sum(rows_loaded) from ops.loads group by 1").fetchall())
        feedback = dict(con.execute("select source, count(*) from core.fact_feedback group by 1").fetchall())
    assert "contact_center" not in loaded
    assert {"x_riverton", "touchpoints", "resident_survey", "city_website"} <= set(loaded)
    assert feedback["x_riverton"] > 0, "the other sources were built into core"
