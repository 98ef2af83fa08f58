"""Versioned, forward-only migrations of the warehouse's schema (sql/migrations/NNNN_<name>.sql).

The writer calls `migrate` each time it opens the warehouse: the migrations not yet recorded in
`ops.schema_migrations` are applied in version order, in one transaction with their records, so a
failure leaves the warehouse as it was. A warehouse recording a version this code does not have
(written by a newer release) and a recorded migration whose file has changed since (checksum) are
refused before anything is written.

0001 is the baseline (the schema of release 3164758) and is idempotent, so a warehouse written before
migrations existed is adopted: the baseline runs over its tables, then their shape is compared with
the shape the migrations give an empty database and any missing or retyped column is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from civicpulse.paths import SQL_DIR

MIGRATIONS_DIR = SQL_DIR / "migrations"
_FILE_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
_LEDGER_DDL = """
create schema if not exists ops;
create table if not exists ops.schema_migrations (
    version integer primary key,
    name varchar not null,
    checksum varchar not null,
    applied_at timestamptz not null
)
"""


class MigrationError(ValueError):
    """The warehouse cannot be migrated by this code; the message names the file, versions and fix."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path
    sql: str = field(repr=False)

    @property
    def checksum(self) -> str:
        """sha256 of the file's text with line ends normalised (a checkout on Windows is not an edit)."""
        text = self.sql.replace("\r\n", "\n").replace("\r", "\n")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


@dataclass(frozen=True)
class Applied:
    version: int
    name: str
    checksum: str


def discover(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file of `folder` in version order; versions run 1, 2, 3... without gaps."""
    migrations: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.fullmatch(path.name)
        if match is None:
            raise MigrationError(
                f"{path}: a migration file is named NNNN_<lowercase_name>.sql "
                "(e.g. 0002_add_loads_note.sql); rename it"
            )
        migrations.append(Migration(int(match[1]), match[2], path, path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"{migration.path}: version {migration.version} where {expected} is expected; "
                "migration versions run 0001, 0002, ... without gaps or repeats: renumber the new file"
            )
    if not migrations:
        raise MigrationError(f"{folder}: no migration files; the baseline is 0001_baseline.sql")
    return migrations


def applied(con: duckdb.DuckDBPyConnection) -> list[Applied]:
    """The migrations recorded in the warehouse, in version order (none when it has no ledger yet)."""
    if not _has_table(con, "schema_migrations"):
        return []
    query = "select version, name, checksum from ops.schema_migrations order by version"
    rows = con.execute(query).fetchall()
    return [Applied(int(version), str(name), str(checksum)) for version, name, checksum in rows]


def migrate(
    con: duckdb.DuckDBPyConnection, where: Path | str, folder: Path = MIGRATIONS_DIR
) -> list[Migration]:
    """Apply the pending migrations of `folder` to `con` (the warehouse at `where`) and record them.

    Returns the migrations applied now (empty when the warehouse is current)."""
    migrations = discover(folder)
    done = applied(con)
    _check_not_newer(done, migrations, where)
    _check_unchanged(done, migrations, where)
    recorded = {record.version for record in done}
    pending = [migration for migration in migrations if migration.version not in recorded]
    if not pending:
        return []
    adopting = not done and _has_ops_tables(con)
    con.execute("begin transaction")
    try:
        con.execute(_LEDGER_DDL)
        for migration in pending:
            _apply(con, migration, where)
            con.execute(
                "insert into ops.schema_migrations values (?, ?, ?, ?)",
                [migration.version, migration.name, migration.checksum, dt.datetime.now(dt.UTC)],
            )
        if adopting:
            _check_shape(con, migrations, where)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return pending


def _apply(con: duckdb.DuckDBPyConnection, migration: Migration, where: Path | str) -> None:
    try:
        con.execute(migration.sql)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MigrationError(
            f"{migration.path}: could not be applied to {where} ({first}); the warehouse was left as it "
            "was: correct the migration (or the warehouse object it trips on) and run again"
        ) from None


def _check_not_newer(done: list[Applied], migrations: list[Migration], where: Path | str) -> None:
    newest = migrations[-1]
    if done and done[-1].version > newest.version:
        recorded = done[-1]
        raise MigrationError(
            f"{where}: the warehouse is at schema version {recorded.version} ({recorded.name}), newer than "
            f"this civicpulse's {newest.label}; it was written by a newer release: run that release (or "
            "newer) on it, or restore the copy saved before the upgrade"
        )


def _check_unchanged(done: list[Applied], migrations: list[Migration], where: Path | str) -> None:
    for record in done:
        migration = migrations[record.version - 1]
        if migration.name != record.name or migration.checksum != record.checksum:
            raise MigrationError(
                f"{migration.path}: migration {record.version} ({record.name}) was applied to {where} with "
                f"checksum {record.checksum[:12]}, the file now has {migration.checksum[:12]}; applied "
                f"migrations are never edited: restore the file and put the change in a new "
                f"{len(migrations) + 1:04d}_<name>.sql"
            )


def _check_shape(con: duckdb.DuckDBPyConnection, migrations: list[Migration], where: Path | str) -> None:
    """A warehouse adopted by the baseline has every ops column the migrations define, with its type."""
    expected = _shape_of(migrations)
    found = _ops_shape(con)
    for (table, column), data_type in sorted(expected.items()):
        actual = found.get((table, column))
        if actual != data_type:
            shape = "is missing" if actual is None else f"is {actual}, not {data_type}"
            raise MigrationError(
                f"{where}: ops.{table}.{column} {shape}: the warehouse was written by a release older "
                f"than the baseline ({migrations[0].path.name}); move it aside and rebuild it with "
                "`civicpulse run` over its days from the landing zone"
            )


def _shape_of(migrations: list[Migration]) -> dict[tuple[str, str], str]:
    with duckdb.connect() as empty:
        for migration in migrations:
            empty.execute(migration.sql)
        return _ops_shape(empty)


def _ops_shape(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(table, column) -> type of every ops column."""
    rows = con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'ops' "
        "and table_name <> 'schema_migrations'"
    ).fetchall()
    return {(str(table), str(column)): str(data_type) for table, column, data_type in rows}


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'ops' and table_name = ?",
        [table],
    ).fetchone()
    return bool(row and row[0])


def _has_ops_tables(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "select count(*) from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'ops'"
    ).fetchone()
    return bool(row and row[0])
