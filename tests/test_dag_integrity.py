"""The DAG file imports fast, parses without errors and has the expected task graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from civicpulse.paths import PROJECT_ROOT

DAG_FILE = PROJECT_ROOT / "dags" / "civicpulse_nightly.py"


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory) -> object:
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAG_FILE.parent))


def test_dag_imports_without_errors(dagbag: object) -> None:
    assert dagbag.import_errors == {}  # type: ignore[attr-defined]
    assert "civicpulse_nightly" in dagbag.dag_ids  # type: ignore[attr-defined]


def test_task_graph(dagbag: object) -> None:
    dag = dagbag.dags["civicpulse_nightly"]  # type: ignore[attr-defined]
    tasks = {task.task_id: task for task in dag.tasks}
    assert set(tasks) == {"list_sources", "extract", "load", "build", "report", "fail_if_a_source_failed"}
    assert tasks["extract"].upstream_task_ids == {"list_sources"}
    assert tasks["load"].upstream_task_ids == {"extract"}
    assert tasks["build"].upstream_task_ids == {"load"}
    assert tasks["report"].upstream_task_ids == {"build"} and tasks["report"].pool != "duckdb_writer"
    assert tasks["load"].pool == "duckdb_writer" and tasks["build"].pool == "duckdb_writer"
    assert tasks["load"].trigger_rule == "all_done"
    assert tasks["fail_if_a_source_failed"].trigger_rule == "one_failed"
    assert dag.max_active_runs == 1 and not dag.catchup
    assert set(dag.params.keys()) == {"start", "end"}


def test_dag_file_imports_nothing_heavy_and_fast() -> None:
    probe = (
        "import sys, time, runpy; import airflow.sdk; t = time.perf_counter(); "
        f"runpy.run_path({str(DAG_FILE)!r}); elapsed = time.perf_counter() - t; "
        "heavy = sorted(m for m in ('duckdb', 'pandas', 'pyarrow', 'vaderSentiment', 'great_expectations', "
        "'tweepy', 'civicpulse', 'transforms', 'connectors') if m in sys.modules); "
        "print(f'{elapsed:.3f}', ','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    elapsed, _, heavy = result.stdout.strip().splitlines()[-1].partition(" ")
    assert heavy == "", f"the DAG file imports {heavy} at parse time"
    assert float(elapsed) < 2.0, f"parsing the DAG file took {elapsed}s"


def test_dag_path_is_the_projects() -> None:
    assert Path(DAG_FILE).is_file()
