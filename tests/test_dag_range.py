"""What a run processes: the `start`/`end` params (both or neither, start before end) or the data
interval; and the final check's summary of task states."""

from __future__ import annotations

import datetime as dt

import pytest

from civicpulse.airflow_run import RangeError, describe_range, run_range, start_date, unsuccessful_tasks

JUNE_1, JUNE_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)


def test_neither_param_means_the_data_interval() -> None:
    assert run_range({"start": None, "end": None}, JUNE_1, JUNE_2) == (JUNE_1, JUNE_2)
    assert run_range({}, JUNE_1, JUNE_2) == (JUNE_1, JUNE_2)


def test_both_params_override_the_interval() -> None:
    params = {"start": "2026-05-01", "end": "2026-08-29"}
    assert run_range(params, JUNE_1, JUNE_2) == (dt.date(2026, 5, 1), dt.date(2026, 8, 29))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-05-01", "end": None}, "param 'start' is set but 'end' is not: give both"),
        ({"start": None, "end": "2026-05-01"}, "param 'end' is set but 'start' is not: give both"),
        (
            {"start": "2026-05-02", "end": "2026-05-02"},
            "start 2026-05-02 is not before end 2026-05-02: end is",
        ),
        ({"start": "2026-05-03", "end": "2026-05-01"}, '{"start": "2026-05-03", "end": "2026-05-04"}'),
        ({"start": "2026-13-45", "end": "2026-05-01"}, "param 'start' is '2026-13-45', not a date: use YYYY"),
    ],
)
def test_unusable_ranges_get_one_line_with_the_fix(params: dict[str, object], message: str) -> None:
    with pytest.raises(RangeError) as caught:
        run_range(params, JUNE_1, JUNE_2)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_manual_run_without_interval_needs_a_range() -> None:
    with pytest.raises(RangeError, match="needs a range"):
        run_range({}, None, None)


def test_describe_range_counts_days_end_exclusive() -> None:
    assert (
        describe_range(JUNE_1, JUNE_2)
        == "processed 2026-06-01 .. 2026-06-01 (1 day; end 2026-06-02 exclusive)"
    )
    assert "(92 days;" in describe_range(dt.date(2026, 6, 1), dt.date(2026, 9, 1))


def test_unsuccessful_tasks_names_failed_and_not_run() -> None:
    healthy = {"resolve_range": "success", "extract_0": "success", "load": "success", "check": "running"}
    assert unsuccessful_tasks(healthy, skip="check") is None
    states = {
        "resolve_range": "success",
        "extract_0": "success",
        "extract_1": "failed",
        "load": "success",
        "build": "failed",
        "report": "upstream_failed",
        "check": "running",
    }
    assert unsuccessful_tasks(states, skip="check") == (
        "failed: build, extract_1; not run because of them: report (each task's log has its error and fix)"
    )


def test_start_date_comes_from_the_environment_or_defaults_to_the_demo() -> None:
    assert start_date(None) == dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    assert start_date(" 2026-11-30 ") == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    with pytest.raises(
        ValueError, match=r"^CIVICPULSE_START_DATE='last monday' is not a date: set it to YYYY-MM-DD"
    ):
        start_date("last monday")
