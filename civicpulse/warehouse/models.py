"""Run the warehouse models in dependency order: SQL files in sql/<layer>/ and Python models.

A SQL model is one SELECT in `sql/<layer>/<name>.sql`, materialised as the table `<layer>.<name>`.
Its dependencies are the `<schema>.<table>` names it reads that another model produces.
A Python model declares the tables it reads and writes.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from civicpulse.crashpoints import crash_point
from civicpulse.paths import SQL_DIR
from civicpulse.warehouse.incremental import (
    IncrementalKey,
    IncrementalPeriods,
    Partition,
    digest_inputs,
    first_changed_period,
    parse_incremental,
    parse_periods,
    update_partitions,
    update_periods,
)

log = logging.getLogger(__name__)

LAYERS = ("staging", "core", "marts")
_TABLE_REFERENCE = re.compile(r"\b(raw|staging|core|marts|ops)\.([a-z_][a-z0-9_]*)\b")
_COMMENT = re.compile(r"--[^\n]*")

PythonModelFn = Callable[[duckdb.DuckDBPyConnection], int]


@dataclass(frozen=True)
class Model:
    name: str
    kind: str
    produces: tuple[str, ...]
    reads: frozenset[str]
    sql: str = ""
    run_python: PythonModelFn | None = field(default=None, compare=False)
    # staging models that can update only the keys of changed partitions (warehouse/incremental.py)
    incremental: IncrementalKey | None = None
    # models that can recompute only the periods their changed inputs reach (warehouse/incremental.py)
    periods: IncrementalPeriods | None = None


def sql_models(sql_dir: Path = SQL_DIR) -> list[Model]:
    models = []
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            name = f"{layer}.{path.stem}"
            sql = path.read_text(encoding="utf-8").strip().rstrip(";")
            references = {f"{s}.{t}" for s, t in _TABLE_REFERENCE.findall(_COMMENT.sub("", sql))}
            where = f"sql/{layer}/{path.name}"
            models.append(
                Model(
                    name,
                    "sql",
                    (name,),
                    frozenset(references - {name}),
                    sql,
                    incremental=parse_incremental(sql, where),
                    periods=parse_periods(sql, where),
                )
            )
    return models


def execution_order(models: Sequence[Model]) -> list[Model]:
    producer = {table: model for model in models for table in model.produces}
    graph: dict[str, set[str]] = {
        model.name: {producer[t].name for t in model.reads if t in producer and producer[t] is not model}
        for model in models
    }
    by_name = {model.name: model for model in models}
    return [by_name[name] for name in TopologicalSorter(graph).static_order()]


def new_run_id() -> str:
    """The id of one build: its ops.model_runs rows and its ops.dq_results rows share it."""
    return uuid.uuid4().hex[:12]


def run_models(
    con: duckdb.DuckDBPyConnection,
    models: Sequence[Model],
    *,
    select: Callable[[Model], bool] | None = None,
    run_id: str | None = None,
    changed: Sequence[Partition] | None = None,
) -> list[tuple[str, int, float]]:
    """Build every (selected) model in one transaction: readers see the old tables or all new ones.

    With `changed` (the (source, day) partitions loaded since the last build of the same models),
    an incremental model that exists already updates only what those partitions touch, and when every
    model is built, a model incremental by period recomputes only the periods its changed inputs reach."""
    run_id = run_id or new_run_id()
    timings: list[tuple[str, int, float]] = []
    con.execute("begin transaction")
    try:
        before = _digest_before(con, models) if changed is not None and select is None else {}
        for model in execution_order(models):
            if select is not None and not select(model):
                continue
            started = time.perf_counter()
            kind = model.kind
            if model.run_python is not None:
                rows = model.run_python(con)
            elif changed is not None and model.incremental is not None and _exists(con, model.name):
                kind = "sql incremental"  # ops.model_runs tells which build updated only the changed keys
                rows = _update(con, model, model.incremental, changed)
            elif model.name in before:
                kind, rows = _update_periods(con, model, before[model.name])
            else:
                rows = _materialise(con, model)
            seconds = time.perf_counter() - started
            con.execute(
                "insert into ops.model_runs values (?, ?, ?, ?, ?, now())",
                [run_id, model.name, kind, rows, seconds],
            )
            log.info("built %-40s %9d rows  %6.2fs", model.name, rows, seconds)
            timings.append((model.name, rows, seconds))
            crash_point(f"build.after.{model.name}")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return timings


def _materialise(con: duckdb.DuckDBPyConnection, model: Model) -> int:
    try:
        con.execute(f"create or replace table {model.name} as\n{model.sql}")
    except duckdb.Error as exc:
        raise RuntimeError(f"sql/{model.name.replace('.', '/')}.sql: {exc}") from exc
    row = con.execute(f"select count(*) from {model.name}").fetchone()
    return int(row[0]) if row else 0


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    schema, _, table = name.partition(".")
    row = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def _update(
    con: duckdb.DuckDBPyConnection, model: Model, spec: IncrementalKey, changed: Sequence[Partition]
) -> int:
    try:
        update_partitions(con, model.name, model.sql, spec, changed)
    except duckdb.Error as exc:
        raise RuntimeError(f"sql/{model.name.replace('.', '/')}.sql (incremental update): {exc}") from exc
    row = con.execute(f"select count(*) from {model.name}").fetchone()
    return int(row[0]) if row else 0


def _digest_before(con: duckdb.DuckDBPyConnection, models: Sequence[Model]) -> dict[str, str]:
    """The models incremental by period whose table was built in the last run that built any of its
    inputs: each gets a temp table of its inputs' digests before this build, by model name."""
    before: dict[str, str] = {}
    for model in models:
        if model.periods is None or not _exists(con, model.name):
            continue
        row = con.execute(
            "select max(finished_at) filter (where model = ?) "
            ">= max(finished_at) filter (where list_contains(?, model)) from ops.model_runs",
            [model.name, sorted(model.reads)],
        ).fetchone()
        if row and row[0]:
            before[model.name] = f"_cp_before_{len(before)}"
            digest_inputs(con, before[model.name], model.periods, sorted(model.reads))
    return before


def _update_periods(con: duckdb.DuckDBPyConnection, model: Model, before: str) -> tuple[str, int]:
    assert model.periods is not None
    try:
        digest_inputs(con, "_cp_after", model.periods, sorted(model.reads))
        first = first_changed_period(con, before, "_cp_after", model.periods.reach)
        log.info("%s: periods from %s recomputed", model.name, first)
        for temp in (before, "_cp_after"):
            con.execute(f"drop table {temp}")
        if first == "all":
            return model.kind, _materialise(con, model)
        if first != "none":
            update_periods(con, model.name, model.sql, model.periods, first)
    except duckdb.Error as exc:
        raise RuntimeError(f"sql/{model.name.replace('.', '/')}.sql (incremental by period): {exc}") from exc
    row = con.execute(f"select count(*) from {model.name}").fetchone()
    return "sql incremental", int(row[0]) if row else 0
