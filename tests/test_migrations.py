"""Versioned forward-only migrations, tested from the warehouse the previous release (3164758) wrote."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from civicpulse.config import Config, load_config
from civicpulse.migrations import MIGRATIONS_DIR, MigrationError, applied, discover, migrate
from civicpulse.paths import DEFAULT_CONFIG, SQL_DIR
from civicpulse.warehouse.connection import reader, state_path, writer
from tests.conftest import write_project_config

FIXTURES = Path(__file__).parent / "fixtures" / "previous_release"
# The key the fixture's pseudonyms were made with (see its README).
KEY = "previous-release-fixture-key-0123456789abcdef0123456789"
CIVICPULSE = str(Path(sys.executable).parent / "civicpulse")


def _civicpulse(config: Config, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CIVICPULSE, "--config", str(config.path), "--quiet", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, CIVICPULSE_PSEUDONYM_KEY=KEY),
        timeout=600,
    )


def _previous_release(tmp_path: Path) -> Config:
    """The project's config under tmp_path with the previous release's warehouse and state copy."""
    paths = dict(yaml.safe_load(DEFAULT_CONFIG.read_text())["paths"], pseudonym_key_file=None)
    tmp_path.mkdir(exist_ok=True)
    config = load_config(write_project_config(tmp_path, paths=paths))
    config.warehouse_path.parent.mkdir(parents=True)
    for name, target in (
        ("civicpulse.duckdb.gz", config.warehouse_path),
        ("civicpulse.state.duckdb.gz", None),
    ):
        with gzip.open(FIXTURES / name) as packed, (target or state_path(config)).open("wb") as out:
            shutil.copyfileobj(packed, out)
    return config


def _migrations(tmp_path: Path, *extra: tuple[str, str]) -> Path:
    """A migrations folder: the real baseline, then `extra` (file name, SQL) in order."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in discover()[:1]:
        shutil.copy(migration.path, folder / migration.path.name)
    for name, sql in extra:
        (folder / name).write_text(sql)
    return folder


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    row = con.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def test_the_current_code_runs_the_next_days_on_the_previous_releases_warehouse(tmp_path: Path) -> None:
    config = _previous_release(tmp_path)
    with duckdb.connect(str(config.warehouse_path), read_only=True) as before:
        assert not applied(before)  # the previous release had no ledger
        old_loads = before.execute("select * from ops.loads order by load_id").fetchall()
        old_raw = before.execute("select count(*), max(partition_day) from raw.contact_call").fetchone()
        assert old_loads and old_raw is not None and str(old_raw[1]) == "2026-06-04"
    exports = str(tmp_path / "var" / "demo-exports")
    generated = _civicpulse(
        config, "demo-data", "--out", exports, "--start", "2026-06-05", "--days", "3", "--scale", "0.25"
    )
    assert generated.returncode == 0, generated.stderr

    result = _civicpulse(config, "run", "--start", "2026-06-05", "--end", "2026-06-08")

    assert result.returncode == 0, result.stderr
    with duckdb.connect(str(config.warehouse_path), read_only=True) as after:
        recorded = applied(after)
        assert [(r.version, r.name) for r in recorded] == [(m.version, m.name) for m in discover()]
        kept = after.execute(
            "select * from ops.loads where partition_day < '2026-06-05' order by load_id"
        ).fetchall()
        assert kept == old_loads
        assert (
            _count(after, "select count(*) from raw.contact_call where partition_day < '2026-06-05'")
            == (old_raw[0])
        )
        days = after.execute(
            "select min(partition_day), max(partition_day) from ops.loads where partition_day >= '2026-06-05'"
        ).fetchone()
        assert days is not None and (str(days[0]), str(days[1])) == ("2026-06-05", "2026-06-07")
        feedback_days = _count(after, "select count(distinct occurred_on) from core.fact_feedback")
        assert feedback_days == 7  # the old days and the new ones, rebuilt together
        # The old days' rows carry the scoring versions the new code added, as the new days' do.
        versions = after.execute(
            "select distinct scorer_version = setting('scorer_version'), "
            "taxonomy_version = setting('taxonomy_version'), detector_version = setting('detector_version') "
            "from core.fact_feedback"
        ).fetchall()
        assert versions == [(True, True, True)]
    with reader(config) as published:
        assert _count(published, "select count(*) from marts.cx_scorecard") > 0
        assert _count(published, "select count(distinct partition_day) from ops.loads") == 7
    with duckdb.connect(str(state_path(config)), read_only=True) as state:
        tables = {str(r[0]) for r in state.execute("select table_name from duckdb_tables()").fetchall()}
        assert tables == {"source_state", "erased_keys"}


def test_the_previous_release_migrated_has_the_shape_of_a_fresh_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ops or stream column added without a migration fails here: the fixture keeps the old shape."""
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", KEY)
    upgraded = _previous_release(tmp_path / "upgraded")
    paths = dict(yaml.safe_load(DEFAULT_CONFIG.read_text())["paths"], pseudonym_key_file=None)
    fresh = load_config(write_project_config(tmp_path, paths=paths))
    shapes = []
    for config in (upgraded, fresh):
        with writer(config):
            pass
        with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
            rows = con.execute(
                "select schema_name, table_name, column_name, data_type from duckdb_columns() "
                "where schema_name in ('raw', 'ops')"
            ).fetchall()
        shapes.append({".".join(map(str, row[:3])): str(row[3]) for row in rows})
    old, new = shapes
    differences = sorted(set(old.items()) ^ set(new.items()))
    assert not differences, (
        f"the previous release's warehouse, migrated, differs from a fresh one in {differences}: "
        f"add a migration {len(discover()) + 1:04d}_<name>.sql that brings old warehouses there"
    )


def test_pending_migrations_apply_in_order_and_keep_the_old_rows(tmp_path: Path) -> None:
    config = _previous_release(tmp_path)
    folder = _migrations(
        tmp_path,
        ("0002_loads_note.sql", "alter table ops.loads add column note varchar;\n"),
        ("0003_fill_loads_note.sql", "update ops.loads set note = 'loaded by ' || connector;\n"),
    )
    with duckdb.connect(str(config.warehouse_path)) as con:
        loads = _count(con, "select count(*) from ops.loads")
        done = migrate(con, config.warehouse_path, folder)
        assert [m.label for m in done] == ["0001_baseline", "0002_loads_note", "0003_fill_loads_note"]
        assert [r.version for r in applied(con)] == [1, 2, 3]
        assert _count(con, "select count(*) from ops.loads where note = 'loaded by ' || connector") == loads


def test_applying_twice_is_a_no_op(tmp_path: Path) -> None:
    config = _previous_release(tmp_path)
    with duckdb.connect(str(config.warehouse_path)) as con:
        assert migrate(con, config.warehouse_path)
        ledger = con.execute("select * from ops.schema_migrations").fetchall()
        assert migrate(con, config.warehouse_path) == []
        assert con.execute("select * from ops.schema_migrations").fetchall() == ledger


def test_a_failing_migration_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    config = _previous_release(tmp_path)
    folder = _migrations(
        tmp_path,
        ("0002_loads_note.sql", "alter table ops.loads add column note varchar;\n"),
        ("0003_broken.sql", "update ops.no_such_table set x = 1;\n"),
    )
    with duckdb.connect(str(config.warehouse_path)) as con:
        with pytest.raises(MigrationError) as refused:
            migrate(con, config.warehouse_path, folder)
        message = str(refused.value)
        assert "\n" not in message and message.startswith(
            f"{folder / '0003_broken.sql'}: could not be applied"
        )
        assert "no_such_table" in message and "the warehouse was left as it was" in message
        assert applied(con) == []
        columns = con.execute(
            "select column_name from duckdb_columns() where schema_name = 'ops' and table_name = 'loads'"
        ).fetchall()
        assert ("note",) not in columns


def test_a_warehouse_newer_than_the_code_is_refused_in_one_line(tmp_path: Path) -> None:
    config = _previous_release(tmp_path)
    newest = discover()[-1]
    with duckdb.connect(str(config.warehouse_path)) as con:
        migrate(con, config.warehouse_path)
        con.execute(
            "insert into ops.schema_migrations values (?, 'from_the_future', 'abc', now())",
            [newest.version + 1],
        )

    result = _civicpulse(config, "build")

    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(
        f"civicpulse: error: {config.warehouse_path}: the warehouse is at schema "
    )
    assert f"version {newest.version + 1} (from_the_future)" in result.stderr
    assert f"newer than this civicpulse's {newest.label}" in result.stderr
    assert "run that release (or newer) on it" in result.stderr


def test_an_edited_applied_migration_is_refused(tmp_path: Path) -> None:
    folder = _migrations(tmp_path)
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate(con, path, folder)
    baseline = folder / "0001_baseline.sql"
    baseline.write_text(baseline.read_text() + "create table ops.sneaked_in (x integer);\n")
    with duckdb.connect(str(path)) as con, pytest.raises(MigrationError) as refused:
        migrate(con, path, folder)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{baseline}: migration 1 (baseline) was applied to {path} with checksum ")
    assert (
        "applied migrations are never edited: restore the file and put the change in a new 0002_" in message
    )
    with duckdb.connect(str(path), read_only=True) as con:
        assert _count(con, "select count(*) from duckdb_tables() where table_name = 'sneaked_in'") == 0


def test_a_warehouse_older_than_the_baseline_is_refused_not_silently_used(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema ops; create table ops.settings (key varchar primary key)")
    with duckdb.connect(str(path)) as con, pytest.raises(MigrationError) as refused:
        migrate(con, path)
    assert str(refused.value).startswith(f"{path}: ops.settings.value is missing: ")
    with duckdb.connect(str(path), read_only=True) as con:
        assert applied(con) == []


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        (["0001_baseline.sql", "0003_later.sql"], "0003_later.sql: version 3 where 2 is expected"),
        (
            ["0001_baseline.sql", "2_short.sql"],
            "2_short.sql: a migration file is named NNNN_<lowercase_name>.sql",
        ),
    ],
)
def test_migration_files_are_numbered_without_gaps(tmp_path: Path, names: list[str], problem: str) -> None:
    for name in names:
        (tmp_path / name).write_text("select 1;\n")
    with pytest.raises(MigrationError, match=problem):
        discover(tmp_path)


def test_the_ops_schema_lives_only_in_migrations() -> None:
    stray = sorted((SQL_DIR / "ddl").glob("ops*.sql"))
    assert not stray, (
        f"{stray[0]}: the writer no longer runs sql/ddl/ops*.sql; put the change in a new migration "
        f"{len(discover()) + 1:04d}_<name>.sql under {MIGRATIONS_DIR}"
    )
