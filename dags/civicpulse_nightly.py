"""civicpulse nightly: extract every source (mapped), load in the single writer, build models and marts,
then write the CX report from the published read-only copy.

Thin on purpose: every task calls a plain function of the civicpulse package, imported inside the task.
The data interval is the run's; `start`/`end` params (YYYY-MM-DD, end exclusive) override it for
backfills and the demo, e.g.
`airflow dags test civicpulse_nightly -c '{"start": "2026-05-01", "end": "2026-08-29"}'`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

WRITER_POOL = "duckdb_writer"


def _interval(context: dict[str, Any]) -> tuple[dt.date, dt.date]:
    params = context["params"]
    if params.get("start") and params.get("end"):
        return dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"])
    return context["data_interval_start"].date(), context["data_interval_end"].date()


@dag(
    dag_id="civicpulse_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    params={
        "start": Param(None, type=["null", "string"], description="first day, overrides the data interval"),
        "end": Param(None, type=["null", "string"], description="day after the last day (exclusive)"),
    },
    tags=["civicpulse"],
    doc_md=__doc__,
)
def civicpulse_nightly() -> None:
    @task
    def list_sources() -> list[str]:
        from civicpulse.config import load_config

        return [source.name for source in load_config().sources]

    @task(map_index_template="{{ task.op_kwargs['source'] }}")
    def extract(source: str, **context: Any) -> dict[str, int]:
        from airflow.sdk.exceptions import AirflowFailException

        from civicpulse.config import ConfigError, load_config
        from civicpulse.pipeline import extract as extract_source
        from civicpulse.sources import FileProblem

        start, end = _interval(context)
        try:
            summary = extract_source(load_config(), source, start, end)
        except (FileProblem, ConfigError) as exc:
            # A bad file or setting fails the same way on every retry: fail now with the fix.
            raise AirflowFailException(str(exc)) from exc
        return {"records": summary.records, "quarantined": summary.quarantined, "files": summary.files}

    @task(pool=WRITER_POOL, trigger_rule="all_done")
    def load(**context: Any) -> int:
        from civicpulse.config import load_config
        from civicpulse.pipeline import load as load_landing

        start, end = _interval(context)
        results = load_landing(load_config(), start, end)
        return sum(result.rows_loaded for result in results)

    @task(pool=WRITER_POOL)
    def build() -> int:
        from civicpulse.config import load_config
        from civicpulse.pipeline import build as build_models

        return len(build_models(load_config()))

    @task
    def report() -> str:
        from civicpulse.config import load_config
        from civicpulse.report import write_report

        return str(write_report(load_config()))

    @task(trigger_rule="one_failed", retries=0)
    def fail_if_a_source_failed() -> None:
        raise RuntimeError("at least one source failed to extract; the others were loaded (see its task log)")

    sources = list_sources()
    extracted = extract.expand(source=sources)
    extracted >> load() >> build() >> report()
    extracted >> fail_if_a_source_failed()


civicpulse_nightly()
