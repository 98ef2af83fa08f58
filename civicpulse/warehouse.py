"""The DuckDB warehouse: one writer connection at a time, read-only readers, the published copy."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from civicpulse.config import Config, ConfigError
from civicpulse.crashpoints import crash_point
from civicpulse.paths import SQL_DIR
from civicpulse.streams import Stream, load_streams

PSEUDONYM_KEY_ENV = "CIVICPULSE_PSEUDONYM_KEY"
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
    con = duckdb.connect(str(path))
    try:
        _session(con)
        for ddl in sorted((SQL_DIR / "ddl").glob("ops*.sql")):
            con.execute(ddl.read_text())
        for stream in load_streams().values():
            con.execute(raw_table_ddl(stream))
        register_udfs(con, pseudonym_key(config), config.settings.privacy.account_patterns)
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


PSEUDONYM_CONN_ID = "civicpulse_pseudonym"
AIRFLOW_TASK_ENV = "AIRFLOW_CTX_DAG_ID"
MIN_KEY_LENGTH = 16


def pseudonym_key(config: Config) -> bytes:
    """The HMAC key for author pseudonyms: $CIVICPULSE_PSEUDONYM_KEY, else (inside an Airflow task) the
    password of the Airflow connection `civicpulse_pseudonym`, else the demo's key file. None of
    these is a start-up error: without the key nobody could group, erase or contact back a person."""
    key = os.environ.get(PSEUDONYM_KEY_ENV) or _airflow_key()
    origin = PSEUDONYM_KEY_ENV if os.environ.get(PSEUDONYM_KEY_ENV) else f"connection {PSEUDONYM_CONN_ID}"
    if not key:
        key_file = config.settings.paths.pseudonym_key_file
        if key_file is None:
            raise ConfigError(
                f"no pseudonymisation key: set {PSEUDONYM_KEY_ENV} (CLI), or the password of the Airflow "
                f"connection '{PSEUDONYM_CONN_ID}' (in Airflow); only the demo uses paths.pseudonym_key_file"
            )
        path = config.resolve(key_file)
        if not path.is_file():
            raise ConfigError(
                f"{config.path}: paths.pseudonym_key_file: {path} does not exist; "
                f"run `civicpulse demo-data` (demo) or set {PSEUDONYM_KEY_ENV}"
            )
        key, origin = path.read_text(encoding="utf-8").strip(), str(path)
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"the pseudonymisation key from {origin} is shorter than {MIN_KEY_LENGTH} characters; "
            "use a long random value, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return key.encode("utf-8")


def _airflow_key() -> str | None:
    if not os.environ.get(AIRFLOW_TASK_ENV):
        return None
    try:
        from airflow.sdk import Connection

        password = Connection.get(PSEUDONYM_CONN_ID).password
    except Exception:  # not defined: fall back to the demo key file, or fail with the message above
        return None
    return str(password) if password else None


def ensure_demo_key(config: Config) -> Path | None:
    key_file = config.settings.paths.pseudonym_key_file
    if key_file is None:
        return None
    path = config.resolve(key_file)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(uuid.uuid4().hex + uuid.uuid4().hex + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path


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
    crash_point("publish.before_rename")
    os.replace(temp, target)
    crash_point("publish.after_rename")
    return target
