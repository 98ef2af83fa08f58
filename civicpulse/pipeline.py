"""The nightly steps as plain functions: the Airflow DAG and the CLI both call these."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from civicpulse.build import build_models
from civicpulse.config import Config
from civicpulse.crashpoints import crash_point
from civicpulse.extract import ExtractSummary, extract_source
from civicpulse.loader import LoadResult, load_source
from civicpulse.warehouse import publish, writer
from transforms.scoring import Progress

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    start: dt.date
    end: dt.date
    extracts: list[ExtractSummary] = field(default_factory=list)
    failed_sources: dict[str, str] = field(default_factory=dict)
    loads: list[LoadResult] = field(default_factory=list)
    models: list[tuple[str, int, float]] = field(default_factory=list)
    published: Path | None = None


class SourceFailures(RuntimeError):
    pass


def extract(config: Config, source: str, start: dt.date, end: dt.date) -> ExtractSummary:
    """Land one source for the interval, then check the landing files before the writer may load them."""
    from civicpulse.quality import check_landing

    summary = extract_source(config, source, start, end)
    check_landing(config, source, start, end)
    return summary


def load(config: Config, start: dt.date, end: dt.date, sources: list[str] | None = None) -> list[LoadResult]:
    names = sources if sources is not None else [s.name for s in config.sources]
    results: list[LoadResult] = []
    with writer(config) as con:
        for name in names:
            results.extend(load_source(con, config, name, start, end))
    return results


def build(config: Config, progress: Progress | None = None) -> list[tuple[str, int, float]]:
    from civicpulse.quality import build_data_docs, check_layers

    with writer(config) as con:
        timings = build_models(con, config, progress)
        # A critical failure stops here: nothing is exported or published, readers keep the last good copy.
        check_layers(con, config)
        export_marts(con, config)
        publish(config, con)
    # Once per run, from every check of the run (the extract tasks' too): the last task that runs GX.
    build_data_docs(config)
    return timings


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


def export_marts(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Write every marts table to exports/<table>.parquet for BI tools (temp file, then rename).

    Only marts: they hold no raw record, handle or caller number (a temp file a killed run leaves is
    removed by the next writer session, see warehouse.remove_orphans)."""
    target = config.exports_path
    target.mkdir(parents=True, exist_ok=True)
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    for (table,) in tables:
        final = target / f"{table}.parquet"
        temp = target / f".{table}.{uuid.uuid4().hex}.parquet"
        literal = str(temp).replace("'", "''")
        con.execute(f"copy (select * from marts.{table}) to '{literal}' (format parquet, compression zstd)")
        crash_point("export.mid_write")
        os.replace(temp, final)


def run_interval(
    config: Config, start: dt.date, end: dt.date, progress: Progress | None = None
) -> RunSummary:
    """Extract every source, load what landed, build, publish. A failing source does not stop the others."""
    if end <= start:
        raise ValueError(f"empty interval: start {start} must be before end {end} (end is exclusive)")
    # A second writer would fail only after every extract: find out before doing any work.
    assert_writable(config)
    summary = RunSummary(start, end)
    for source in config.sources:
        try:
            summary.extracts.append(extract(config, source.name, start, end))
        except Exception as exc:  # reported below; the other sources still load
            log.error("%s: extract failed: %s", source.name, exc)
            summary.failed_sources[source.name] = str(exc)
    loaded = [s.name for s in config.sources if s.name not in summary.failed_sources]
    crash_point("run.after_extract")
    summary.loads = load(config, start, end, loaded)
    crash_point("run.after_load")
    summary.models = build(config, progress)
    summary.published = config.warehouse_path
    if summary.failed_sources:
        details = "\n".join(f"  - {name}: {error}" for name, error in summary.failed_sources.items())
        raise SourceFailures(f"{len(summary.failed_sources)} source(s) failed; the others loaded:\n{details}")
    return summary
