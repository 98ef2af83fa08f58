"""SIGKILL a real `civicpulse run` (and `civicpulse forget`) at many points; nothing is lost or doubled.

The kills are deterministic: `CIVICPULSE_CRASH_AT=<point>[@n]` (civicpulse/crashpoints.py) makes the
process SIGKILL itself the n-th time it reaches the point. One warehouse goes through a chain of killed
runs, each starting from the wreck the one before left (landing writes, the loader's transaction, between
build layers, exports, publish), then one run to completion; another runs the same exports once, cleanly.
After every kill the warehouse and its published copy open, every ops.loads row reconciles and raw holds
no duplicate and no half-loaded partition. After the rerun, raw, quarantine, core and marts equal the clean
run's. The same for `forget`, killed before, during and after the compaction of the warehouse file.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
import yaml

from civicpulse.config import Config, load_config
from civicpulse.crashpoints import CRASH_ENV
from civicpulse.demo import generate
from civicpulse.manifest import FILE_MANIFEST
from civicpulse.paths import CONFIG_DIR, DEFAULT_CONFIG
from civicpulse.streams import load_streams
from civicpulse.warehouse.connection import published_path

pytestmark = pytest.mark.slow

START = dt.date(2026, 6, 10)
END = dt.date(2026, 6, 13)
KEY = "crash-suite-pseudonym-key-0123456789"
SOURCES = ("contact_center", "x_riverton", "resident_survey")
# Each run starts from what the killed run before it left. Three sources x three days: 9 landing folders
# and 3 loads per run (one transaction per source).
RUN_KILLS = (
    "landing.before_rename@5",  # the 5th day folder written but not renamed into place
    "landing.between_renames@2",  # an old day folder retired, the new one not yet in place
    "loader.mid_transaction@2",  # inside the 2nd source's load transaction, before its commit
    "loader.after_commit@3",  # the 3rd source's load committed, its cursor file not written
    "run.after_load",  # everything loaded, no model built
    "build.after.core.feedback_periods",  # between the core and marts layers, in the build transaction
    "export.mid_write@3",  # the 3rd mart's Parquet written to its temp file, not renamed
    "publish.before_rename",  # the published copy written to its temp file, not renamed
    "publish.after_rename",  # published, the process not yet finished
)
# Before these kills the file manifests are removed, so the run re-reads every export and replaces every
# day folder already in place (with its manifest a run keeps the days whose landing is current).
FULL_READ = {"landing.between_renames@2"}
FORGET_KILLS = ("forget.before_compaction", "forget.mid_compaction", "forget.after_compaction")
LOAD_METADATA = {"load_id", "loaded_at", "scored_at", "matched_at"}


def _project(root: Path, inbox: Path) -> Config:
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    sources = [
        dict(source, inbox=str(inbox / Path(source["inbox"]).name))
        for source in settings["sources"]
        if source["name"] in SOURCES
    ]
    settings.update(sources=sources, themes=str(CONFIG_DIR / "themes.yml"))
    settings["paths"]["pseudonym_key_file"] = None
    root.mkdir()
    (root / "civicpulse.yml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return load_config(root / "civicpulse.yml")


def _civicpulse(config: Config, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != CRASH_ENV}
    env["CIVICPULSE_PSEUDONYM_KEY"] = KEY
    if crash_at:
        env[CRASH_ENV] = crash_at
    command = [str(Path(sys.executable).parent / "civicpulse"), "--config", str(config.path), "-q", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _run(config: Config, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    return _civicpulse(
        config, "run", "--start", START.isoformat(), "--end", END.isoformat(), crash_at=crash_at
    )


def _killed(result: subprocess.CompletedProcess[str], point: str) -> None:
    assert result.returncode == -9, (
        f"{point}: not killed (exit {result.returncode}):\n{result.stderr[-3000:]}"
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def _completed(result: subprocess.CompletedProcess[str], what: str) -> None:
    assert result.returncode == 0, f"{what} failed (exit {result.returncode}):\n{result.stderr[-3000:]}"


def _rows(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> dict[str, list[tuple[object, ...]]]:
    """Every table of the schemas, load metadata left out, rows sorted."""
    names = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        f"where table_schema in {schemas!r} order by 1".replace(",)", ")")
    ).fetchall()
    tables = {}
    for (name,) in names:
        columns = [c for (c,) in con.execute(f"select column_name from (describe {name})").fetchall()]
        kept = ", ".join(c for c in columns if c not in LOAD_METADATA)
        tables[name] = con.execute(f"select {kept} from {name} order by all").fetchall()
    return tables


def _state(config: Config) -> dict[str, list[tuple[object, ...]]]:
    """What a rerun must reproduce: raw and quarantine (the writer's), core and marts (the published copy)."""
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        state = _rows(con, ("raw",))
        state["ops.quarantine"] = con.execute(
            "select source, record_file, record_line, reason, raw_record from ops.quarantine order by all"
        ).fetchall()
        state["ops.loads (latest per partition)"] = con.execute(
            "select source, partition_day, rows_read, rows_loaded, rows_duplicate, rows_quarantined, "
            "rows_erased, rows_outside_interval, rows_conflicting from ops.loads "
            "qualify row_number() over (partition by source, partition_day order by loaded_at desc) = 1 "
            "order by all"
        ).fetchall()
    with duckdb.connect(str(published_path(config)), read_only=True) as con:
        state.update(_rows(con, ("core", "marts")))
    return state


def _wreck_problems(config: Config) -> list[str]:
    """What is wrong with the warehouse a killed process left: it must open, reconcile and hold each
    record once, in whole partitions. The published copy, where there is one, must open."""
    problems: list[str] = []
    if published_path(config).exists():
        with duckdb.connect(str(published_path(config)), read_only=True) as con:
            con.execute("select count(*) from ops.loads").fetchall()
    if not config.warehouse_path.exists():
        return problems
    with duckdb.connect(str(config.warehouse_path)) as con:  # replays the write-ahead log, as the writer will
        unreconciled = con.execute(
            "select load_id from ops.loads where not is_reconciled or rows_read <> rows_loaded "
            "+ rows_duplicate + rows_quarantined + rows_erased + rows_outside_interval"
        ).fetchall()
        problems += [f"ops.loads {load_id} does not reconcile" for (load_id,) in unreconciled]
        tables = {
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw'"
            ).fetchall()
        }
        for stream in load_streams().values():
            if stream.name not in tables:
                continue
            key = ", ".join(["source", *stream.key])
            (dupes,) = con.execute(
                f"select count(*) - count(distinct ({key})) from raw.{stream.name}"
            ).fetchone() or (0,)
            if dupes:
                problems.append(f"raw.{stream.name} holds {dupes} duplicate record(s)")
            half = con.execute(
                f"select source, partition_day from raw.{stream.name} as r group by all "
                "having count(distinct load_id) > 1 "
                "or bool_or(load_id not in (select load_id from ops.loads))"
            ).fetchall()
            problems += [f"raw.{stream.name} partition {p} is not one committed load" for p in half]
    return problems


@dataclass
class Chain:
    clean: Config
    crashed: Config
    wrecks: dict[str, list[str]] = field(default_factory=dict)
    clean_state: dict[str, list[tuple[object, ...]]] = field(default_factory=dict)
    author: str = ""


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    root = tmp_path_factory.mktemp("crash")
    inbox = root / "exports"
    generate(inbox, start=START, days=(END - START).days, seed=5, scale=0.3)
    result = Chain(_project(root / "clean", inbox), _project(root / "crashed", inbox))
    _completed(_run(result.clean), "the clean run")
    result.clean_state = _state(result.clean)
    for point in RUN_KILLS:
        if point in FULL_READ:
            for manifest in result.crashed.landing_path.glob(f"*/{FILE_MANIFEST}"):
                manifest.unlink()
        _killed(_run(result.crashed, crash_at=point), point)
        result.wrecks[point] = _wreck_problems(result.crashed)
    _completed(_run(result.crashed), "the rerun after the kills")
    yield result


def test_every_kill_leaves_a_readable_reconciled_warehouse(chain: Chain) -> None:
    assert list(chain.wrecks) == list(RUN_KILLS)
    assert {point: problems for point, problems in chain.wrecks.items() if problems} == {}


def test_a_rerun_after_the_kills_equals_a_clean_run(chain: Chain) -> None:
    state = _state(chain.crashed)
    assert state.keys() == chain.clean_state.keys()
    assert len(state["core.fact_feedback"]) > 50 and state["ops.quarantine"] is not None
    for table, rows in chain.clean_state.items():
        assert state[table] == rows, f"{table} differs from the clean run after the kills and a rerun"
    assert _wreck_problems(chain.crashed) == []


def _partial_files(config: Config) -> list[Path]:
    """Every temporary file or folder the writers make is named `.<name>...` beside its target: landing
    `.day=<day>.tmp-<uuid>` and `.old-<uuid>`, `.<name>.duckdb.<uuid>` copies, `.<table>.<uuid>.parquet`."""
    roots = (config.landing_path, config.warehouse_path.parent, config.exports_path)
    return sorted(path for root in roots if root.exists() for path in root.rglob(".*"))


def test_no_partial_files_are_left_after_the_rerun(chain: Chain) -> None:
    assert _partial_files(chain.crashed) == []


def test_a_killed_forget_reruns_to_the_same_result(chain: Chain) -> None:
    with duckdb.connect(str(chain.clean.warehouse_path), read_only=True) as con:
        (author,) = con.execute(
            "select author_id from raw.social_post where author_id is not null "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone() or ("",)
    forget = ("forget", "--source", "x_riverton", "--author", str(author))
    _completed(_civicpulse(chain.clean, *forget), "forget")
    wrecks = {}
    for point in FORGET_KILLS:
        _killed(_civicpulse(chain.crashed, *forget, crash_at=point), point)
        wrecks[point] = _wreck_problems(chain.crashed)
        with duckdb.connect(str(chain.crashed.warehouse_path), read_only=True) as con:
            left = con.execute(
                "select count(*) from raw.social_post where author_id = ?", [author]
            ).fetchone()
        if left != (0,):
            wrecks[point].append(f"{left} record(s) of the erased person in raw")
    assert {point: problems for point, problems in wrecks.items() if problems} == {}
    _completed(_civicpulse(chain.crashed, *forget), "forget after the kills")
    state, clean = _state(chain.crashed), _state(chain.clean)
    for table, rows in clean.items():
        assert state[table] == rows, f"{table} differs from a clean forget after killed ones"
