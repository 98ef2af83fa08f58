"""What one run of the nightly DAG processes and how it ended, as plain functions the DAG's tasks call.

Standard library only: the DAG file imports this module at parse time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from civicpulse.paths import SQL_DIR

# Task states that mean "this task did not do its work" (upstream_failed: never ran because of another).
FAILED = "failed"
NOT_RUN = "upstream_failed"


class RangeError(ValueError):
    """The `start`/`end` params cannot be used; the message says which and the fix."""


def run_range(
    params: Mapping[str, object], interval_start: dt.date | None, interval_end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The days a run processes (end exclusive): the `start`/`end` params if given, else the data interval.

    Both params or neither; JSON schema already checked each is a date, this checks what it cannot.
    """
    start, end = params.get("start"), params.get("end")
    if start is None and end is None:
        if interval_start is None or interval_end is None:
            raise RangeError(
                "a manual run without a data interval needs a range: "
                'trigger with conf {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}'
            )
        return interval_start, interval_end
    if start is None or end is None:
        given, missing = ("start", "end") if end is None else ("end", "start")
        raise RangeError(
            f"param '{given}' is set but '{missing}' is not: give both (end exclusive) or neither"
        )
    first, after = _date("start", start), _date("end", end)
    if first >= after:
        raise RangeError(
            f"start {first} is not before end {after}: end is exclusive, so one day is "
            f'{{"start": "{first}", "end": "{first + dt.timedelta(days=1)}"}}'
        )
    return first, after


def _date(name: str, value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RangeError(
            f"param '{name}' is {value!r}, not a date: use YYYY-MM-DD, e.g. 2026-05-01"
        ) from None


def describe_range(start: dt.date, end: dt.date) -> str:
    """One line for the log and the run's summary: the days processed, end exclusive."""
    days = (end - start).days
    last = end - dt.timedelta(days=1)
    return f"processed {start} .. {last} ({days} day{'s' if days != 1 else ''}; end {end} exclusive)"


def unsuccessful_tasks(states: Mapping[str, str | None], *, skip: str) -> str | None:
    """None if every task but `skip` succeeded (or was skipped), else one line naming the others.

    `states` maps task ids (mapped ones as `<task>_<map_index>`) to states, as Airflow's
    `get_task_states` returns them for one run.
    """
    failed = sorted(task for task, state in states.items() if state == FAILED and task != skip)
    not_run = sorted(task for task, state in states.items() if state == NOT_RUN and task != skip)
    if not failed and not not_run:
        return None
    parts = [f"failed: {', '.join(failed)}"] if failed else []
    if not_run:
        parts.append(f"not run because of them: {', '.join(not_run)}")
    return "; ".join(parts) + " (each task's log has its error and fix)"


START_DATE_ENV = "CIVICPULSE_START_DATE"
DEFAULT_START_DATE = "2026-05-01"


def start_date(value: str | None) -> dt.datetime:
    """The DAG's start date (UTC midnight) from CIVICPULSE_START_DATE, default the demo's first day."""
    text = (value or DEFAULT_START_DATE).strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{START_DATE_ENV}={text!r} is not a date: set it to YYYY-MM-DD, e.g. 2026-05-01"
        ) from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def mart_names(sql_dir: Path = SQL_DIR) -> list[str]:
    """The published marts: one per sql/marts/*.sql, the names the exports and Assets use."""
    return sorted(path.stem for path in (sql_dir / "marts").glob("*.sql"))
