"""Running the same interval again gives bit-identical core and marts (load metadata aside): every
ranking has a unique tie-breaker and every published float is the same to the last bit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from civicpulse.config import Config, load_config
from civicpulse.demo import generate
from civicpulse.pipeline import run_interval
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.warehouse.connection import reader
from tests.conftest import write_project_config

START = dt.date(2026, 6, 10)
END = dt.date(2026, 6, 20)
LOAD_METADATA = {"load_id", "loaded_at", "scored_at", "matched_at"}


def _snapshot(config: Config) -> dict[str, list[tuple[object, ...]]]:
    tables: dict[str, list[tuple[object, ...]]] = {}
    with reader(config) as con:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('core', 'marts') order by 1"
        ).fetchall()
        for (name,) in names:
            columns = [
                c
                for (c,) in con.execute(f"select column_name from (describe {name})").fetchall()
                if c not in LOAD_METADATA
            ]
            select = ", ".join(columns)
            rows = con.execute(f"select {select} from {name} order by all").fetchall()
            (checksum,) = con.execute(
                f"select md5(coalesce(string_agg(row_text, '\n' order by row_text), '')) "
                f"from (select ({select})::varchar as row_text from {name})"
            ).fetchone() or ("",)
            tables[name] = [*rows, ("checksum", checksum)]
    return tables


def _city(tmp_path: Path) -> Config:
    config = load_config(write_project_config(tmp_path))
    generate(tmp_path / "var" / "demo-exports", start=START, days=(END - START).days, seed=3, scale=0.5)
    ensure_demo_key(config)
    return config


def test_same_interval_twice_is_identical(tmp_path: Path) -> None:
    config = _city(tmp_path)
    run_interval(config, START, END)
    first = _snapshot(config)
    run_interval(config, START, END)
    second = _snapshot(config)
    assert first.keys() == second.keys()
    assert "core.fact_feedback" in first and len(first["core.fact_feedback"]) > 100
    for table in first:
        assert first[table] == second[table], f"{table} changed on rerun"

    rerun_day = START + dt.timedelta(days=3)
    run_interval(config, rerun_day, rerun_day + dt.timedelta(days=1))
    assert _snapshot(config) == first, "re-running one day inside the interval changes nothing"

    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        loads = con.execute("select count(*), count(distinct load_id) from ops.loads").fetchone()
    assert loads is not None and loads[0] == loads[1] == 6 * ((END - START).days * 2 + 1)
