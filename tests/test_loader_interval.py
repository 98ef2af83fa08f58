"""The writer loads a source's whole interval at once (one scan per stream, one transaction): the same
partitions, counts and conflicts as loading its days one by one, and nothing at all when one day fails."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from civicpulse.config import Config
from civicpulse.landing import MANIFEST, Manifest, write_day
from civicpulse.loader import ReconciliationError, load_day, load_source
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.sources import Record, RowProblem
from civicpulse.warehouse.connection import writer

START = dt.date(2026, 6, 15)
DAYS = [START + dt.timedelta(days=n) for n in range(3)]
COUNTS = "rows_read, rows_loaded, rows_duplicate, rows_quarantined, rows_conflicting, newest_record_at"


@pytest.fixture
def config(project_config: Config) -> Config:
    ensure_demo_key(project_config)
    return project_config


def _post(day: dt.date, native_id: str, text: str, line: int) -> Record:
    values = {
        "native_id": native_id,
        "occurred_at": dt.datetime(day.year, day.month, day.day, 8 + int(native_id), tzinfo=dt.UTC),
        "platform": "x",
        "author_id": "42",
        "author_handle": "resident42",
        "text": text,
        "hashtags": ["rivertondmv"],
    }
    return Record("social_post", values, f"page-{day}.json", line)


def _land(config: Config, day: dt.date, records: list[Record], problems: list[RowProblem]) -> Path:
    manifest = Manifest(
        source="x_riverton",
        connector="x",
        day=day.isoformat(),
        files=(f"page-{day}.json",),
        rows_read=len(records) + len(problems),
        rows_quarantined=len(problems),
        streams={"social_post": len(records)},
    )
    return write_day(config.landing_path, manifest, {"social_post": records}, problems)


def _land_interval(config: Config) -> list[Path]:
    """Per day: a record, the same record again, the same id with other text (a conflict), and one bad row;
    the id "1" every day, to show partitions stay apart."""
    return [
        _land(
            config,
            day,
            [
                _post(day, "1", f"site down on {day}", 1),
                _post(day, "1", f"site down on {day}", 2),
                _post(day, "2", "first version", 3),
                _post(day, "2", "edited version", 4),
            ],
            [RowProblem(f"page-{day}.json", 5, "field 'occurred_at' is not a timestamp", "{...}")],
        )
        for day in DAYS
    ]


def _state(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {
        "raw": con.execute(
            "select partition_day, native_id, text, record_line from raw.social_post order by all"
        ).fetchall(),
        "quarantine": con.execute(
            "select partition_day, record_file, record_line, reason from ops.quarantine order by all"
        ).fetchall(),
        "conflicts": con.execute(
            "select partition_day, key_hash, kept_hash, kept_line, other_hash, other_line "
            "from ops.conflicts order by all"
        ).fetchall(),
        "loads": con.execute(
            f"select partition_day, {COUNTS} from ops.loads "
            "qualify row_number() over (partition by partition_day order by loaded_at desc) = 1 order by all"
        ).fetchall(),
    }


def test_an_interval_loads_as_its_days_one_by_one(config: Config) -> None:
    folders = _land_interval(config)
    with writer(config) as con:
        results = load_source(con, config, "x_riverton", DAYS[0], DAYS[-1] + dt.timedelta(days=1))
        at_once = _state(con)
        for folder in folders:
            load_day(con, folder)
        one_by_one = _state(con)
        assert con.execute("select count(distinct load_id) from ops.loads").fetchone() == (6,)
    assert at_once == one_by_one
    assert [
        (r.day, r.rows_loaded, r.rows_duplicate, r.rows_quarantined, r.rows_conflicting) for r in results
    ] == [(day, 2, 2, 1, 1) for day in DAYS]
    assert all(r.is_reconciled for r in results)
    assert [(day, line) for day, _, text, line in at_once["raw"] if text == "edited version"] == [
        (day, 4) for day in DAYS
    ], "the last occurrence of a key is kept, per day"
    assert [(day, kept, other) for day, _, _, kept, _, other in at_once["conflicts"]] == [
        (day, 4, 3) for day in DAYS
    ]
    assert [row[0] for row in at_once["quarantine"]] == DAYS


def test_a_day_that_does_not_reconcile_loads_none_of_the_interval(config: Config) -> None:
    folders = _land_interval(config)
    manifest = json.loads((folders[1] / MANIFEST).read_text())
    manifest["rows_read"] = 9
    (folders[1] / MANIFEST).write_text(json.dumps(manifest))
    with writer(config) as con:
        with pytest.raises(ReconciliationError, match=rf"{folders[1]}: rows read 9 "):
            load_source(con, config, "x_riverton", DAYS[0], DAYS[-1] + dt.timedelta(days=1))
        state = _state(con)
    assert state == {"raw": [], "quarantine": [], "conflicts": [], "loads": []}
