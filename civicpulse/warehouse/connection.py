"""Where the warehouse lives and how it is opened: the single writer, locked-down readers, the write
lock, temp copies and compaction.

Every file name of the warehouse comes from here: the writer's file is `warehouse.path` of the config
(the storage location and catalog are configuration, so a DuckLake or MotherDuck catalog later is a
change here, not in the lifecycle), the published copy and the extract's state copy sit beside it
(`<name>.published.duckdb`, `<name>.state.duckdb`), the marts exports in `exports_path`, and every temp
copy is `.<final name>.<32 hex>` beside its final file until it is renamed into place.
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
from civicpulse.pseudonym_key import check_fingerprint, record_fingerprint, resolve_key

if TYPE_CHECKING:
    from civicpulse.streams import Stream

log = logging.getLogger(__name__)

PUBLISHED_SUFFIX = ".published.duckdb"
STATE_SUFFIX = ".state.duckdb"
WITHDRAWN_SUFFIX = ".published.withdrawn"
# Analyst connections: no file, network or extension access, and no way to turn that back on.
READER_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
}
_TEMP_NAME = r"\.{name}\.[0-9a-f]{{32}}(?:\.wal)?"
# export_path's temp files: .<table>.<uuid hex>.parquet
EXPORT_TEMP = re.compile(r"\.\w+\.[0-9a-f]{32}\.parquet")

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


def withdrawn_path(config: Config) -> Path:
    """Says why there is no published copy, when one was withdrawn (see warehouse.publish.withdraw)."""
    return config.warehouse_path.with_suffix(WITHDRAWN_SUFFIX)


def export_path(config: Config, table: str) -> Path:
    """The Parquet export of one marts table."""
    return config.exports_path / f"{table}.parquet"


def temp_beside(final: Path) -> Path:
    """A fresh temp name beside `final`, renamed over it once written (remove_orphans knows the form)."""
    if final.suffix == ".parquet":
        return final.with_name(f".{final.stem}.{uuid.uuid4().hex}.parquet")
    return final.with_name(f".{final.name}.{uuid.uuid4().hex}")


def exists(config: Config) -> bool:
    """Whether the warehouse has been created (by a writer session) yet."""
    return config.warehouse_path.is_file()


@contextmanager
def snapshot(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the writer's file (not the published copy): it keeps a writer out
    while it is open. For copying out of the warehouse, never for analysts."""
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        _session(con)
        yield con
    finally:
        con.close()


class WarehouseUnavailable(ValueError):
    """The published copy cannot be opened (locked, damaged, withdrawn); the message names the fix."""


@contextmanager
def writer(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """The single writing connection: orphan temp copies removed, schemas ensured, UDFs registered."""
    from civicpulse.streams import load_streams

    path = config.warehouse_path
    path.parent.mkdir(parents=True, exist_ok=True)
    key = resolve_key(config)
    con = duckdb.connect(str(path), config={"threads": config.settings.writer_threads})
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
    withdrawn = withdrawn_path(config)
    if not path.is_file() and withdrawn.is_file():
        raise WarehouseUnavailable(withdrawn.read_text(encoding="utf-8").strip())
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


def compact(config: Config) -> None:
    """Rewrite the writer's file so deleted rows leave no trace in its free blocks (after an erasure or a
    key rotation). A temp copy that a kill leaves behind is removed by the next writer session."""
    path = config.warehouse_path
    temp = temp_beside(path)
    con = duckdb.connect()
    try:
        # ATTACH takes no bound parameters: the paths are quoted as SQL string literals.
        con.execute(f"attach {_literal(path)} as old (read_only)")
        con.execute(f"attach {_literal(temp)} as new")
        con.execute("copy from database old to new")
        con.execute("detach old")
        con.execute("detach new")
    except BaseException:
        temp.unlink(missing_ok=True)
        temp.with_name(temp.name + ".wal").unlink(missing_ok=True)
        raise
    finally:
        con.close()
    crash_point("forget.mid_compaction")
    os.replace(temp, path)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


class WarehouseLocked(RuntimeError):
    pass


def assert_writable(config: Config) -> None:
    """Fail at once, in one line, when another process holds the warehouse's write lock."""
    path = config.warehouse_path
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        holder = re.search(r"PID (\d+)", str(exc))
        who = f"process {holder.group(1)}" if holder else "another process"
        raise WarehouseLocked(
            f"{path} is being written by {who} (a run, a load or `civicpulse forget`); "
            "wait for it to finish and run again (readers use the published copy and never block)"
        ) from None


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
