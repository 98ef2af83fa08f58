"""The quality gate of the lifecycle: the staging, core and marts suites on the writer connection,
and the Data Docs built from every check of the run once the run is through.

Inside `civicpulse run` the suites and the Data Docs run in the run's quality worker (GX is imported
there, off the critical path); anywhere else (`civicpulse build`, the Airflow build task, an erasure or
a response) in this process."""

from __future__ import annotations

from pathlib import Path

import duckdb

from civicpulse.config import Config
from civicpulse.quality import LOCAL, Checker, CheckResult, check_layers
from civicpulse.quality_worker import active


def gate(con: duckdb.DuckDBPyConnection, config: Config, run_id: str) -> list[CheckResult]:
    """Check every layer, results into ops.dq_results under `run_id`; QualityError on a critical failure."""
    return check_layers(con, config, run_id, checker=_checker())


def refresh_docs(config: Config) -> Path:
    """Data Docs from the latest validation of every dataset (the extract tasks' too)."""
    return _checker().build_docs(config)


def _checker() -> Checker:
    worker = active()
    return worker if worker is not None else LOCAL
