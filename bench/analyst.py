"""What an analyst and the scheduler wait for: parsing the DAG file, `civicpulse sql "select 1"`, and
the example queries on the published copy."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import duckdb

from bench.measure import BenchError, run_timed
from civicpulse.paths import PROJECT_ROOT, SQL_DIR

DAG_FILE = PROJECT_ROOT / "dags" / "civicpulse_nightly.py"
QUERIES = sorted((SQL_DIR / "examples").glob("*.sql"))[:5]


def dag_parse_s(env: Mapping[str, str], times: int) -> float:
    """Fastest wall time to parse the DAG file in a fresh interpreter that has imported `airflow.sdk`, as
    Airflow's DAG processor has before it parses a file: the DAG file's own cost, Airflow's excluded."""
    code = (
        "import time, runpy, airflow.sdk; started = time.perf_counter(); "
        f"runpy.run_path({str(DAG_FILE)!r}); print(time.perf_counter() - started)"
    )
    return min(_child_seconds([sys.executable, "-c", code], env) for _ in range(times))


def airflow_import_s(env: Mapping[str, str], times: int) -> float:
    """Fastest wall time of `import airflow.sdk` in a fresh interpreter: what any DAG file parsed
    outside a DAG processor pays first, whatever it holds."""
    code = (
        "import time; started = time.perf_counter(); import airflow.sdk; print(time.perf_counter() - started)"
    )
    return min(_child_seconds([sys.executable, "-c", code], env) for _ in range(times))


def gx_import_cpu_s(env: Mapping[str, str], times: int) -> float:
    """Fewest CPU seconds of a fresh interpreter that only imports great_expectations: what any run that
    checks its data with the required stack's quality library pays before checking anything."""
    command = [sys.executable, "-c", "import great_expectations"]
    return min(run_timed(command, env=env).cpu_s for _ in range(times))


def _child_seconds(command: list[str], env: Mapping[str, str]) -> float:
    done = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"`{' '.join(command)}` exited with {done.returncode}:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def sql_cli_s(civicpulse: str, config: Path, env: Mapping[str, str], times: int) -> float:
    """Fastest wall time of `civicpulse sql "select 1"` against a built project."""
    command = [civicpulse, "--quiet", "--config", str(config), "sql", "select 1"]
    return min(run_timed(command, env=env).wall_s for _ in range(times))


def query_ms(published: Path, times: int) -> dict[str, float]:
    """Median milliseconds of each of the first five sql/examples/ queries, in this process, read-only."""
    medians: dict[str, float] = {}
    con = duckdb.connect(str(published), read_only=True)
    try:
        for path in QUERIES:
            sql = path.read_text(encoding="utf-8")
            elapsed = []
            for _ in range(times):
                started = time.perf_counter()
                con.execute(sql).fetchall()
                elapsed.append((time.perf_counter() - started) * 1000)
            medians[path.stem] = statistics.median(elapsed)
    finally:
        con.close()
    return medians
