"""Through real Airflow (`airflow dags test`): a source whose exports stop is stale on the run's last
day, so every task succeeds but the final `check` fails the run, naming the source, its newest record
and its threshold; the fresh sources are not named. Stale is measured from the range, not today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from civicpulse.config import load_config
from civicpulse.demo import generate
from civicpulse.pseudonym_key import ensure_demo_key
from tests.conftest import airflow_env, dag_run_failed, write_project_config
from tests.test_dag_failures import dags_test

pytestmark = pytest.mark.airflow

START = dt.date(2026, 6, 10)
END = dt.date(2026, 6, 14)


def test_a_stale_source_fails_the_check_naming_it(tmp_path: Path, airflow_db: Path) -> None:
    config = load_config(write_project_config(tmp_path))
    exports = tmp_path / "var" / "demo-exports"
    generate(exports, start=START, days=(END - START).days, seed=4, scale=0.3)
    ensure_demo_key(config)
    # x_riverton's exports stop after the first day. That file's evening posts are dated 11 June in
    # UTC, so its last day with data is the 11th: 2 days without data up to the 13th, threshold 2.
    stopped = [
        path
        for day in ("20260611", "20260612", "20260613")
        for path in (exports / "x").glob(f"*_{day}_*.json")
    ]
    assert len(stopped) == 3, "the generator writes one X file a day"
    for path in stopped:
        path.unlink()

    _, log = dags_test(
        airflow_env(tmp_path, config.path, airflow_db), f'{{"start": "{START}", "end": "{END}"}}'
    )
    assert dag_run_failed(log), log[-3000:]
    assert "civicpulse run incomplete" not in log, "every task before the check succeeded"
    failure = next(line for line in log.splitlines() if "stale source(s) on 2026-06-13" in line)
    assert "x_riverton (newest record 2026-06-11 0" in failure, failure
    assert "last day with data 2026-06-11: 2 day(s) without data up to 2026-06-13" in failure
    assert "threshold stale_after_days 2" in failure and "raise stale_after_days" in failure
    others = {"city_website", "mastodon_riverton", "contact_center", "touchpoints", "resident_survey"}
    assert not any(f"{source} (" in failure for source in others), failure
    assert "stale: x_riverton" in log, "the summary names the stale source"
    assert "no connection 'civicpulse_airflow_api', so the run's note is not set" in log
