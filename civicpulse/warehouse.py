"""The DuckDB warehouse: one writer connection at a time, locked-down readers, the published copy.

The published copy is the warehouse contract only: `core`, `marts`, the `ops` tables in
PUBLISHED_OPS_TABLES and the analyst macros, copied into a fresh file (so no deleted or private
block of the writer's file comes along). `raw`, `staging`, quarantine contents, caches of resident
text, responses, erasure logs and cursors never leave the writer. The extract's own state (cursors,
erased pseudonyms) goes to a separate state copy that no analyst path opens.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from civicpulse.config import Config
from civicpulse.crashpoints import crash_point
from civicpulse.migrations import migrate
from civicpulse.paths import SQL_DIR

# The key's resolution lives in civicpulse.pseudonym_key; these stay importable from here.
from civicpulse.pseudonym_key import PSEUDONYM_KEY_ENV as PSEUDONYM_KEY_ENV
from civicpulse.pseudonym_key import check_fingerprint, record_fingerprint, resolve_key
from civicpulse.pseudonym_key import ensure_demo_key as ensure_demo_key
from civicpulse.pseudonym_key import pseudonym_key as pseudonym_key

if TYPE_CHECKING:
    from civicpulse.streams import Stream

log = logging.getLogger(__name__)

PUBLISHED_SUFFIX = ".published.duckdb"
STATE_SUFFIX = ".state.duckdb"
PUBLISHED_SCHEMAS = ("core", "marts")
# ops tables without personal data: load bookkeeping (freshness), data-quality results, model
# timings, the service list and run settings (read by the setting() and local_day() macros).
PUBLISHED_OPS_TABLES = ("loads", "dq_results", "model_runs", "services", "settings", "unused_fields")
# What the extract reads without opening the writer's file; never part of the published copy.
STATE_OPS_TABLES = ("source_state", "erased_keys")
# Macros of sql/ddl/macros.sql that read a table the published copy does not hold.
PRIVATE_MACROS = ("is_erased",)
# Analyst connections: no file, network or extension access, and no way to turn that back on.
READER_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
}
_TEMP_NAME = r"\.{name}\.[0-9a-f]{{32}}(?:\.wal)?"

_SQL_TYPES = {
    "string": "varchar",
    "int64": "bigint",
    "float64": "double",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
    "list<string>": "varchar[]",
}


def published_path(config: Config) -> Path:
    return config.warehouse_path.with_suffix(PUBLISHED_SUFFIX)


def state_path(config: Config) -> Path:
    """The extract's copy of the cursors and erased pseudonyms (written by `publish`)."""
    return config.warehouse_path.with_suffix(STATE_SUFFIX)


class WarehouseUnavailable(ValueError):
    """The published copy cannot be opened (locked, damaged); the message names the fix."""


@contextmanager
def writer(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """The single writing connection: orphan temp copies removed, schemas ensured, UDFs registered."""
    from civicpulse.streams import load_streams

    path = config.warehouse_path
    path.parent.mkdir(parents=True, exist_ok=True)
    key = resolve_key(config)
    con = duckdb.connect(str(path))
    try:
        # Every temp copy is written under the warehouse's lock, so one found now is an orphan.
        remove_orphans(config)
        _session(con)
        check_fingerprint(con, key, path)
        migrate(con, path)
        record_fingerprint(con, key)
        for stream in load_streams().values():
            con.execute(raw_table_ddl(stream))
        register_udfs(con, key.key, config.settings.privacy.account_patterns)
        yield con
        con.execute("checkpoint")
    finally:
        con.close()


@contextmanager
def reader(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """A locked-down read-only connection to the published copy (never blocks the nightly writer):
    no file, network or extension access, configuration locked."""
    path = published_path(config)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist yet: run `civicpulse run --start D --end D` (or the Airflow DAG) first"
        )
    try:
        con = duckdb.connect(str(path), read_only=True, config=READER_CONFIG)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WarehouseUnavailable(
            f"{path} cannot be opened ({first}); if another process holds it, wait for it to finish "
            "and retry, else republish it with `civicpulse build`"
        ) from None
    try:
        # The lock is global: a second reader of the same file in this process shares the instance.
        locked = con.execute("select current_setting('lock_configuration')").fetchone()
        if not (locked and locked[0]):
            con.execute("set global TimeZone = 'UTC'")
            con.execute("set global lock_configuration = true")
        yield con
    finally:
        con.close()


def _session(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("set TimeZone = 'UTC'")


def raw_table_ddl(stream: Stream) -> str:
    columns = ",\n    ".join(f"{c.name} {_SQL_TYPES[c.type]}" for c in stream.columns)
    return (
        f"create table if not exists raw.{stream.name} (\n"
        "    source varchar not null,\n"
        "    partition_day date not null,\n"
        "    load_id varchar not null,\n"
        "    loaded_at timestamptz not null,\n"
        f"    {columns},\n"
        "    record_file varchar not null,\n"
        "    record_line bigint not null\n"
        ")"
    )


def register_udfs(con: duckdb.DuckDBPyConnection, key: bytes, account_patterns: tuple[str, ...] = ()) -> None:
    from transforms.privacy import Redactor, pseudonymize

    redact = Redactor(account_patterns)

    def _pseudonymize(namespace: str, value: str) -> str:
        return str(pseudonymize(key, value, namespace))

    con.create_function("redact_pii", redact, ["VARCHAR"], "VARCHAR", side_effects=False)
    con.create_function("pseudonymize", _pseudonymize, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=False)


def publish(config: Config, con: duckdb.DuckDBPyConnection | None = None) -> Path:
    """Write the contract (see the module docstring) to a fresh file and rename it over the published
    copy; the same for the extract's state copy. `con` is the writer's connection; without it the
    warehouse is opened read-only, which also keeps a writer out until the copy is done."""
    if con is None:
        with duckdb.connect(str(config.warehouse_path), read_only=True) as own:
            return publish(config, own)
    source = _catalog(con)
    targets = {published_path(config): _copy_contract, state_path(config): _copy_state}
    temps: dict[Path, Path] = {}
    try:
        for target, copy in targets.items():
            temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
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
    return published_path(config)


def _copy_contract(con: duckdb.DuckDBPyConnection, source: str) -> None:
    for schema, table in _tables(con, source, PUBLISHED_SCHEMAS, PUBLISHED_OPS_TABLES):
        _copy_table(con, source, schema, table)
    con.execute("use civicpulse_publish")
    for statement in con.extract_statements((SQL_DIR / "ddl" / "macros.sql").read_text()):
        if not any(f"macro {name}(" in statement.query for name in PRIVATE_MACROS):
            con.execute(statement.query)


def _copy_state(con: duckdb.DuckDBPyConnection, source: str) -> None:
    for schema, table in _tables(con, source, (), STATE_OPS_TABLES):
        _copy_table(con, source, schema, table)


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


def _copy_table(con: duckdb.DuckDBPyConnection, source: str, schema: str, table: str) -> None:
    name = f"{_identifier(schema)}.{_identifier(table)}"
    con.execute(f"create schema if not exists civicpulse_publish.{_identifier(schema)}")
    con.execute(f"create table civicpulse_publish.{name} as select * from {_identifier(source)}.{name}")
    comment = con.execute(
        "select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
        [source, schema, table],
    ).fetchone()
    if comment and comment[0]:
        con.execute(f"comment on table civicpulse_publish.{name} is {_quote(str(comment[0]))}")
    for column, text in con.execute(
        "select column_name, comment from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ? and comment is not null",
        [source, schema, table],
    ).fetchall():
        con.execute(
            f"comment on column civicpulse_publish.{name}.{_identifier(str(column))} is {_quote(str(text))}"
        )


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select current_database()").fetchone()
    return str(row[0]) if row else "memory"


def remove_orphans(config: Config) -> list[Path]:
    """Delete temp copies a killed publish, compaction or export left behind: they hold everything."""
    folder = config.warehouse_path.parent
    names = (config.warehouse_path.name, published_path(config).name, state_path(config).name)
    pattern = re.compile("|".join(_TEMP_NAME.format(name=re.escape(n)) for n in names))
    found = [p for p in folder.iterdir() if pattern.fullmatch(p.name)] if folder.is_dir() else []
    exports = config.exports_path
    if exports.is_dir():
        found += [p for p in exports.iterdir() if EXPORT_TEMP.fullmatch(p.name)]
    for path in found:
        path.unlink(missing_ok=True)
        log.warning("removed %s, a temp copy left by an interrupted run", path)
    return found


# pipeline.export_marts writes .<table>.<uuid hex>.parquet before renaming it.
EXPORT_TEMP = re.compile(r"\.\w+\.[0-9a-f]{32}\.parquet")


def _literal(path: Path) -> str:
    return _quote(str(path))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
