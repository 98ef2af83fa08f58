"""The DuckDB warehouse: one writer connection at a time, read-only readers, the published copy."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from civicpulse.config import Config
from civicpulse.paths import SQL_DIR

# The key's resolution lives in civicpulse.pseudonym_key; these stay importable from here.
from civicpulse.pseudonym_key import PSEUDONYM_KEY_ENV as PSEUDONYM_KEY_ENV
from civicpulse.pseudonym_key import check_fingerprint, record_fingerprint, resolve_key
from civicpulse.pseudonym_key import ensure_demo_key as ensure_demo_key
from civicpulse.pseudonym_key import pseudonym_key as pseudonym_key
from civicpulse.streams import Stream, load_streams

PUBLISHED_SUFFIX = ".published.duckdb"

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


@contextmanager
def writer(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """The single writing connection: schemas ensured, UDFs for staging registered."""
    path = config.warehouse_path
    path.parent.mkdir(parents=True, exist_ok=True)
    key = resolve_key(config)
    con = duckdb.connect(str(path))
    try:
        _session(con)
        check_fingerprint(con, key, path)
        for ddl in sorted((SQL_DIR / "ddl").glob("ops*.sql")):
            con.execute(ddl.read_text())
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
    """A read-only connection to the published copy, so reading never blocks the nightly writer."""
    path = published_path(config)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist yet: run `civicpulse run --start D --end D` (or the Airflow DAG) first"
        )
    con = duckdb.connect(str(path), read_only=True)
    try:
        _session(con)
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


def publish(config: Config) -> Path:
    """Copy the checkpointed warehouse to the read-only published file, atomically."""
    target = published_path(config)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    shutil.copyfile(config.warehouse_path, temp)
    os.replace(temp, target)
    return target
