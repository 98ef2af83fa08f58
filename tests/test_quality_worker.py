"""The quality worker of `civicpulse run`: same results as checking in-process, a landing failure stops
only its source and shows in the Data Docs, and a dead, hung or orphaned worker never hangs a run."""

from __future__ import annotations

import csv
import datetime as dt
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import duckdb
import pytest

from civicpulse import pipeline
from civicpulse.config import Config, load_config
from civicpulse.demo import generate
from civicpulse.landing import MANIFEST
from civicpulse.paths import PROJECT_ROOT
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.quality import (
    REJECTED_MANIFEST,
    CheckSettings,
    LandingCheck,
    QualityError,
    landed,
    validate_landing,
)
from civicpulse.quality_worker import QualityWorker, QualityWorkerError, active, running
from tests.conftest import write_project_config
from tests.test_quality import DAY, NOW, _land, _survey


def _comparable(checked: LandingCheck) -> list[dict[str, object]]:
    return [
        {k: v for k, v in asdict(r).items() if k not in ("check_id", "run_id", "checked_at")}
        for r in checked.results
    ]


@pytest.fixture(scope="module")
def worker() -> Iterator[QualityWorker]:
    started = QualityWorker(timeout_s=600)
    yield started
    started.stop()


def test_worker_checks_landing_exactly_as_in_process(worker: QualityWorker, project_config: Config) -> None:
    ensure_demo_key(project_config)
    end = DAY + dt.timedelta(days=1)
    # Two of four ratings off the 1-5 scale: a critical failure, in both places alike.
    _land(project_config, [_survey("1", 5, 2), _survey("2", 9, 3), _survey("3", 0, 4), _survey("4", 3, 5)])
    local = validate_landing(project_config, "touchpoints", DAY, end, now=NOW)
    _land(project_config, [_survey("1", 5, 2), _survey("2", 9, 3), _survey("3", 0, 4), _survey("4", 3, 5)])
    remote = worker.landing_result(worker.submit_landing(project_config, "touchpoints", DAY, end))
    assert local.failed and remote.failed
    assert _comparable(remote) == _comparable(local) and len(remote.results) > 5
    assert worker.docs_pending, "a held-back source owes its Data Docs to the end of the run"
    with pytest.raises(QualityError, match=r"2 of 4 rows fail"):
        remote.raise_failures()
    index = worker.build_docs(project_config)
    assert "landing.touchpoints.survey_response" in index.read_text(encoding="utf-8")
    assert not worker.docs_pending


def test_an_unreadable_manifest_fails_its_source_in_the_worker_as_in_process(
    worker: QualityWorker, project_config: Config
) -> None:
    """The run lists the files to check (`quality.landed`); when it cannot, the worker does and fails
    the source's check with the error checking in-process gives, not the submission (the run's)."""
    ensure_demo_key(project_config)
    end = DAY + dt.timedelta(days=1)
    folder = _land(project_config, [_survey("1", 5, 2), _survey("2", 4, 3)])
    (folder / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError) as local:
        validate_landing(project_config, "touchpoints", DAY, end, now=NOW)
    ticket = worker.submit_landing(project_config, "touchpoints", DAY, end)
    with pytest.raises(type(local.value)) as remote:
        worker.landing_result(ticket)
    assert str(remote.value) == str(local.value)


WORKER_LANDING = """
import pickle
import sys

from civicpulse import quality_worker

quality_worker.prepare()
checked = quality_worker._handle("landing", pickle.loads(sys.stdin.buffer.read()))
assert checked.results and not checked.failed, checked.results
unused = ("civicpulse.landing", "transforms.privacy", "civicpulse.config_schema", "pydantic.main")
loaded = [name for name in unused if name in sys.modules]
assert not loaded, f"the worker loaded {loaded}"
assert sys.modules["sqlalchemy"] is None and "sqlalchemy.engine" not in sys.modules
"""


def test_the_worker_checks_landing_without_importing_the_landing_module(project_config: Config) -> None:
    """The run lists the landing files (`quality.landed`, in its own process), so the worker's landing
    check never imports civicpulse.landing (nor, through it, the redaction patterns). Only a failing
    check does, to hold its days back (`test_worker_checks_landing_exactly_as_in_process`). Nor does
    the worker import sqlalchemy (GX runs without it, as its base install does), nor pydantic's models
    and the config schema: it is handed `CheckSettings`, not the Config."""
    ensure_demo_key(project_config)
    end = DAY + dt.timedelta(days=1)
    folder = _land(project_config, [_survey("1", 5, 2), _survey("2", 4, 3)])
    files = landed(project_config, "touchpoints", DAY, end)
    request = (CheckSettings.of(project_config), "touchpoints", DAY, end, files)
    done = subprocess.run(
        [sys.executable, "-c", WORKER_LANDING],
        input=pickle.dumps(request),
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    assert (folder / MANIFEST).is_file() and not (folder / REJECTED_MANIFEST).exists()


def test_a_killed_worker_gives_one_clear_line_not_a_hang(project_config: Config) -> None:
    worker = QualityWorker(timeout_s=600)
    try:
        ticket = worker.submit_landing(project_config, "touchpoints", DAY, DAY + dt.timedelta(days=1))
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        started = time.monotonic()
        with pytest.raises(QualityWorkerError) as raised:
            worker.landing_result(ticket)
        assert time.monotonic() - started < 10
        message = str(raised.value)
        assert "\n" not in message
        assert (
            f"pid {worker.pid}) was killed by signal 9 while checking the landing files of touchpoints"
            in (message)
        )
        assert "re-run `civicpulse run`" in message
    finally:
        worker.stop()


def test_a_hung_worker_times_out_with_one_clear_line(project_config: Config) -> None:
    worker = QualityWorker(timeout_s=2)
    try:
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGSTOP)
        ticket = worker.submit_landing(project_config, "touchpoints", DAY, DAY + dt.timedelta(days=1))
        with pytest.raises(
            QualityWorkerError,
            match=r"did not finish checking the landing files of touchpoints "
            r"within 2 s and was stopped",
        ):
            worker.landing_result(ticket)
    finally:
        worker.stop()


ORPHAN = """
import sys, time
from civicpulse.quality_worker import QualityWorker
worker = QualityWorker()
print(worker.pid, flush=True)
time.sleep(600)
"""


def test_a_killed_run_leaves_no_worker_behind() -> None:
    run = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    worker_pid = int(run.stdout.readline())
    run.kill()  # SIGKILL: no cleanup in the run, as in the crash suite
    run.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _alive(worker_pid):
        time.sleep(0.2)
    assert not _alive(worker_pid), "the worker outlived its run"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_running_registers_the_worker_and_stops_it(project_config: Config) -> None:
    assert active() is None
    with running(project_config) as worker:
        assert active() is worker
    assert active() is None
    assert worker.pid is not None and not _alive(worker.pid)


# ---------------------------------------------------------------------------------------------------
# A whole run: one source's landing fails its suite in the worker, the others load and build.


def test_run_holds_back_a_source_failing_its_landing_suite_and_shows_it_in_the_docs(tmp_path: Path) -> None:
    config = load_config(write_project_config(tmp_path))
    ensure_demo_key(config)
    start, end = dt.date(2026, 5, 1), dt.date(2026, 5, 3)
    exports = tmp_path / "var" / "demo-exports"
    generate(exports, start=start, days=(end - start).days, seed=5, scale=0.2)
    calls = sorted((exports / "contact_center").glob("calls_*.csv"))[0]
    rows = list(csv.DictReader(calls.open(encoding="utf-8", newline="")))
    rows[0]["wait_seconds"] = "200000"  # a parseable wait of more than two days: only the suite objects
    with calls.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    with pytest.raises(pipeline.SourceFailures) as raised:
        pipeline.run_interval(config, start, end)
    message = str(raised.value)
    assert message.startswith("1 source(s) failed; the others loaded:\n  - contact_center: 1 critical")
    assert "expect_column_values_to_be_between(wait_seconds)" in message and "1 of " in message

    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        loaded = {row[0] for row in con.execute("select distinct source from ops.loads").fetchall()}
        layers = con.execute("select count(*) from ops.dq_results where layer <> 'landing'").fetchone()
        failed = con.execute(
            "select source from ops.dq_results "
            "where layer = 'landing' and not success and severity = 'critical'"
        ).fetchall()
    assert "contact_center" not in loaded and {"touchpoints", "city_website"} <= loaded
    assert layers is not None and layers[0] > 0, "the gate ran (in the worker) on what loaded"
    assert failed == [("contact_center",)]
    index = (config.report_path / "data-docs" / "index.html").read_text(encoding="utf-8")
    assert "landing.contact_center.contact_call" in index and "core.fact_feedback" in index
    leftovers = [p.name for p in config.report_path.glob(".data-docs.*") if p.name != ".data-docs.lock"]
    assert not leftovers, "no half-built or retired site left"
