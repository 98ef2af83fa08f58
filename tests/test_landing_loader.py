"""Landing is written atomically; the writer replaces a (source, day) partition, dedupes and reconciles."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from civicpulse.config import Config
from civicpulse.landing import (
    MANIFEST,
    QUARANTINE_SCHEMA,
    Manifest,
    _write_table,
    complete_days,
    day_folder,
    write_day,
)
from civicpulse.loader import ReconciliationError, load_day, load_source
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.sources import Record, RowProblem
from civicpulse.warehouse.connection import writer

DAY = dt.date(2026, 6, 15)


def _post(native_id: str, text: str, line: int, hour: int = 12) -> Record:
    values = {
        "native_id": native_id,
        "occurred_at": dt.datetime(2026, 6, 15, hour, tzinfo=dt.UTC),
        "platform": "x",
        "author_id": "42",
        "author_handle": "resident42",
        "text": text,
        "hashtags": ["rivertondmv"],
    }
    return Record("social_post", values, "page1.json", line)


def _land(config: Config, records: list[Record], problems: list[RowProblem] | None = None) -> Path:
    problems = problems or []
    manifest = Manifest(
        source="x_riverton",
        connector="x",
        day=DAY.isoformat(),
        files=("page1.json",),
        rows_read=len(records) + len(problems),
        rows_quarantined=len(problems),
        streams={"social_post": len(records)},
    )
    return write_day(config.landing_path, manifest, {"social_post": records}, problems)


@pytest.fixture
def config(project_config: Config) -> Config:
    ensure_demo_key(project_config)
    return project_config


def _raw(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("select native_id, text from raw.social_post order by native_id").fetchall()


def test_landing_folder_is_complete_or_absent(config: Config) -> None:
    folder = _land(config, [_post("1", "DMV site is down again", 1)])
    assert folder == day_folder(config.landing_path, "x_riverton", DAY)
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "quarantine.parquet", "social_post.parquet"]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")], "no temp folders left behind"
    assert complete_days(config.landing_path, "x_riverton", DAY, DAY + dt.timedelta(days=2)) == [folder]


def test_failed_write_leaves_the_previous_landing_intact(config: Config) -> None:
    _land(config, [_post("1", "first version", 1)])
    bad = Record("social_post", {"native_id": "2", "text": "no time"}, "page1.json", 2)
    with pytest.raises(Exception):  # noqa: B017 - any arrow error: the record breaks the schema
        _land(config, [bad])
    folder = day_folder(config.landing_path, "x_riverton", DAY)
    assert Manifest.read(folder).rows_read == 1
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


def test_load_replaces_the_partition_and_dedupes(config: Config) -> None:
    records = [
        _post("1", "DMV site is down", 1),
        _post("2", "still down", 2),
        _post("1", "DMV site is down", 3),
    ]
    problem = RowProblem("page1.json", 4, "field 'occurred_at' is not a timestamp: 'yesterday'", "{...}")
    folder = _land(config, records, [problem])
    with writer(config) as con:
        first = load_day(con, folder)
        assert (first.rows_read, first.rows_loaded, first.rows_duplicate, first.rows_quarantined) == (
            4,
            2,
            1,
            1,
        )
        assert first.is_reconciled
        assert _raw(con) == [("1", "DMV site is down"), ("2", "still down")]
        quarantine = con.execute("select record_file, record_line, reason from ops.quarantine").fetchall()
        assert quarantine == [("page1.json", 4, "field 'occurred_at' is not a timestamp: 'yesterday'")]

        folder = _land(config, [_post("2", "still down, edited", 1)])
        second = load_day(con, folder)
        assert second.rows_loaded == 1
        assert _raw(con) == [("2", "still down, edited")], "the day's old rows are replaced, not appended"
        assert con.execute("select count(*) from ops.quarantine").fetchone() == (0,)
        loads = con.execute("select rows_loaded, is_reconciled from ops.loads order by loaded_at").fetchall()
        assert loads == [(2, True), (1, True)]


def test_inconsistent_landing_fails_and_keeps_what_was_loaded(config: Config) -> None:
    with writer(config) as con:
        load_day(con, _land(config, [_post("1", "kept", 1)]))
        folder = _land(config, [_post("2", "new", 1)])
        manifest = json.loads((folder / MANIFEST).read_text())
        manifest["rows_read"] = 5
        (folder / MANIFEST).write_text(json.dumps(manifest))
        with pytest.raises(ReconciliationError, match="rows read 5"):
            load_day(con, folder)
        assert _raw(con) == [("1", "kept")], "the failed load rolled back"


def test_days_without_landing_are_skipped(config: Config) -> None:
    _land(config, [_post("1", "one", 1)])
    with writer(config) as con:
        results = load_source(
            con, config, "x_riverton", DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=2)
        )
    assert [r.day for r in results] == [DAY]


def test_day_without_bad_rows_lands_the_same_empty_quarantine_without_the_redactor(config: Config) -> None:
    folder = _land(config, [_post("1", "DMV site is down again", 1)])
    reference = config.landing_path / "reference.parquet"
    empty: dict[str, list[object]] = {name: [] for name in QUARANTINE_SCHEMA.names}
    _write_table(reference, pa.table(empty, schema=QUARANTINE_SCHEMA))
    assert (folder / "quarantine.parquet").read_bytes() == reference.read_bytes()
    # An extract process (one Airflow task per source) compiles the redaction patterns only for a bad row.
    script = (
        "import sys; from civicpulse.landing import _quarantine_table; _quarantine_table([]); "
        "assert 'transforms.privacy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
