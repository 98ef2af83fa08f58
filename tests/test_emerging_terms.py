"""marts.emerging_terms surfaces the demo's planted signals (civicpulse/demo/signals.py)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from civicpulse.demo.signals import DMV_OUTAGE, UTILITY_FEE_INCREASE

pytestmark = pytest.mark.airflow


def _terms(con: duckdb.DuckDBPyConnection, service: str, week: dt.date) -> set[str]:
    rows = con.execute(
        "select term from marts.emerging_terms where service_id = ? and week_start = ?", [service, week]
    ).fetchall()
    return {term for (term,) in rows}


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def test_dmv_outage_surfaces_website_terms(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    terms = _terms(city_warehouse, "drivers_licence", _week(DMV_OUTAGE.start))
    assert terms & {"website", "dmv website", "site", "dmv site", "website outage", "unavailable"}, terms


def test_fee_increase_surfaces_rate_and_fee_terms(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    weeks = [_week(UTILITY_FEE_INCREASE.start), _week(UTILITY_FEE_INCREASE.start) + dt.timedelta(weeks=1)]
    terms = set().union(*(_terms(city_warehouse, "utility_billing", week) for week in weeks))
    assert terms & {"rates", "rate", "infrastructure fee", "infrastructure", "charge"}, terms


def test_quiet_weeks_and_services_stay_quiet(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    per_week = city_warehouse.execute(
        """
        select service_id, week_start, count(*) from marts.emerging_terms
        group by all having count(*) >= 10
        """
    ).fetchall()
    surges = {(service, week) for service, week, _ in per_week}
    assert DMV_OUTAGE.end is not None and UTILITY_FEE_INCREASE.announced is not None
    for service, week in surges:
        if service == "drivers_licence":
            assert _week(DMV_OUTAGE.start) <= week <= _week(DMV_OUTAGE.end) + dt.timedelta(weeks=1), week
        else:
            assert service == "utility_billing" and week >= _week(UTILITY_FEE_INCREASE.announced), (
                service,
                week,
            )


def test_rows_carry_the_test_and_examples(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = city_warehouse.execute(
        """
        select term_count, volume, baseline_weeks, lift, p_value, example_feedback_ids
        from marts.emerging_terms
        """
    ).fetchall()
    assert rows
    for count, volume, baseline_weeks, lift, p_value, examples in rows:
        assert count >= 5 and count <= volume and baseline_weeks >= 2
        assert lift >= 2 and 0 <= p_value < 0.001 and 1 <= len(examples) <= 3
    ids = {i for row in rows for i in row[5]}
    known = city_warehouse.execute(
        "select count(*) from core.fact_feedback where list_contains(?, feedback_id)", [sorted(ids)]
    ).fetchone()
    assert known == (len(ids),)
    # Up to three posts of the row's service and week, in (occurred_at, feedback_id) order.
    examples = city_warehouse.execute(
        """
        select
            terms.service_id, terms.week_start, terms.term, terms.term_count, terms.example_feedback_ids,
            list(feedback.feedback_id order by feedback.occurred_at, feedback.feedback_id) filter (
                where feedback.service_id = terms.service_id
                and date_trunc('week', feedback.occurred_on) = terms.week_start
            )
        from marts.emerging_terms as terms
        inner join core.fact_feedback as feedback
            on list_contains(terms.example_feedback_ids, feedback.feedback_id)
        group by all
        """
    ).fetchall()
    assert len(examples) == len(rows)
    for *_, count, example_ids, in_order in examples:
        assert example_ids == in_order and len(example_ids) == min(count, 3)
