"""One warehouse lifecycle: a build, an erasure and a recorded response all rebuild, pass the quality gate,
export and publish through `warehouse.lifecycle.rebuild_and_publish`; an erasure whose rebuild fails the
gate stays applied and withdraws the published copy that still held the person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from civicpulse import pipeline
from civicpulse.cli import main
from civicpulse.config import Config
from civicpulse.erasure import ErasedPeople, forget
from civicpulse.quality import QualityError
from civicpulse.responses import CLOSE_THE_LOOP, record_response
from civicpulse.warehouse.connection import (
    WarehouseUnavailable,
    export_path,
    published_path,
    reader,
    withdrawn_path,
    writer,
)
from tests.conftest import sources_config
from transforms.privacy import pseudonymize

DAY = dt.date(2024, 5, 6)
NEXT = DAY + dt.timedelta(days=1)
KEY = "lifecycle-test-key-0123456789abcdef"
CALLER = "C-CRM-000555"
OTHER = "C-CRM-000321"
HEADER = (
    "call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    "caller_number,agent_id,notes\n"
)
CALLS = [
    ("C-1", 8, CALLER, "Furious that the Quince Street hydrant has leaked for weeks and nobody came"),
    ("C-2", 9, CALLER, "Called again, still no one fixed the leaking hydrant, this is terrible service"),
    ("C-3", 10, OTHER, "Asked how to renew a permit online"),
    ("C-4", 11, OTHER, "Thanked the inspector for coming early"),
]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    config = sources_config(tmp_path, monkeypatch, KEY, ("contact_center",))
    (config.inbox(config.source("contact_center")) / "calls_2024-05-06.csv").write_text(
        HEADER
        + "".join(
            # The person's calls were not resolved on the phone: they wait in the close-the-loop queue.
            f"{call},2024-05-06 {hour:02d}:00:00,PERMITS,10,20,open,{'N' if caller == CALLER else 'Y'},N,"
            f"{caller},A1,{notes}\n"
            for call, hour, caller, notes in CALLS
        )
    )
    pipeline.run_interval(config, DAY, NEXT)
    return config


def _runs(path: Path) -> dict[str, set[str]]:
    """Per run id of ops.model_runs, the models it built."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select run_id, list(distinct model) from ops.model_runs group by 1").fetchall()
    return {str(run): set(models) for run, models in rows}


def _checked_runs(path: Path) -> set[str]:
    """The run ids the quality gate recorded layer checks under."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select distinct run_id from ops.dq_results where layer <> 'landing'").fetchall()
    return {str(run) for (run,) in rows}


def _count(con: duckdb.DuckDBPyConnection, where: str, *params: object) -> int:
    row = con.execute(f"select count(*) from {where}", list(params)).fetchone()
    return int(row[0]) if row else -1


def _new_run(config: Config, before: dict[str, set[str]]) -> tuple[str, set[str]]:
    (run,) = set(_runs(config.warehouse_path)) - set(before)
    return run, _runs(config.warehouse_path)[run]


def test_build_erasure_and_response_each_build_check_export_and_publish(config: Config) -> None:
    # The nightly run's build: every model, checked under the same run id, published.
    (build_run,) = _runs(config.warehouse_path)
    assert {"core.fact_feedback", CLOSE_THE_LOOP, "ops.sentiment_cache"} <= _runs(config.warehouse_path)[
        build_run
    ]
    assert _checked_runs(config.warehouse_path) == {build_run}
    assert set(_runs(published_path(config))) == {build_run}

    # A response: only the close-the-loop queue is rebuilt, then the same gate, export and publish.
    with reader(config) as con:
        queued = con.execute(f"select feedback_id, service_id from {CLOSE_THE_LOOP} order by 1").fetchall()
    assert queued, "the angry calls wait for a reply"
    feedback_id, service_id = queued[0]
    before = _runs(config.warehouse_path)
    recorded = record_response(config, str(feedback_id), "called back", "permits team", "phone")
    response_run, built = _new_run(config, before)
    assert built == {CLOSE_THE_LOOP}
    assert response_run in _checked_runs(config.warehouse_path), "the response passed the quality gate"
    assert response_run in _runs(published_path(config)), "published after the gate"
    assert recorded.open_items == sum(1 for _, s in queued if s == service_id) - 1
    with reader(config) as con:
        still_queued = con.execute(f"select feedback_id from {CLOSE_THE_LOOP}").fetchall()
    assert (feedback_id,) not in still_queued
    exported = duckdb.sql(f"select feedback_id from '{export_path(config, 'close_the_loop')}'").fetchall()
    assert sorted(exported) == sorted(still_queued), "the export is the published queue"

    # An erasure: every model rebuilt without the person, the same gate (it used to be skipped), published.
    before = _runs(config.warehouse_path)
    forget(config, "contact_center", CALLER)
    erasure_run, built = _new_run(config, before)
    assert built == _runs(config.warehouse_path)[build_run]
    assert erasure_run in _checked_runs(config.warehouse_path), "the erasure passed the quality gate"
    assert erasure_run in _runs(published_path(config))
    with reader(config) as con:
        assert con.execute("select count(*) from core.fact_contact").fetchone() == (2,)


def test_an_erasure_failing_the_gate_stays_applied_and_withdraws_the_published_copy(config: Config) -> None:
    # Another caller's record an older loader let through with a negative wait: the next rebuild of
    # core.fact_contact fails its critical check on wait_seconds.
    with writer(config) as con:
        con.execute(
            "insert into raw.contact_call select * replace ('C-9' as call_id, -5 as wait_seconds) "
            "from raw.contact_call where call_id = 'C-3'"
        )
    assert published_path(config).is_file() and export_path(config, "close_the_loop").is_file()

    with pytest.raises(QualityError) as raised:
        forget(config, "contact_center", CALLER)
    message = str(raised.value)
    assert "expect_column_values_to_be_between(wait_seconds) failed on core.fact_contact" in message
    assert "the erasure is applied" in message and "civicpulse build" in message

    # Applied: the writer holds neither the person nor their derived rows, and the erasure is logged.
    key = pseudonymize(KEY.encode(), CALLER, "contact_center")
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute(
            "select count(*) from raw.contact_call where caller_id = ?", [CALLER]
        ).fetchone() == (0,)
        assert con.execute(
            "select count(*) from core.fact_feedback where author_key = ?", [key]
        ).fetchone() == (0,)
        assert con.execute("select count(*) from ops.erasures").fetchone() == (1,)
    # Not published with failing data, and the last copy, which held the person, is gone with its exports.
    assert not published_path(config).exists()
    assert not list(config.exports_path.glob("*.parquet"))
    with pytest.raises(WarehouseUnavailable, match=r"withdrawn.*erasure.*civicpulse build"), reader(config):
        pass
    assert main(["--config", str(config.path), "-q", "status"]) == 2
    # The extract still leaves the person out: the state copy was published.
    erased = ErasedPeople.of(config, "contact_center")
    assert erased is not None and key in erased.keys

    # Fixed, the next build publishes again.
    with writer(config) as con:
        con.execute("delete from raw.contact_call where call_id = 'C-9'")
    pipeline.build(config)
    assert not withdrawn_path(config).exists()
    with reader(config) as con:
        assert con.execute("select count(*) from core.fact_contact").fetchone() == (2,)
        assert con.execute(
            "select count(*) from core.fact_feedback where author_key = ?", [key]
        ).fetchone() == (0,)
