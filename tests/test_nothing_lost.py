"""Nothing lost, nothing doubled: every row read is loaded, a duplicate, quarantined once, erased or
counted as outside the interval; conflicting duplicates are recorded; freshness comes from the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from civicpulse import pipeline
from civicpulse.config import Config
from civicpulse.extract import extract_source
from civicpulse.freshness import source_freshness
from civicpulse.status import render_status
from tests.conftest import sources_config

DAY = dt.date(2024, 5, 6)
KEY = "nothing-lost-test-key-0123456789abcdef"
HEADER = (
    "call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    "caller_number,agent_id,notes\n"
)


def _call(call_id: str, start: str, notes: str = "ok", wait: int = 10) -> str:
    return f"{call_id},{start},PERMITS,{wait},20,resolved,Y,N,+1-217-555-0100,A1,{notes}\n"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    return sources_config(tmp_path, monkeypatch, KEY, ("contact_center",), stale_after_days=2)


def _drop(config: Config, name: str, text: str) -> Path:
    path = config.inbox(config.source("contact_center")) / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(config: Config, start: dt.date, end: dt.date) -> list[pipeline.LoadResult]:
    extract_source(config, "contact_center", start, end)
    return pipeline.load(config, start, end, ["contact_center"])


def _query(config: Config, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_row_of_every_file_is_accounted_for(config: Config) -> None:
    _drop(
        config,
        "calls.csv",
        HEADER
        + _call("C-1", "2024-05-06 08:00:00")  # line 2: loaded
        + _call("C-2", "2099-05-06 08:00:00")  # 3: implausible (a two-digit year gone wrong)
        + _call("C-3", "1970-01-01 00:00:00")  # 4: implausible (epoch default)
        + _call("C-4", "1900-01-01 00:00:00")  # 5: implausible (spreadsheet default)
        + _call("C-5", "2024-05-09 08:00:00")  # 6: plausible, another day: outside the interval
        + _call("C-6", "2024-05-06 25:61:00"),  # 7: unparseable: quarantined
    )
    (result,) = _load(config, DAY, DAY + dt.timedelta(days=1))
    assert result.is_reconciled
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (6, 1, 4)
    assert result.rows_outside_interval == 1
    reasons = _query(config, "select record_line, reason from ops.quarantine order by record_line")
    assert [line for line, _ in reasons] == [3, 4, 5, 7]
    assert all("implausible date" in str(reason) for _, reason in reasons[:3])
    assert "2099-05-06" in str(reasons[0][1]) and "fix the export" in str(reasons[0][1])
    (loads,) = _query(config, "select rows_read, rows_outside_interval from ops.loads")
    assert loads == (6, 1)


def test_quarantine_holds_each_bad_row_once_across_reruns(config: Config) -> None:
    _drop(
        config,
        "calls.csv",
        HEADER
        + _call("C-1", "2024-05-06 08:00:00")
        + _call("C-2", "2024-05-06 25:61:00")
        + _call("C-3", "2024-05-07 09:00:00")
        + _call("C-4", "1970-01-01 00:00:00"),
    )
    _load(config, DAY, DAY + dt.timedelta(days=3))
    assert _query(config, "select count(*) from ops.quarantine") == [(2,)]
    # A subrange rerun, then a nightly run over the same re-read inbox: still two entries.
    _load(config, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2))
    _load(config, DAY + dt.timedelta(days=3), DAY + dt.timedelta(days=4))
    assert _query(
        config, "select count(*), count(distinct (record_file, record_line, reason)) from ops.quarantine"
    ) == [(2, 2)]


def test_conflicting_duplicates_are_recorded_with_both_hashes(config: Config) -> None:
    _drop(
        config,
        "calls.csv",
        HEADER
        + _call("C-1", "2024-05-06 08:00:00", "first version", wait=10)
        + _call("C-2", "2024-05-06 09:00:00")
        + _call("C-2", "2024-05-06 09:00:00")  # a plain duplicate: same content
        + _call("C-1", "2024-05-06 08:00:00", "second version", wait=99),  # same id, other content
    )
    (result,) = _load(config, DAY, DAY + dt.timedelta(days=1))
    assert result.is_reconciled and result.rows_duplicate == 2 and result.rows_conflicting == 1
    (conflict,) = _query(
        config, "select kept_line, other_line, kept_hash, other_hash, key_hash from ops.conflicts"
    )
    assert conflict[:2] == (5, 2) and conflict[2] != conflict[3] and len(str(conflict[4])) == 32
    assert _query(config, "select wait_seconds from raw.contact_call where call_id = 'C-1'") == [(99,)]
    # A rerun replaces, never adds, the record of the conflict.
    _load(config, DAY, DAY + dt.timedelta(days=1))
    assert _query(config, "select count(*) from ops.conflicts") == [(1,)]


def test_empty_nights_are_stale_and_status_counts_partitions_as_they_stand(config: Config) -> None:
    _drop(
        config,
        "calls.csv",
        HEADER + _call("C-1", "2024-05-06 08:00:00") + _call("C-2", "2024-05-07 08:00:00"),
    )
    _load(config, DAY, DAY + dt.timedelta(days=2))
    _load(config, DAY, DAY + dt.timedelta(days=2))  # a rerun: partitions replaced, not added
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        (fresh,) = source_freshness(con, config.stale_after_days())
        assert (fresh.partitions, fresh.rows_loaded, fresh.is_stale) == (2, 2, False)
        assert fresh.newest_record_at is not None and fresh.newest_record_at.date() == DAY + dt.timedelta(1)
    # Two nights with no new exports: the source is loaded "up to date" but has no data since the 7th.
    _load(config, DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=4))
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        (fresh,) = source_freshness(con, config.stale_after_days())
        status = render_status(con, config.stale_after_days())
    assert fresh.partitions == 4 and fresh.last_day_with_data == DAY + dt.timedelta(days=1)
    assert fresh.is_stale and fresh.days_without_data == 2
    assert "STALE contact_center: no new data since 2024-05-07" in status
    assert status.splitlines()[1].split()[2] == "4"
