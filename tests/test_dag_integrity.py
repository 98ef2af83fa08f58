"""The DAG file imports nothing heavy, parses without errors and has the expected task graph."""

from __future__ import annotations

import copy
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
    assert set(tasks) == {"resolve_range", "list_sources", "extract", "load", "build", "report", "check"}
    assert tasks["list_sources"].upstream_task_ids == {"resolve_range"}
    assert tasks["extract"].upstream_task_ids == {"resolve_range", "list_sources"}
    assert tasks["load"].upstream_task_ids == {"extract"}
    assert tasks["build"].upstream_task_ids == {"load"}
    assert tasks["report"].upstream_task_ids == {"build"} and tasks["report"].pool != "duckdb_writer"
    assert tasks["check"].upstream_task_ids == {"report"} and dag.leaves == [tasks["check"]]
    assert tasks["load"].pool == "duckdb_writer" and tasks["build"].pool == "duckdb_writer"
    # load runs after failed extracts (the others still load), not when none succeeded or ran
    assert tasks["load"].trigger_rule == "all_done_min_one_success"
    assert tasks["check"].trigger_rule == "all_done"
    assert dag.max_active_runs == 1 and dag.catchup and dag.max_active_tasks == 2
    assert set(dag.params.keys()) == {"start", "end"}


def test_every_task_has_owner_docs_timeout_backoff_and_notifier(dagbag: object) -> None:
    from civicpulse.airflow_notify import FailureNotifier

    dag = dagbag.dags["civicpulse_nightly"]  # type: ignore[attr-defined]
    for task in dag.tasks:
        assert task.owner == "civicpulse", task.task_id
        assert task.doc_md and len(task.doc_md) > 30, task.task_id
        assert task.execution_timeout is not None and task.execution_timeout.total_seconds() <= 2 * 3600
        assert task.retry_exponential_backoff >= 2 and task.max_retry_delay is not None, task.task_id
        callbacks = task.on_failure_callback
        callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
        assert any(isinstance(cb, FailureNotifier) for cb in callbacks), task.task_id
    tasks = {task.task_id: task for task in dag.tasks}
    assert tasks["resolve_range"].retries == 0 and tasks["check"].retries == 0
    assert tasks["extract"].retries == 2


def test_each_published_mart_is_an_asset_of_the_build_task(dagbag: object) -> None:
    from civicpulse.airflow_run import mart_names

    dag = dagbag.dags["civicpulse_nightly"]  # type: ignore[attr-defined]
    outlets = {task.task_id: [asset.uri for asset in task.outlets] for task in dag.tasks if task.outlets}
    assert outlets == {"build": [f"civicpulse://warehouse/marts/{mart}" for mart in mart_names()]}
    assert {"cx_scorecard", "service_sentiment_trend", "service_theme_trend"} <= set(mart_names())


@pytest.mark.parametrize(
    ("conf", "param"),
    [
        ({"start": "2026-13-45", "end": "2026-06-01"}, "start"),
        ({"start": "yesterday", "end": "2026-06-01"}, "start"),
        ({"start": "2026-06-01", "end": "1 June"}, "end"),
        ({"start": 20260601, "end": None}, "start"),
    ],
)
def test_params_refuse_what_is_not_a_date(dagbag: object, conf: dict[str, object], param: str) -> None:
    from airflow.sdk import ParamsDict
    from airflow.sdk.exceptions import ParamValidationError

    dag = dagbag.dags["civicpulse_nightly"]  # type: ignore[attr-defined]
    params = copy.deepcopy(ParamsDict(dag.params))
    with pytest.raises(ParamValidationError, match=f"Invalid input for param {param}"):
        params.update(conf)
        params.validate()


def test_params_accept_dates_and_nothing(dagbag: object) -> None:
    from airflow.sdk import ParamsDict

    dag = dagbag.dags["civicpulse_nightly"]  # type: ignore[attr-defined]
    for conf in ({}, {"start": None, "end": None}, {"start": "2026-05-01", "end": "2026-08-29"}):
        params = copy.deepcopy(ParamsDict(dag.params))
        params.update(conf)
        assert params.validate() == {"start": None, "end": None, **conf}


def test_dag_file_imports_nothing_heavy() -> None:
    """The import graph only: the parse time is measured by `make bench` (`dag_parse_s`), not asserted in a
    test, where a loaded machine would make it fail."""
    probe = (
        f"import sys, runpy; import airflow.sdk; runpy.run_path({str(DAG_FILE)!r}); "
        "light = {'civicpulse', 'civicpulse.paths', 'civicpulse.airflow_notify', 'civicpulse.airflow_run'}; "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('duckdb', 'pandas', 'pyarrow', "
        "'vaderSentiment', 'great_expectations', 'tweepy', 'transforms', 'connectors') "
        "or (m.startswith('civicpulse') and m not in light)); "
        "print('heavy:', ','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    heavy = result.stdout.strip().splitlines()[-1].removeprefix("heavy:").strip()
    assert heavy == "", f"the DAG file imports {heavy} at parse time"


def test_dag_path_is_the_projects() -> None:
    assert Path(DAG_FILE).is_file()
