"""Publish: copy the warehouse contract out of the writer's file for readers, or withdraw it.

The published copy is the warehouse contract only: `core`, `marts`, the `ops` tables in
PUBLISHED_OPS_TABLES and the analyst macros, copied into a fresh file (so no deleted or private
block of the writer's file comes along). `raw`, `staging`, quarantine contents, caches of resident
text, responses, erasure logs and cursors never leave the writer. The extract's own state (cursors,
erased pseudonyms) goes to a separate state copy that no analyst path opens.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from civicpulse.config import Config
from civicpulse.crashpoints import crash_point
from civicpulse.paths import SQL_DIR
from civicpulse.warehouse.connection import (
    published_path,
    snapshot,
    state_path,
    temp_beside,
    withdrawn_path,
)

PUBLISHED_SCHEMAS = ("core", "marts")
# ops tables without personal data: load bookkeeping (freshness), data-quality results, model
# timings, the service list and run settings (read by the setting() and local_day() macros).
PUBLISHED_OPS_TABLES = ("loads", "dq_results", "model_runs", "services", "settings", "unused_fields")
# What the extract reads without opening the writer's file; never part of the published copy.
STATE_OPS_TABLES = ("source_state", "erased_keys")
# Macros of sql/ddl/macros.sql that read a table the published copy does not hold.
PRIVATE_MACROS = ("is_erased", "best_rule_match")

_Copy = Callable[[duckdb.DuckDBPyConnection, str], None]


def publish(config: Config, con: duckdb.DuckDBPyConnection | None = None) -> Path:
    """Write the contract (see the module docstring) to a fresh file and rename it over the published
    copy; the same for the extract's state copy. `con` is the writer's connection; without it the
    warehouse is opened read-only, which also keeps a writer out until the copy is done."""
    if con is None:
        with snapshot(config) as own:
            return publish(config, own)
    _write(con, {published_path(config): _copy_contract, state_path(config): _copy_state})
    withdrawn_path(config).unlink(missing_ok=True)
    return published_path(config)


def publish_state(config: Config, con: duckdb.DuckDBPyConnection) -> Path:
    """Only the extract's state copy (cursors, erased pseudonyms), e.g. when the contract is withheld."""
    _write(con, {state_path(config): _copy_state})
    return state_path(config)


def withdraw(config: Config, why: str) -> None:
    """Take the published copy and the marts exports away from readers, leaving `why` for them.

    For when the last published copy must not be read any more (it holds a person who has been erased)
    and the rebuilt warehouse may not be published either (it failed the quality gate)."""
    note = withdrawn_path(config)
    temp = temp_beside(note)
    temp.write_text(why + "\n", encoding="utf-8")
    os.replace(temp, note)
    published_path(config).unlink(missing_ok=True)
    exports = config.exports_path
    for export in sorted(exports.glob("*.parquet")) if exports.is_dir() else []:
        export.unlink(missing_ok=True)


def _write(con: duckdb.DuckDBPyConnection, targets: dict[Path, _Copy]) -> None:
    source = _catalog(con)
    temps: dict[Path, Path] = {}
    try:
        for target, copy in targets.items():
            temp = temp_beside(target)
            temps[target] = temp
            con.execute(f"attach {_literal(temp)} as civicpulse_publish (read_only false)")
            try:
                copy(con, source)
            finally:
                con.execute(f"use {_identifier(source)}")
                con.execute("detach civicpulse_publish")
    except BaseException:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise
    crash_point("publish.before_rename")
    for target, temp in temps.items():
        os.replace(temp, target)
    crash_point("publish.after_rename")


def _copy_contract(con: duckdb.DuckDBPyConnection, source: str) -> None:
    _copy_tables(con, source, _tables(con, source, PUBLISHED_SCHEMAS, PUBLISHED_OPS_TABLES))
    con.execute("use civicpulse_publish")
    for statement in con.extract_statements((SQL_DIR / "ddl" / "macros.sql").read_text()):
        if not any(f"macro {name}(" in statement.query for name in PRIVATE_MACROS):
            con.execute(statement.query)


def _copy_state(con: duckdb.DuckDBPyConnection, source: str) -> None:
    _copy_tables(con, source, _tables(con, source, (), STATE_OPS_TABLES))


def _tables(
    con: duckdb.DuckDBPyConnection, source: str, schemas: tuple[str, ...], ops: tuple[str, ...]
) -> list[tuple[str, str]]:
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "and (list_contains(?, schema_name) or (schema_name = 'ops' and list_contains(?, table_name))) "
        "order by 1, 2",
        [source, list(schemas), list(ops)],
    ).fetchall()
    return [(str(schema), str(table)) for schema, table in rows]


def _copy_tables(con: duckdb.DuckDBPyConnection, source: str, tables: list[tuple[str, str]]) -> None:
    """Each table with its table and column comments. The comments of every table are read in one
    query each: duckdb_tables() and duckdb_columns() list every attached catalog, tens of ms a call."""
    table_comments = {
        (str(schema), str(table)): str(text)
        for schema, table, text in con.execute(
            "select schema_name, table_name, comment from duckdb_tables() where database_name = ? "
            "and comment is not null and comment <> ''",
            [source],
        ).fetchall()
    }
    column_comments: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, text in con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and comment is not null order by schema_name, table_name, column_index",
        [source],
    ).fetchall():
        column_comments.setdefault((str(schema), str(table)), []).append((str(column), str(text)))
    for schema in dict.fromkeys(schema for schema, _ in tables):
        con.execute(f"create schema if not exists civicpulse_publish.{_identifier(schema)}")
    for schema, table in tables:
        name = f"{_identifier(schema)}.{_identifier(table)}"
        con.execute(f"create table civicpulse_publish.{name} as select * from {_identifier(source)}.{name}")
        comment = table_comments.get((schema, table))
        if comment:
            con.execute(f"comment on table civicpulse_publish.{name} is {_quote(comment)}")
        for column, text in column_comments.get((schema, table), []):
            target = f"civicpulse_publish.{name}.{_identifier(column)}"
            con.execute(f"comment on column {target} is {_quote(text)}")


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select current_database()").fetchone()
    return str(row[0]) if row else "memory"


def _literal(path: Path) -> str:
    return _quote(str(path))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
