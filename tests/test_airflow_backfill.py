"""A night-by-night backfill through a real scheduler equals one range run.

`make airflow`'s launcher (api-server on loopback, LocalExecutor scheduler, dag-processor, SQLite) runs
an Airflow backfill of the nightly DAG over the first days of the demo city with `max_active_runs` 1;
every run succeeds and no two overlap. A single `civicpulse run --start --end` over the same days, on a
copy of the same exports and pseudonymisation key, then gives bit-identical `core` and `marts` tables.

Each night is 12 task processes (measured: 10 to 12 minutes a night on the shared 2-core machine at a
load average of ~20), so `make test` backfills 2 nights (the smallest backfill whose nights must add
up); CIVICPULSE_BACKFILL_DAYS=120 runs the demo's full 120 days (hours on 2 cores).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from civicpulse.config import Config, load_config
from civicpulse.demo import generate
from civicpulse.pseudonym_key import ensure_demo_key
from tests.conftest import write_project_config
from tests.test_airflow_scheduler import DAG_ID, Api, failed_tasks, free_port, tail, wait_for
from tests.test_idempotency import _snapshot

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

START = dt.date(2026, 5, 1)
DAYS = int(os.environ.get("CIVICPULSE_BACKFILL_DAYS", "2"))
END = START + dt.timedelta(days=DAYS)
# The generator's smallest useful scale (~55 records a day): the test is about runs, not volume.
SCALE = 0.05
# At this scale a quiet source (Mastodon, the survey) goes up to 12 days without a record; the
# staleness check is tested elsewhere (tests/test_airflow_stale.py), here every night must pass it.
STALE_AFTER_DAYS = 30
TIMEOUT = 1200.0 * DAYS


def city(root: Path, exports: Path | None = None) -> Config:
    """The demo city's config under `root`, its 120 days of exports generated (or copied) into it."""
    root.mkdir(parents=True, exist_ok=True)
    settings = yaml.safe_load(write_project_config(root).read_text())
    for source in settings["sources"]:
        source["stale_after_days"] = STALE_AFTER_DAYS
    config = load_config(write_project_config(root, sources=settings["sources"]))
    if exports is None:
        generate(root / "var" / "demo-exports", start=START, days=DAYS, seed=8, scale=SCALE)
        ensure_demo_key(config)
    else:
        shutil.copytree(exports / "var" / "demo-exports", root / "var" / "demo-exports")
        shutil.copy2(exports / "var" / "pseudonym.key", root / "var" / "pseudonym.key")
    return config


def test_a_night_by_night_backfill_equals_one_range_run(tmp_path: Path) -> None:
    nightly = city(tmp_path / "nightly")
    home, port = tmp_path / "airflow-prod", free_port()
    # Start date after today: the scheduler's catchup creates no runs of its own during the test.
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
    env = dict(os.environ, CIVICPULSE_CONFIG=str(nightly.path), CIVICPULSE_START_DATE=str(tomorrow))
    env.pop("AIRFLOW_HOME", None)
    log = tmp_path / "make-airflow.log"
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            [
                *(sys.executable, "-m", "civicpulse.airflow_local", "--home", str(home), "--port", str(port)),
                *("--start-timeout", "900"),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        wait_for("the banner", lambda: "Airflow is up" in log.read_text(), launcher, log, 900)
        api = Api(port, home)
        wait_for("the DAG", lambda: api.call("GET", f"/api/v2/dags/{DAG_ID}"), launcher, log, 300)
        api.call("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        began = time.monotonic()
        backfill = api.call(
            "POST",
            "/api/v2/backfills",
            {
                "dag_id": DAG_ID,
                "from_date": f"{START}T00:00:00Z",
                "to_date": f"{END - dt.timedelta(days=1)}T00:00:00Z",
                "max_active_runs": 1,
                "reprocess_behavior": "none",
            },
        )
        assert backfill["max_active_runs"] == 1
        most_running = 0

        def finished() -> list[dict[str, Any]] | None:
            nonlocal most_running
            runs: list[dict[str, Any]] = []
            while True:  # the API returns at most 100 runs a page
                page = api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?limit=100&offset={len(runs)}")
                runs += page["dag_runs"]
                if len(page["dag_runs"]) < 100:
                    break
            if any(run["state"] == "failed" for run in runs):
                failed = [run for run in runs if run["state"] == "failed"]
                raise AssertionError(f"a run failed: {failed}\n{failed_tasks(api, failed)}\n{tail(log)}")
            most_running = max(most_running, sum(run["state"] == "running" for run in runs))
            done = len(runs) == DAYS and all(run["state"] == "success" for run in runs)
            return runs if done else None

        runs = wait_for(f"{DAYS} backfill runs to succeed", finished, launcher, log, TIMEOUT)
        elapsed = time.monotonic() - began
        print(
            f"backfill of {DAYS} days through the scheduler: {elapsed:.0f} s ({elapsed / DAYS:.1f} s a run)"
        )
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=90) == 0
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)  # the launcher stops its Airflow components
            try:
                launcher.wait(timeout=90)
            except subprocess.TimeoutExpired:
                launcher.kill()
                launcher.wait()

    assert {run["run_type"] for run in runs} == {"backfill"}
    assert sorted(run["data_interval_start"][:10] for run in runs) == [
        str(START + dt.timedelta(days=n)) for n in range(DAYS)
    ]
    ordered = sorted(runs, key=lambda run: run["start_date"])
    assert most_running <= 1 and all(
        before["end_date"] <= after["start_date"] for before, after in itertools.pairwise(ordered)
    ), "max_active_runs 1: one run at a time"

    once = city(tmp_path / "once", exports=tmp_path / "nightly")
    subprocess.run(
        [
            str(Path(sys.executable).parent / "civicpulse"),
            "--quiet",
            "run",
            "--start",
            str(START),
            "--end",
            str(END),
        ],
        env=dict(os.environ, CIVICPULSE_CONFIG=str(once.path)),
        check=True,
        capture_output=True,
    )
    by_night, by_range = _snapshot(nightly), _snapshot(once)
    assert by_night.keys() == by_range.keys()
    differ = [table for table in by_range if by_night[table] != by_range[table]]
    assert not differ, f"core/marts tables that differ between the backfill and one range run: {differ}"
    assert sum(len(rows) - 1 for name, rows in by_range.items() if name.startswith("core.")) > 0
