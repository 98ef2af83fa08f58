"""Whether a build has anything to do, and the record of each published build (ops.builds).

A build records the (source, day) partitions loaded since the build before it (ops.build_partitions)
and a fingerprint of what the models are built from besides those loads: the model SQL and macros, the
themes, the config file, the code of the warehouse and text scoring, and cheap counts of the writer's
input tables (so an erasure, a response or a hand edit of raw is seen). A build with no new load, the
same fingerprint, no rebuild since it (an erasure or a response rebuild on their own) and its published
copy in place is current: `civicpulse build` says so and stops; `civicpulse build --full` rebuilds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from civicpulse.config import Config
from civicpulse.paths import PROJECT_ROOT, SQL_DIR
from civicpulse.warehouse.connection import published_path, withdrawn_path
from civicpulse.warehouse.models import LAYERS

Mode = Literal["full", "changed", "current"]
_CODE = ("civicpulse/warehouse", "civicpulse/service_inference.py", "transforms")
# Inputs of the models that change without a load: their row counts join the fingerprint.
_INPUT_SCHEMAS = ("raw",)
_INPUT_OPS = ("erased_keys", "responses", "quarantine")


@dataclass(frozen=True)
class BuildPlan:
    mode: Mode
    reason: str
    fingerprint: str
    partitions: tuple[tuple[str, dt.date], ...]
    loads_through: dt.datetime | None

    @property
    def changed_partitions(self) -> tuple[tuple[str, dt.date], ...] | None:
        """What an incremental build may update alone: the partitions loaded since the last build, when
        the models, themes and config are those of that build; None when everything is rebuilt."""
        return self.partitions if self.mode == "changed" and self.partitions else None


def plan_build(con: duckdb.DuckDBPyConnection, config: Config, *, full: bool = False) -> BuildPlan:
    fingerprint = build_fingerprint(con, config)
    last = con.execute(
        "select run_id, loads_through, fingerprint from ops.builds order by built_at desc limit 1"
    ).fetchone()
    since = last[1] if last else None
    partitions = tuple(
        (str(source), day)
        for source, day in con.execute(
            "select distinct source, partition_day from ops.loads "
            "where ?::timestamptz is null or loaded_at > ? order by all",
            [since, since],
        ).fetchall()
    )
    newest = con.execute("select max(loaded_at) from ops.loads").fetchone()
    through = newest[0] if newest else None
    latest_run = con.execute("select run_id from ops.model_runs order by finished_at desc limit 1").fetchone()

    def plan(mode: Mode, reason: str) -> BuildPlan:
        return BuildPlan(mode, reason, fingerprint, partitions, through)

    if full:
        return plan("full", "a full rebuild was asked for (--full)")
    if last is None:
        return plan("full", "no build is recorded")
    code, _, inputs = fingerprint.partition("-")
    last_code, _, last_inputs = str(last[2]).partition("-")
    if last_code != code:
        return plan("full", f"the models, themes or config changed since build {last[0]}")
    if partitions:
        return plan("changed", f"{len(partitions)} (source, day) partition(s) loaded since build {last[0]}")
    if last_inputs != inputs:
        return plan("changed", f"input tables changed without a load since build {last[0]} (a hand edit?)")
    if latest_run is None or latest_run[0] != last[0]:
        return plan("changed", f"the warehouse was rebuilt since build {last[0]} (an erasure or a response)")
    if not published_path(config).exists() or withdrawn_path(config).exists():
        return plan("changed", "the published copy is missing or withdrawn")
    return plan(
        "current",
        f"nothing changed since build {last[0]} (no load, same models, config and inputs): the published "
        "copy is current; `civicpulse build --full` rebuilds anyway",
    )


def record_build(con: duckdb.DuckDBPyConnection, plan: BuildPlan, run_id: str) -> None:
    """After the build `run_id` passed its gate and was published."""
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into ops.builds values (?, ?, ?, ?, ?, now())",
            [run_id, plan.mode, len(plan.partitions), plan.loads_through, plan.fingerprint],
        )
        if plan.partitions:
            con.executemany(
                "insert into ops.build_partitions values (?, ?, ?)",
                [[run_id, source, day] for source, day in plan.partitions],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def build_fingerprint(con: duckdb.DuckDBPyConnection, config: Config) -> str:
    """`<code>-<inputs>`: a hash of the model code, themes and config, and one of the input tables' counts
    (a load changes the second; `plan_build` tells the two apart)."""
    digest = hashlib.sha256()
    files = [path for layer in (*LAYERS, "ddl") for path in sorted((SQL_DIR / layer).glob("*.sql"))]
    for name in _CODE:
        root = PROJECT_ROOT / name
        files += sorted(root.rglob("*.py")) if root.is_dir() else [root]
    files += [config.themes_path, config.path]
    for path in files:
        digest.update(_name(path).encode("utf-8"))
        digest.update(_bytes(path))
    code = digest.hexdigest()[:16]
    digest = hashlib.sha256()
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
        "and (list_contains(?, schema_name) or (schema_name = 'ops' and list_contains(?, table_name))) "
        "order by 1, 2",
        [list(_INPUT_SCHEMAS), list(_INPUT_OPS)],
    ).fetchall()
    for schema, table in tables:
        row = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
        digest.update(f"{schema}.{table}={row[0] if row else 0};".encode())
    return f"{code}-{digest.hexdigest()[:16]}"


def _name(path: Path) -> str:
    """The project's files by their place in the project, others (the config, a city's themes file) by
    name: a project copied or moved elsewhere keeps its fingerprint, so its next build stays incremental."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else path.name


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
