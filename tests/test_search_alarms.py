"""Site-search terms of the planted outage (Riverton, civicpulse/demo/signals.py) become alarms for the
right service: search_term_surges, anomalies, the cross-channel incident and the report. The web source is
mapped by page paths only, so its search terms are mapped by the city's other keyword rules."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from civicpulse.config import Config
from civicpulse.demo.signals import DMV_OUTAGE

pytestmark = pytest.mark.airflow

OUTAGE_WEEK = dt.date(2026, 6, 15)


def test_outage_search_terms_surge_for_the_dmv(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    assert DMV_OUTAGE.start == OUTAGE_WEEK
    surges = city_warehouse.execute(
        "select service_id, detail, baseline_periods from marts.search_term_surges where period_start = ?",
        [OUTAGE_WEEK],
    ).fetchall()
    terms = {detail for service, detail, _ in surges if service == "drivers_licence"}
    assert {"dmv website down", "dmv site not working", "dmv payment error"} <= terms, surges
    # the city's data starts two weeks before the outage: the baseline is the two weeks there are
    assert {weeks for _, _, weeks in surges} == {2}


def test_outage_search_terms_are_alarms_in_the_dmv_incident(
    city_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    alarms = city_warehouse.execute(
        """
        select service_id, detail from marts.anomalies
        where metric = 'site_search_term' and period_start = ?
        """,
        [OUTAGE_WEEK],
    ).fetchall()
    assert ("drivers_licence", "dmv website down") in alarms
    assert all(service == "drivers_licence" for service, _ in alarms), alarms
    incidents = city_warehouse.execute(
        """
        select channels, what_moved, list_transform(metrics, m -> m.subject) as subjects
        from marts.incidents
        where service_id = 'drivers_licence' and start_day <= ? and end_day >= ?
        """,
        [OUTAGE_WEEK, OUTAGE_WEEK],
    ).fetchall()
    assert len(incidents) == 1, incidents
    channels, what_moved, subjects = incidents[0]
    assert "web" in channels and "phone" in channels
    assert 'Site-search term "dmv website down" (web)' in what_moved
    assert "dmv website down" in subjects


def test_the_report_shows_the_outage_search_alarm(city: Config) -> None:
    html = (city.report_path / "index.html").read_text(encoding="utf-8")
    assert "dmv website down" in html
