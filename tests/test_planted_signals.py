"""The demo's planted signals (civicpulse/demo/signals.py) show in the marts the nightly DAG built."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from civicpulse.demo.signals import DMV_OUTAGE, PERMITS_STAFFING, UTILITY_FEE_INCREASE

pytestmark = pytest.mark.airflow


def _weekly(
    con: duckdb.DuckDBPyConnection, service: str, column: str, channel: str = "all"
) -> dict[dt.date, float]:
    rows = con.execute(
        f"""
        select period_start, {column} from marts.service_sentiment_trend
        where grain = 'week' and service_id = ? and channel = ?
        """,
        [service, channel],
    ).fetchall()
    return {period: value for period, value in rows}


def _theme_share(
    con: duckdb.DuckDBPyConnection, service: str, theme: str, grain: str
) -> dict[dt.date, float]:
    rows = con.execute(
        """
        select period_start, mention_share from marts.service_theme_trend
        where grain = ? and service_id = ? and channel = 'all' and theme_id = ?
        """,
        [grain, service, theme],
    ).fetchall()
    return {period: share for period, share in rows}


OUTAGE_WEEKS = (dt.date(2026, 6, 15), dt.date(2026, 6, 22))
BASELINE_WEEKS = (dt.date(2026, 6, 1), dt.date(2026, 6, 8))


def test_outage_turns_dmv_sentiment_negative(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    assert DMV_OUTAGE.start == OUTAGE_WEEKS[0]
    negative = _weekly(city_warehouse, "drivers_licence", "negative_share")
    compound = _weekly(city_warehouse, "drivers_licence", "mean_compound")
    volume = _weekly(city_warehouse, "drivers_licence", "volume")
    for week in OUTAGE_WEEKS:
        assert negative[week] > 1.5 * max(negative[b] for b in BASELINE_WEEKS), (week, negative)
        assert compound[week] < min(compound[b] for b in BASELINE_WEEKS) - 0.15, (week, compound)
        assert volume[week] > 1.5 * max(volume[b] for b in BASELINE_WEEKS)
    after = dt.date(2026, 7, 6)
    assert negative[after] < negative[OUTAGE_WEEKS[1]], "sentiment recovers once the site is back"


def test_outage_surges_the_outage_theme(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    share = _theme_share(city_warehouse, "drivers_licence", "outages_errors", "week")
    baseline = max(share.get(week, 0.0) for week in BASELINE_WEEKS)
    for week in OUTAGE_WEEKS:
        assert share[week] > max(0.15, 3 * baseline), share


def test_outage_shows_in_web_metrics_and_calls(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    web = city_warehouse.execute(
        """
        select
            avg(self_service_completions / sessions) filter (where visited_on between ? and ?),
            avg(self_service_completions / sessions) filter (where visited_on < ?)
        from core.fact_web_metrics where service_id = 'drivers_licence'
        """,
        [DMV_OUTAGE.start, DMV_OUTAGE.end, DMV_OUTAGE.start],
    ).fetchone()
    assert web is not None and web[0] < 0.3 * web[1], web
    calls = city_warehouse.execute(
        """
        select
            count(*) filter (where started_on between ? and ?) / 14.0,
            count(*) filter (where started_on < ?) / 14.0,
            median(wait_seconds) filter (where started_on between ? and ?),
            median(wait_seconds) filter (where started_on < ?)
        from core.fact_contact where service_id = 'drivers_licence'
        """,
        [DMV_OUTAGE.start, DMV_OUTAGE.end, DMV_OUTAGE.start] * 2,
    ).fetchone()
    assert calls is not None
    assert calls[0] > 1.6 * calls[1], calls
    assert calls[2] > 2 * calls[3], calls


def test_fee_increase_surges_the_fees_theme(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    assert UTILITY_FEE_INCREASE.start == dt.date(2026, 7, 1)
    monthly = city_warehouse.execute(
        """
        select period_start, mentions / day(last_day(period_start)), mention_share
        from marts.service_theme_trend
        where grain = 'month' and service_id = 'utility_billing' and channel = 'all'
          and theme_id = 'fees_billing'
        """
    ).fetchall()
    per_day = {month: mentions for month, mentions, _ in monthly}
    share = {month: value for month, _, value in monthly}
    june, july = dt.date(2026, 6, 1), dt.date(2026, 7, 1)
    assert per_day[july] > 1.5 * per_day[june], per_day
    assert share[july] > share[june], share
    scorecard = dict(
        city_warehouse.execute(
            "select month_start, mean_compound from marts.cx_scorecard where service_id = 'utility_billing'"
        ).fetchall()
    )
    assert scorecard[july] < scorecard[june] - 0.1, scorecard


def test_permit_staffing_shortens_waits_and_lifts_sentiment(
    city_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    assert PERMITS_STAFFING.start == dt.date(2026, 7, 15)
    waits = dict(
        city_warehouse.execute(
            "select month_start, median_wait_seconds from marts.cx_scorecard "
            "where service_id = 'building_permits'"
        ).fetchall()
    )
    assert waits[dt.date(2026, 8, 1)] < 0.5 * waits[dt.date(2026, 6, 1)], waits
    compound = _weekly(city_warehouse, "building_permits", "mean_compound")
    before = [v for week, v in compound.items() if week + dt.timedelta(days=6) < PERMITS_STAFFING.start]
    after = [v for week, v in compound.items() if week >= PERMITS_STAFFING.start + dt.timedelta(days=7)]
    assert min(after) > max(before) - 0.05 and sum(after) / len(after) > sum(before) / len(before) + 0.1


def test_quiet_services_stay_quiet(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    for service in ("parks_recreation", "property_tax", "waste_collection"):
        negative = _weekly(city_warehouse, service, "negative_share")
        full_weeks = [
            v for week, v in negative.items() if week >= dt.date(2026, 6, 1) and week < dt.date(2026, 8, 10)
        ]
        assert max(full_weeks) - min(full_weeks) < 0.25, (service, negative)
