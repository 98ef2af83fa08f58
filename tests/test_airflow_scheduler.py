"""Airflow for real, as `make airflow` runs it: the api-server on loopback, a scheduler with the
LocalExecutor and a dag-processor on SQLite, in their own AIRFLOW_HOME. The DAG catches up the night
since its start date and runs a triggered range, one run at a time; both succeed, the marts' Assets are
updated, a bad range is refused by the API before any run exists, and Ctrl-C (SIGTERM) stops it all."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from civicpulse.airflow_local import PASSWORD_FILE
from civicpulse.airflow_run import mart_names
from civicpulse.config import load_config
from civicpulse.demo import generate
from civicpulse.paths import PROJECT_ROOT
from civicpulse.pseudonym_key import ensure_demo_key
from tests.conftest import write_project_config

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

DAG_ID = "civicpulse_nightly"
TODAY = dt.datetime.now(dt.UTC).date()
# The scheduler catches up one night (yesterday); the triggered run reloads the two nights before it.
CATCHUP_START = TODAY - dt.timedelta(days=1)
TRIGGERED = {"start": str(TODAY - dt.timedelta(days=3)), "end": str(CATCHUP_START)}
RUN_TIMEOUT = 2400.0  # two runs of ~12 task processes; a loaded 2-core machine needs 10+ min a run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Api:
    """The public REST API, logged in as admin with the password the api-server generated."""

    def __init__(self, port: int, home: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        passwords = json.loads((home / PASSWORD_FILE).read_text())
        token = self.call("POST", "/auth/token", {"username": "admin", "password": passwords["admin"]})
        self.token = token["access_token"]

    def call(self, method: str, path: str, body: object | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if getattr(self, "token", None):
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def refused(self, method: str, path: str, body: object) -> tuple[int, str]:
        try:
            self.call(method, path, body)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
        raise AssertionError(f"{method} {path} {body} was accepted")


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port`, from /proc/net/tcp{,6} (Linux)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:] if Path(table).exists() else []
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def wait_for(what: str, probe: Any, launcher: subprocess.Popen[bytes], log: Path, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if launcher.poll() is not None:
            raise AssertionError(
                f"make airflow exited ({launcher.returncode}) waiting for {what}:\n{tail(log)}"
            )
        try:
            result = probe()
        except (OSError, ValueError, KeyError):
            result = None
        if result:
            return result
        time.sleep(3)
    raise AssertionError(f"timed out waiting for {what}:\n{tail(log)}")


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@pytest.fixture
def local_airflow(tmp_path: Path) -> Iterator[tuple[Api, Path, Path, subprocess.Popen[bytes], Path]]:
    config = load_config(write_project_config(tmp_path))
    generate(tmp_path / "var" / "demo-exports", start=TODAY - dt.timedelta(days=3), days=3, seed=5, scale=0.2)
    ensure_demo_key(config)
    home, port = tmp_path / "airflow-prod", free_port()
    env = dict(os.environ, CIVICPULSE_CONFIG=str(config.path), CIVICPULSE_START_DATE=str(CATCHUP_START))
    env.pop("AIRFLOW_HOME", None)
    log = tmp_path / "make-airflow.log"
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "civicpulse.airflow_local", "--home", str(home), "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    try:
        wait_for("the banner", lambda: "Airflow is up" in log.read_text(), launcher, log, 300)
        yield Api(port, home), home, config.warehouse_path, launcher, log
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)
            try:
                launcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                launcher.kill()
                launcher.wait()


def test_make_airflow_runs_the_dag_through_a_real_scheduler(
    local_airflow: tuple[Api, Path, Path, subprocess.Popen[bytes], Path],
) -> None:
    api, home, warehouse, launcher, log = local_airflow
    port = int(api.base.rsplit(":", 1)[1])
    banner = log.read_text()
    assert str(home / PASSWORD_FILE) in banner and f"http://127.0.0.1:{port}" in banner
    assert listening_addresses(port) == {"0100007F"}, "the api-server listens on 127.0.0.1 only"

    wait_for("the DAG to be parsed", lambda: api.call("GET", f"/api/v2/dags/{DAG_ID}"), launcher, log, 300)
    for conf, named in (
        ({"start": "2026-13-45", "end": "2026-06-01"}, "start"),
        ({"start": "yesterday", "end": None}, "start"),
        ({"start": "2026-06-01", "end": "06/03/2026"}, "end"),
    ):
        status, body = api.refused(
            "POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None, "conf": conf}
        )
        assert status == 400 and f"param {named}" in body, body
    assert api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns")["total_entries"] == 0, "no run was created"

    api.call("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
    manual = api.call("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None, "conf": TRIGGERED})

    def finished() -> list[dict[str, Any]] | None:
        runs = api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns")["dag_runs"]
        if any(run["state"] == "failed" for run in runs):
            raise AssertionError(f"a run failed: {runs}\n{failed_tasks(api, runs)}\n{tail(log)}")
        done = len(runs) == 2 and all(run["state"] == "success" for run in runs)
        return runs if done else None

    runs = wait_for("both runs to succeed", finished, launcher, log, RUN_TIMEOUT)
    scheduled = next(run for run in runs if run["run_type"] == "scheduled")
    assert scheduled["data_interval_start"].startswith(str(CATCHUP_START)), "catchup ran yesterday"
    first, second = sorted(runs, key=lambda run: run["start_date"])
    assert first["end_date"] <= second["start_date"], "max_active_runs=1: one run at a time"

    xcom = api.call(
        "GET",
        f"/api/v2/dags/{DAG_ID}/dagRuns/{manual['dag_run_id']}/taskInstances/resolve_range/xcomEntries/return_value",
    )
    assert f"processed {TRIGGERED['start']}" in str(xcom["value"])

    # The check task wrote each run's note through the REST API, as the `civicpulse` user.
    last = dt.date.fromisoformat(TRIGGERED["end"]) - dt.timedelta(days=1)
    note = api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{manual['dag_run_id']}")["note"]
    assert note.startswith(f"processed {TRIGGERED['start']}..{last}: ") and note.endswith(
        " quarantined, stale: none"
    ), note
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select sum(rows_loaded) from ops.loads where partition_day >= ? and partition_day < ?",
            [TRIGGERED["start"], TRIGGERED["end"]],
        ).fetchone()
    assert rows and f": {rows[0]:,} rows," in note, (note, rows)
    assert scheduled["note"] and scheduled["note"].startswith(f"processed {CATCHUP_START}..{CATCHUP_START}:")

    events = api.call("GET", f"/api/v2/assets/events?source_dag_id={DAG_ID}&limit=100")["asset_events"]
    updated = {event["uri"] for event in events}
    assert updated == {f"civicpulse://warehouse/marts/{mart}" for mart in mart_names()}
    assert len(events) == 2 * len(mart_names()), "each run updates every mart's Asset"

    with duckdb.connect(str(warehouse), read_only=True) as con:
        days = con.execute(
            "select source, count(distinct partition_day) from ops.loads group by 1"
        ).fetchall()
    assert days and all(count == 3 for _, count in days), days

    launcher.send_signal(signal.SIGTERM)
    assert launcher.wait(timeout=90) == 0
    assert listening_addresses(port) == set(), "stopping make airflow stops the api-server"


def failed_tasks(api: Api, runs: list[dict[str, Any]]) -> str:
    lines = []
    for run in runs:
        tis = api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances")
        lines += [f"{ti['task_id']}[{ti['map_index']}]: {ti['state']}" for ti in tis["task_instances"]]
    return "\n".join(lines)


def test_make_airflow_target_runs_the_launcher_from_the_venv() -> None:
    recipe = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "airflow"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    line = next(line for line in recipe.splitlines() if "civicpulse.airflow_local" in line)
    assert f'PATH="{PROJECT_ROOT}/.venv/bin:' in line and "var/airflow-prod" in line
