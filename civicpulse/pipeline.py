"""The nightly steps as plain functions: the Airflow DAG and the CLI both call these."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from civicpulse.config import Config
from civicpulse.crashpoints import crash_point
from civicpulse.extract import ExtractSummary, extract_source
from civicpulse.loader import LoadResult, load_source
from civicpulse.pseudonym_key import resolve_key
from civicpulse.quality_worker import QualityWorker, QualityWorkerError, running
from civicpulse.warehouse.connection import assert_writable, published_path, writer
from civicpulse.warehouse.scoring import Progress

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
    with writer(config) as con:
        return _load(con, config, start, end, sources)


def build(
    config: Config, progress: Progress | None = None, *, full: bool = False
) -> list[tuple[str, int, float]]:
    """Rebuild, check, export and publish (warehouse.lifecycle), unless nothing changed since the last
    published build and `full` is not set (warehouse.build_plan); a critical check failure raises
    QualityError and readers keep the last good copy."""
    with writer(config) as con:
        return _build(con, config, progress, full=full)


def _load(
    con: duckdb.DuckDBPyConnection, config: Config, start: dt.date, end: dt.date, sources: list[str] | None
) -> list[LoadResult]:
    names = sources if sources is not None else [s.name for s in config.sources]
    results: list[LoadResult] = []
    for name in names:
        results.extend(load_source(con, config, name, start, end))
    return results


def _build(
    con: duckdb.DuckDBPyConnection, config: Config, progress: Progress | None, *, full: bool = False
) -> list[tuple[str, int, float]]:
    from civicpulse.warehouse.build_plan import plan_build, record_build
    from civicpulse.warehouse.lifecycle import rebuild_and_publish

    plan = plan_build(con, config, full=full)
    log.info("build: %s", plan.reason)
    if plan.mode == "current":
        return []
    published = rebuild_and_publish(
        con, config, reason="build", progress=progress, changed=plan.changed_partitions
    )
    record_build(con, plan, published.run_id)
    return published.models


def run_interval(
    config: Config, start: dt.date, end: dt.date, progress: Progress | None = None
) -> RunSummary:
    """Extract every source, load what landed, build, publish. A failing source does not stop the others."""
    if end <= start:
        raise ValueError(f"empty interval: start {start} must be before end {end} (end is exclusive)")
    # A second writer would fail only after every extract: find out before doing any work.
    assert_writable(config)
    # Loading pseudonymises people with this key: a missing key fails now, not after every extract.
    resolve_key(config)
    summary = RunSummary(start, end)
    with running(config) as worker:
        _extract_and_check(config, start, end, summary, worker)
        crash_point("run.after_extract")
        # One writer session for load and build: one set-up and one checkpoint at close instead of two
        # (the loads are committed, so a build that fails or is killed keeps them, as before).
        with writer(config) as con:
            summary.loads = _load(
                con, config, start, end, [extracted.source for extracted in summary.extracts]
            )
            crash_point("run.after_load")
            summary.models = _build(con, config, progress)
    summary.published = published_path(config)
    if summary.failed_sources:
        details = "\n".join(f"  - {name}: {error}" for name, error in summary.failed_sources.items())
        raise SourceFailures(f"{len(summary.failed_sources)} source(s) failed; the others loaded:\n{details}")
    return summary


def _extract_and_check(
    config: Config, start: dt.date, end: dt.date, summary: RunSummary, worker: QualityWorker
) -> None:
    """Extract the sources one after the other; each source's landing check runs in the quality worker
    while the next one extracts. A source whose extract or check failed is not loaded."""
    extracted: dict[str, tuple[ExtractSummary, int]] = {}
    failed: dict[str, str] = {}
    for source in config.sources:
        try:
            extract_summary = extract_source(config, source.name, start, end)
        except Exception as exc:  # the other sources still load
            log.error("%s: extract failed: %s", source.name, exc)
            failed[source.name] = str(exc)
            continue
        extracted[source.name] = (extract_summary, worker.submit_landing(config, source.name, start, end))
    for source in config.sources:
        if source.name in extracted:
            extract_summary, ticket = extracted[source.name]
            try:
                worker.landing_result(ticket).raise_failures()
            except QualityWorkerError:
                raise  # not this source's fault: nothing can be checked
            except Exception as exc:
                log.error("%s: extract failed: %s", source.name, exc)
                failed[source.name] = str(exc)
            else:
                summary.extracts.append(extract_summary)
        if source.name in failed:
            summary.failed_sources[source.name] = failed[source.name]
