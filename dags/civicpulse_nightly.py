"""civicpulse nightly: extract every source (mapped), load in the single writer, build models and marts,
publish them (one Asset per mart), write the CX report, then check that every task succeeded.

Each run processes its data interval (the previous day, UTC). `catchup=True`: the scheduler loads every
night from the start date on (`CIVICPULSE_START_DATE`, default 2026-05-01, the demo's first day), one run
at a time (`max_active_runs=1`). To reload a range in one run, trigger with the `start`/`end` params
(YYYY-MM-DD, end exclusive); the form and the API refuse anything else. See docs/airflow.md.

Thin on purpose: every task calls a plain function of the civicpulse package, imported inside the task.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

from civicpulse.airflow_notify import FailureNotifier
from civicpulse.airflow_run import START_DATE_ENV, mart_names, start_date

WRITER_POOL = "duckdb_writer"
START_DATE = start_date(os.environ.get(START_DATE_ENV))
MART_ASSETS = [
    Asset(name=f"civicpulse.marts.{mart}", uri=f"civicpulse://warehouse/marts/{mart}", group="civicpulse")
    for mart in mart_names()
]
EXTRACT_DOC = """Land one source's records for the range as Parquet and check them. A bad file or setting
fails this source at once with the fix; the other sources still load."""
DATE_PARAM: dict[str, Any] = {"type": ["null", "string"], "format": "date"}


@dag(
    dag_id="civicpulse_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=True,
    max_active_runs=1,
    max_active_tasks=2,
    default_args={
        "owner": "civicpulse",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=30),
        "execution_timeout": dt.timedelta(hours=1),
        "on_failure_callback": FailureNotifier(),
    },
    params={
        "start": Param(
            None,
            title="First day",
            description="Reload a range: first day (YYYY-MM-DD). Leave both empty for the data interval.",
            **DATE_PARAM,
        ),
        "end": Param(
            None,
            title="End (exclusive)",
            description="The day after the last day (YYYY-MM-DD). Give both or neither.",
            **DATE_PARAM,
        ),
    },
    tags=["civicpulse", "nightly", "warehouse"],
    doc_md=__doc__,
)
def civicpulse_nightly() -> None:
    @task(retries=0, execution_timeout=dt.timedelta(minutes=2))
    def resolve_range(**context: Any) -> dict[str, str]:
        """The days this run processes: the `start`/`end` params if set, else the data interval.
        Fails at once, without retries, if only one is set or start is not before end."""
        from airflow.sdk.exceptions import AirflowFailException

        from civicpulse.airflow_run import RangeError, describe_range, run_range

        interval_start, interval_end = context.get("data_interval_start"), context.get("data_interval_end")
        try:
            start, end = run_range(
                context["params"],
                interval_start.date() if interval_start else None,
                interval_end.date() if interval_end else None,
            )
        except RangeError as exc:
            raise AirflowFailException(str(exc)) from None
        # The task SDK cannot write the run's note; this line and the returned XCom show the range.
        summary = describe_range(start, end)
        print(f"civicpulse: {summary}")
        return {"start": start.isoformat(), "end": end.isoformat(), "summary": summary}

    @task(execution_timeout=dt.timedelta(minutes=5))
    def list_sources() -> list[str]:
        """The sources in civicpulse.yml, one extract each."""
        from civicpulse.config import load_config

        return [source.name for source in load_config().sources]

    # A mapped task takes its doc from `doc_md`, not from the docstring.
    @task(map_index_template="{{ task.op_kwargs['source'] }}", doc_md=EXTRACT_DOC)
    def extract(source: str, days: dict[str, str]) -> dict[str, int]:
        from airflow.sdk.exceptions import AirflowFailException

        from civicpulse.config import ConfigError, load_config
        from civicpulse.pipeline import extract as extract_source
        from civicpulse.sources import FileProblem

        start, end = dt.date.fromisoformat(days["start"]), dt.date.fromisoformat(days["end"])
        try:
            summary = extract_source(load_config(), source, start, end)
        except (FileProblem, ConfigError) as exc:
            # A bad file or setting fails the same way on every retry: fail now with the fix.
            raise AirflowFailException(str(exc)) from exc
        return {"records": summary.records, "quarantined": summary.quarantined, "files": summary.files}

    @task(pool=WRITER_POOL, trigger_rule="all_done_min_one_success")
    def load(**context: Any) -> int:
        """Load what every successful extract landed into raw (the single DuckDB writer). Runs when
        at least one extract succeeded, so a refused range or a failed source list loads nothing."""
        from civicpulse.config import load_config
        from civicpulse.pipeline import load as load_landing

        # Pulled, not passed: an argument would make resolve_range's success count as one for the rule.
        days = context["ti"].xcom_pull(task_ids="resolve_range")
        start, end = dt.date.fromisoformat(days["start"]), dt.date.fromisoformat(days["end"])
        results = load_landing(load_config(), start, end)
        return sum(result.rows_loaded for result in results)

    @task(pool=WRITER_POOL, outlets=MART_ASSETS, execution_timeout=dt.timedelta(hours=2))
    def build() -> int:
        """Build staging, core and marts, run the quality checks, export the marts and publish the
        read-only copy. Updates one Asset per mart, so downstream DAGs can schedule on them."""
        from civicpulse.config import load_config
        from civicpulse.pipeline import build as build_models

        return len(build_models(load_config()))

    @task(execution_timeout=dt.timedelta(minutes=30))
    def report() -> str:
        """Write the CX report from the published read-only copy."""
        from civicpulse.config import load_config
        from civicpulse.report import write_report

        return str(write_report(load_config()))

    @task(trigger_rule="all_done", retries=0, execution_timeout=dt.timedelta(minutes=5))
    def check(**context: Any) -> str:
        """Runs last, whatever happened: fails the run, naming them, if any task failed or did not run,
        or if a source is stale on the range's last day (its `stale_after_days` in civicpulse.yml).
        Writes the range, its rows and the stale sources to the run's note (see docs/airflow.md)."""
        from airflow.sdk.exceptions import AirflowFailException

        from civicpulse.airflow_run import unsuccessful_tasks

        ti = context["ti"]
        states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[ti.run_id]).get(ti.run_id, {})
        problem = unsuccessful_tasks(states, skip=ti.task_id)
        if problem:
            raise AirflowFailException(f"civicpulse run incomplete: {problem}")

        from civicpulse.airflow_note import write_run_note
        from civicpulse.config import load_config
        from civicpulse.run_check import check_range

        days = ti.xcom_pull(task_ids="resolve_range")
        result = check_range(
            load_config(), dt.date.fromisoformat(days["start"]), dt.date.fromisoformat(days["end"])
        )
        note = result.note()
        print(f"civicpulse: {note}")
        print(f"civicpulse: {write_run_note(ti.dag_id, ti.run_id, note)}")
        failure = result.failure()
        if failure:
            raise AirflowFailException(failure)
        return note

    days = resolve_range()
    sources = list_sources()
    days >> sources
    extracted = extract.partial(days=days).expand(source=sources)
    extracted >> load() >> build() >> report() >> check()


civicpulse_nightly()
