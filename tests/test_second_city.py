"""Acceptance on the second demo city (Lakeshore, civicpulse/demo/lakeshore.py): every planted event is
found in the channels it was planted in, quiet services stay (almost) quiet, the findings are incidents
with their why, and emerging phrases are news, not calendar words, place names or call-note jargon.

The city is generated small and run through `pipeline.run_interval` (no Airflow). Its figures are for
tests and demos: Lakeshore was designed together with the detector.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from civicpulse.config import Config
from civicpulse.demo.lakeshore import PLACE_NAMES, REC_APP_LAUNCH, VEHICLE_SYSTEM_OUTAGE
from evaluation import second_city


@pytest.fixture(scope="module")
def lakeshore(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return second_city.build(tmp_path_factory.mktemp("lakeshore"))


@pytest.fixture(scope="module")
def lakeshore_warehouse(lakeshore: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    from civicpulse.warehouse.connection import reader

    with reader(lakeshore) as con:
        yield con


def test_planted_events_found_and_quiet_services_quiet(
    lakeshore_warehouse: duckdb.DuckDBPyConnection, capsys: pytest.CaptureFixture[str]
) -> None:
    recall, quiet, days = second_city.measure(lakeshore_warehouse)
    unplanned = second_city.unplanned_incidents(lakeshore_warehouse)
    with capsys.disabled():
        print("\n" + second_city.render(recall, quiet, days, unplanned))
    assert {row.channel for row in recall} == {"web", "social", "phone", "survey"}
    assert len(recall) >= 7 and len(quiet) == 2
    assert not second_city.missed_targets(recall, quiet, days), second_city.render(recall, quiet, days)


def test_the_outage_is_one_incident_across_channels_with_its_why(
    lakeshore_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = lakeshore_warehouse.execute(
        """
        select incidents.service_id, incidents.start_day, incidents.end_day, incidents.channels,
            incidents.what_moved, incidents.example_feedback_ids, incidents.priority_rank, incidents.kind,
            list(feedback.service_id)
        from marts.incidents as incidents
        left join core.fact_feedback as feedback
            on list_contains(incidents.example_feedback_ids, feedback.feedback_id)
        group by all
        """
    ).fetchall()
    outage = [
        row
        for row in rows
        if row[0] == VEHICLE_SYSTEM_OUTAGE.service_id
        and row[1] <= VEHICLE_SYSTEM_OUTAGE.start + dt.timedelta(days=6)
        and VEHICLE_SYSTEM_OUTAGE.end is not None
        and row[2] >= VEHICLE_SYSTEM_OUTAGE.end - dt.timedelta(days=6)
    ]
    assert len(outage) == 1, rows
    service, _, _, channels, what_moved, examples, rank, kind, example_services = outage[0]
    assert {"web", "social", "phone"} <= set(channels) and kind == "deterioration"
    assert rank == 1, "the biggest event ranks first"
    assert "web" in what_moved and "phone" in what_moved, what_moved
    assert examples and set(example_services) == {service}


def test_emerging_phrases_are_news(lakeshore_warehouse: duckdb.DuckDBPyConnection) -> None:
    terms = lakeshore_warehouse.execute(
        "select service_id, week_start, term from marts.emerging_terms"
    ).fetchall()
    assert terms
    skipped = {
        "jun",
        "jul",
        "sep",
        "oct",
        "nov",
        "october",
        "november",
        "monday",
        "min",
        "complained",
        "caller",
    }
    places = {name.lower() for name in PLACE_NAMES}
    for _, _, term in terms:
        words = set(term.split())
        assert not words & skipped and not re.search(r"\d", term), term
        assert not any(place in term for place in places), term
    launch_week = REC_APP_LAUNCH.start - dt.timedelta(days=REC_APP_LAUNCH.start.weekday())
    launch = {t for s, w, t in terms if s == REC_APP_LAUNCH.service_id and w == launch_week}
    assert "lakepass app" in launch, launch
    assert "lakepass" not in launch, "a word that only appears inside the phrase merges into it"
    alarms = lakeshore_warehouse.execute(
        "select detail from marts.anomalies where metric = 'emerging_phrase' and service_id = ?",
        [REC_APP_LAUNCH.service_id],
    ).fetchall()
    assert ("lakepass app",) in alarms, "a new phrase is an alarm, so it reaches the incidents"


def test_every_test_is_controlled_for_false_discoveries(
    lakeshore_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    families = lakeshore_warehouse.execute(
        """
        select grain, period_start, count(*), max(family_size), min(family_size),
            bool_and(q_value >= p_value - 1e-12)
        from marts.anomaly_tests group by all
        """
    ).fetchall()
    assert families
    for grain, _, count, largest, smallest, q_at_least_p in families:
        assert count == largest == smallest and q_at_least_p
        assert grain in ("day", "week")
    daily = lakeshore_warehouse.execute("select distinct metric from marts.metric_daily").fetchall()
    assert {m for (m,) in daily} >= {
        "web_sessions",
        "web_completions",
        "web_self_service_rate",
        "site_searches",
        "call_volume",
        "abandonment_rate",
        "first_contact_resolution",
        "csat",
        "trust",
        "ease",
        "a11_thumbs_up",
        "a11_driver_tick",
        "feedback_volume",
        "negative_share",
        "theme_share",
    }
    weekly = lakeshore_warehouse.execute(
        "select distinct metric from marts.anomaly_tests where grain = 'week'"
    ).fetchall()
    assert {m for (m,) in weekly} >= {
        "web_sessions",
        "web_completions",
        "site_searches",
        "site_search_term",
        "call_volume",
        "median_wait_seconds",
        "csat",
        "a11_thumbs_up",
        "feedback_volume",
        "negative_share",
        "theme_share",
        "emerging_phrase",
    }


def test_trends_print_the_incidents(
    lakeshore: Config, lakeshore_warehouse: duckdb.DuckDBPyConnection
) -> None:
    from civicpulse.trends import render_incidents

    text = render_incidents(lakeshore_warehouse)
    first = text.splitlines()[1]
    assert text.startswith("== Incidents across channels") and "Vehicle services" in first, text
    assert "what moved:" in text and 'e.g. "' in text
    assert Path(lakeshore.path).is_file()
