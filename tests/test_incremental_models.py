"""A staging model updated for the changed (source, day) partitions only equals the same model built
in full: for a re-sent day that lost a record kept by an older day, lost a record for good, brought
new keys, and for raw keys that share one output key."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import duckdb
import pytest

from civicpulse.warehouse.incremental import parse_incremental, update_partitions
from civicpulse.warehouse.models import Model, run_models

D1, D2, D3 = dt.date(2026, 6, 1), dt.date(2026, 6, 2), dt.date(2026, 6, 3)

# Dedups across partitions (newest load wins), folds case in its output key like stg_web_searches.
SQL = """-- incremental: raw.things by source, thing
-- incremental match: t.source = k.source
-- incremental match: t.thing_key = lower(k.thing)
select
    source,
    lower(thing) as thing_key,
    thing,
    amount * 10 as amount,
    load_id
from raw.things
qualify row_number() over (partition by source, thing order by loaded_at desc, partition_day desc) = 1"""


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw; create schema staging; create schema ops")
    con.execute(
        "create table raw.things (source varchar, partition_day date, load_id varchar, loaded_at integer, "
        "thing varchar, amount integer)"
    )
    con.execute("create table ops.loads (load_id varchar, source varchar, partition_day date)")
    con.execute(
        "create table ops.model_runs (run_id varchar, model varchar, kind varchar, row_count bigint, "
        "seconds double, finished_at timestamptz)"
    )
    return con


def _load(
    con: duckdb.DuckDBPyConnection, source: str, day: dt.date, load: int, rows: list[tuple[str, int]]
) -> None:
    """What the loader does: the day's rows replace the partition, under a new load id."""
    load_id = f"{source}-{day}-{load}"
    con.execute("delete from raw.things where source = ? and partition_day = ?", [source, day])
    con.execute("insert into ops.loads values (?, ?, ?)", [load_id, source, day])
    for thing, amount in rows:
        con.execute(
            "insert into raw.things values (?, ?, ?, ?, ?, ?)", [source, day, load_id, load, thing, amount]
        )


def _model() -> Model:
    return Model(
        "staging.things",
        "sql",
        ("staging.things",),
        frozenset({"raw.things"}),
        SQL,
        incremental=parse_incremental(SQL, "things.sql"),
    )


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("select * from staging.things order by all").fetchall()


def test_updating_changed_partitions_equals_a_full_build() -> None:
    con = _warehouse()
    _load(con, "a", D1, 1, [("kept", 1), ("moved", 2), ("Case", 3)])
    _load(con, "a", D2, 2, [("moved", 20), ("dropped", 4), ("same", 5)])
    _load(con, "b", D2, 3, [("moved", 7)])
    run_models(con, [_model()], run_id="first")
    assert ("a", "moved", "moved", 200, "a-2026-06-02-2") in _rows(con)

    # Day 2 of source a is re-sent without "moved" (day 1 still has it) and "dropped" (gone for good);
    # day 3 brings a new key and "case", which shares its output key with day 1's "Case".
    _load(con, "a", D2, 4, [("same", 5), ("new", 6)])
    _load(con, "a", D3, 5, [("case", 8)])
    run_models(con, [_model()], run_id="incremental", changed=[("a", D2), ("a", D3)])
    updated = _rows(con)

    con.execute("drop table staging.things")
    run_models(con, [_model()], run_id="full")
    assert updated == _rows(con)
    things = {(row[0], row[2]) for row in updated}
    assert ("a", "dropped") not in things and {
        ("a", "moved"),
        ("a", "Case"),
        ("a", "case"),
        ("b", "moved"),
    } <= things
    assert ("a", "moved", "moved", 20, "a-2026-06-01-1") in updated
    kinds = dict(con.execute("select run_id, kind from ops.model_runs").fetchall())
    assert kinds == {"first": "sql", "incremental": "sql incremental", "full": "sql"}


class _Recording:
    """A connection that records the statements it runs."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.statements: list[str] = []

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        self.statements.append(sql)
        return self.con.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        self.statements.append(sql)
        return self.con.executemany(sql, *args)


def test_an_update_evaluates_which_rows_go_once() -> None:
    con = _warehouse()
    _load(con, "a", D1, 1, [("kept", 1), ("Case", 3)])
    _load(con, "a", D2, 2, [("moved", 20), ("same", 5)])
    run_models(con, [_model()], run_id="first")
    _load(con, "a", D2, 3, [("same", 6)])
    _load(con, "a", D3, 4, [("case", 8)])
    spec = parse_incremental(SQL, "things.sql")
    assert spec is not None
    recording = _Recording(con)
    update_partitions(
        cast(duckdb.DuckDBPyConnection, recording), "staging.things", SQL, spec, [("a", D2), ("a", D3)]
    )
    updated = _rows(con)
    gone = "t.load_id in (select load_id from _cp_loads)"
    assert sum(gone in statement for statement in recording.statements) == 1
    con.execute("drop table staging.things")
    run_models(con, [_model()], run_id="full")
    assert updated == _rows(con)


def test_an_incremental_header_without_its_match_names_the_file() -> None:
    with pytest.raises(ValueError, match=r"^things\.sql: an incremental model needs both"):
        parse_incremental("-- incremental: raw.things by source, thing\nselect 1", "things.sql")
    with pytest.raises(ValueError, match=r"things\.sql: incremental key columns must be plain column names"):
        parse_incremental(
            "-- incremental: raw.things by lower(thing)\n-- incremental match: true\nselect 1", "things.sql"
        )
    assert parse_incremental("select 1", "things.sql") is None
