"""The quality gate of the lifecycle: the staging, core and marts suites on the writer connection,
and the Data Docs built from every check of the run once the run is through."""

from __future__ import annotations

from pathlib import Path

import duckdb

from civicpulse.config import Config
from civicpulse.quality import CheckResult, build_data_docs, check_layers


def gate(con: duckdb.DuckDBPyConnection, config: Config, run_id: str) -> list[CheckResult]:
    """Check every layer, results into ops.dq_results under `run_id`; QualityError on a critical failure."""
    return check_layers(con, config, run_id)


def refresh_docs(config: Config) -> Path:
    """Data Docs from the latest validation of every dataset (the extract tasks' too)."""
    return build_data_docs(config)
