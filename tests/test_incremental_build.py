"""Runs that read only new or changed files (the file manifest) and build after each load give the same
core and marts as one run reading everything, and as `build --full`: across a range run, new days, a
rerun of old days with a changed export, and an erasure."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from civicpulse.cli import main
from civicpulse.config import Config, load_config
from civicpulse.demo import generate
from civicpulse.erasure import forget
from civicpulse.manifest import FileManifest
from civicpulse.pipeline import run_interval
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.warehouse.models import sql_models
from tests.conftest import write_project_config
from tests.test_idempotency import _snapshot

START = dt.date(2026, 6, 1)
DAYS = 12
FIRST_RUN = 7
KEY_FILE = Path("var") / "pseudonym.key"
# The models incremental by period (civicpulse/warehouse/incremental.py).
BY_PERIOD = sorted(model.name for model in sql_models() if model.periods is not None)


def _day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


def _project(root: Path, exports: Path, same_key_as: Config | None = None) -> Config:
    root.mkdir(parents=True, exist_ok=True)
    config = load_config(write_project_config(root))
    shutil.copytree(exports, root / "var" / "demo-exports")
    if same_key_as is not None:  # the same pseudonyms, so the two warehouses compare
        shutil.copy2(same_key_as.path.parent / KEY_FILE, root / KEY_FILE)
    ensure_demo_key(config)
    return config


def _busiest_author(config: Config) -> str:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        row = con.execute(
            "select author_id from raw.social_post where source = 'x_riverton' "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()
    assert row is not None
    return str(row[0])


def _staging(config: Config) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        names = [
            str(name)
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'staging' order by 1"
            ).fetchall()
        ]
        return {name: con.execute(f"select * from staging.{name} order by all").fetchall() for name in names}


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports") / "demo-exports"
    generate(out, start=START, days=DAYS, seed=11, scale=0.5)
    return out


def test_incremental_runs_equal_one_full_run_and_a_full_build(tmp_path: Path, exports: Path) -> None:
    nightly = _project(tmp_path / "nightly", exports)
    run_interval(nightly, _day(0), _day(FIRST_RUN))
    run_interval(nightly, _day(FIRST_RUN), _day(DAYS))

    # The vendor re-sends a weekly export without its last row: its days run again.
    manifest = FileManifest.load(
        nightly.landing_path, "touchpoints", nightly.inbox(nightly.source("touchpoints"))
    )
    weekly = max(manifest.files.values(), key=lambda entry: (len(entry.days), entry.path))
    path = Path(weekly.path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    covered = sorted(dt.date.fromisoformat(day) for day in weekly.covers)
    rerun = run_interval(nightly, covered[0], covered[-1] + dt.timedelta(days=1))
    touchpoints = next(s for s in rerun.extracts if s.source == "touchpoints")
    assert touchpoints.files_skipped > 0 and touchpoints.days >= 1
    unchanged = next(s for s in rerun.extracts if s.source == "contact_center")
    assert unchanged.files == 0 and unchanged.days == 0, "nothing of an unchanged source is read again"

    # The nightly builds updated the staging models for the changed partitions only; a full build of
    # the same raw tables gives the same staging, core and marts tables.
    updated = _staging(nightly)
    published = _snapshot(nightly)
    with duckdb.connect(str(nightly.warehouse_path), read_only=True) as con:
        kinds = con.execute(
            "select model, kind from ops.model_runs where run_id = "
            "(select run_id from ops.builds order by built_at desc limit 1) "
            "and (model like 'staging.stg_%' or list_contains(?, model))",
            [BY_PERIOD],
        ).fetchall()
    assert ("staging.stg_contact_calls", "sql incremental") in kinds
    assert {(model, "sql incremental") for model in BY_PERIOD} <= set(kinds)
    assert ("staging.stg_social_post_rules", "sql incremental") in kinds
    assert main(["--config", str(nightly.path), "-q", "build", "--full"]) == 0
    assert _staging(nightly) == updated
    assert _snapshot(nightly) == published

    author = _busiest_author(nightly)
    forget(nightly, "x_riverton", author)
    incremental = _snapshot(nightly)
    assert len(incremental["core.fact_feedback"]) > 100

    # One run over every day, reading every (changed) export once, then the same erasure.
    once = _project(tmp_path / "once", nightly.inbox(nightly.source("touchpoints")).parent, nightly)
    run_interval(once, _day(0), _day(DAYS))
    forget(once, "x_riverton", author)
    full_read = _snapshot(once)
    assert full_read.keys() == incremental.keys()
    for table in full_read:
        assert incremental[table] == full_read[table], f"{table}: incremental runs differ from one full run"

    # `build --full` rebuilds the same tables.
    # The erasure rebuilt on its own and removed raw rows: the next build rebuilds, the one after stops.
    assert main(["--config", str(nightly.path), "-q", "build"]) == 0
    with duckdb.connect(str(nightly.warehouse_path), read_only=True) as con:
        builds_before = con.execute("select count(*) from ops.builds").fetchone()
    assert main(["--config", str(nightly.path), "-q", "build"]) == 0
    with duckdb.connect(str(nightly.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from ops.builds").fetchone() == builds_before
    assert main(["--config", str(nightly.path), "-q", "build", "--full"]) == 0
    assert _snapshot(nightly) == incremental
    with duckdb.connect(str(nightly.warehouse_path), read_only=True) as con:
        modes = con.execute("select build_mode from ops.builds order by built_at").fetchall()
        partitions = con.execute(
            "select count(*) from ops.build_partitions join ops.builds using (run_id) "
            "where build_mode = 'changed'"
        ).fetchone()
    assert builds_before is not None and len(modes) == builds_before[0] + 1
    assert modes[0] == ("full",) and modes[-1] == ("full",) and ("changed",) in modes
    assert partitions is not None and partitions[0] > 0
