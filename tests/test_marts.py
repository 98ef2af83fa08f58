"""marts.anomalies, key_drivers and close_the_loop on the small city the real DAG built."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from civicpulse.config import Config, load_config
from civicpulse.demo.signals import DMV_OUTAGE, PERMITS_STAFFING, UTILITY_FEE_INCREASE
from civicpulse.warehouse.models import Model, run_models, sql_models
from tests.conftest import write_project_config

pytestmark = pytest.mark.airflow

QUIET_SERVICES = (
    "property_tax",
    "business_licence",
    "housing_assistance",
    "parks_recreation",
    "waste_collection",
    "general_311",
)


def _anomalies(con: duckdb.DuckDBPyConnection, service: str, grain: str) -> list[tuple[object, ...]]:
    return con.execute(
        """
        select metric, theme_id, period_start, period_end, direction, is_improvement, score,
            example_feedback_ids
        from marts.anomalies where service_id = ? and grain = ?
        """,
        [service, grain],
    ).fetchall()


def _overlaps(period_start: dt.date, period_end: dt.date, start: dt.date, end: dt.date | None) -> bool:
    return period_end >= start and (end is None or period_start <= end)


def test_anomalies_find_the_dmv_outage(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    found = {
        (metric, theme, direction)
        for metric, theme, start, end, direction, *_ in _anomalies(city_warehouse, "drivers_licence", "week")
        if _overlaps(start, end, DMV_OUTAGE.start, DMV_OUTAGE.end)
    }
    assert ("theme_share", "outages_errors", "up") in found, found
    assert ("web_self_service_rate", None, "down") in found, found
    assert ("median_wait_seconds", None, "up") in found, found
    assert ("feedback_volume", None, "up") in found, found
    daily = [
        start
        for metric, _, start, _, direction, *_ in _anomalies(city_warehouse, "drivers_licence", "day")
        if metric == "web_self_service_rate" and direction == "down"
    ]
    assert min(daily) == DMV_OUTAGE.start and max(daily) <= DMV_OUTAGE.end, daily


def test_anomalies_find_the_fee_increase_and_the_permit_staffing(
    city_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    fees = [
        (metric, direction)
        for metric, _, start, end, direction, *_ in _anomalies(city_warehouse, "utility_billing", "week")
        if _overlaps(start, end, UTILITY_FEE_INCREASE.start - dt.timedelta(days=7), None)
    ]
    assert ("feedback_volume", "up") in fees, fees
    permits = [
        (metric, direction, improvement)
        for metric, _, start, end, direction, improvement, *_ in _anomalies(
            city_warehouse, "building_permits", "week"
        )
        if start >= PERMITS_STAFFING.start - dt.timedelta(days=6)
    ]
    assert ("median_wait_seconds", "down", True) in permits, permits


def test_anomalies_raise_few_false_alarms_on_quiet_services(
    city_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    weekly = {s: _anomalies(city_warehouse, s, "week") for s in QUIET_SERVICES}
    daily = {s: _anomalies(city_warehouse, s, "day") for s in QUIET_SERVICES}
    assert sum(len(rows) for rows in weekly.values()) <= 3, weekly
    assert all(len(rows) <= 4 for rows in daily.values()), {s: len(r) for s, r in daily.items()}


def test_anomalies_carry_example_feedback(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = city_warehouse.execute(
        """
        select anomalies.anomaly_id, count(feedback.feedback_id),
            bool_and(feedback.service_id = anomalies.service_id)
        from marts.anomalies as anomalies, unnest(anomalies.example_feedback_ids) as ids(feedback_id)
        left join core.fact_feedback as feedback on ids.feedback_id = feedback.feedback_id
        where anomalies.metric = 'theme_share'
        group by anomalies.anomaly_id
        """
    ).fetchall()
    assert rows and all(count >= 3 and same for _, count, same in rows), rows
    texts = city_warehouse.execute(
        """
        select feedback.text from marts.anomalies as anomalies
        inner join core.fact_feedback as feedback on feedback.feedback_id = anomalies.example_feedback_ids[1]
        where anomalies.service_id = 'drivers_licence' and anomalies.theme_id = 'outages_errors'
            and anomalies.grain = 'week'
        """
    ).fetchall()
    assert texts and all(
        any(w in t.lower() for w in ("down", "error", "outage", "not loading", "broken")) for (t,) in texts
    ), texts


def test_key_drivers_explain_low_satisfaction(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = city_warehouse.execute(
        """
        select service_id, factor_kind, factor_id, effect_size, responses_with_factor, driver_rank,
            is_significant, is_comparable, share_of_low_citing
        from marts.key_drivers
        """
    ).fetchall()
    assert {r[0] for r in rows} >= {"drivers_licence", "utility_billing", "building_permits"}
    assert all(r[4] > 0 for r in rows)
    # Touchpoints asks for negative drivers only after a thumbs down: never compared with themselves
    ticks = [r for r in rows if r[1] == "a11_driver"]
    assert ticks and all(not r[7] and r[3] is None and 0 < r[8] <= 1 for r in ticks), ticks
    assert any(r[8] < 0.9 for r in ticks), "a share of the dissatisfied, not a circular 100%"
    dmv_top = [r for r in rows if r[0] == "drivers_licence" and r[5] <= 3]
    assert dmv_top and all(r[7] for r in dmv_top), dmv_top
    assert any(r[3] > 0 and r[6] for r in dmv_top), dmv_top
    fees = [r for r in rows if r[0] == "utility_billing" and r[2] == "fees_billing"]
    assert fees and fees[0][3] > 0, fees


def test_close_the_loop_lists_negative_or_urgent_unanswered_feedback(
    city_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = city_warehouse.execute(
        """
        select loop.channel, loop.source_ref_kind, loop.source_ref, loop.source_url, loop.is_negative,
            loop.is_urgent, loop.age_days, sentiment.label, feedback.is_repost, contact.is_resolved
        from marts.close_the_loop as loop
        inner join core.fact_feedback as feedback using (feedback_id)
        left join core.fact_feedback_sentiment as sentiment using (feedback_id)
        left join core.fact_contact as contact using (feedback_id)
        """
    ).fetchall()
    assert rows
    assert {r[0] for r in rows} == {"social", "phone", "survey"}
    for channel, kind, ref, url, negative, urgent, age, label, repost, resolved in rows:
        assert negative or urgent
        assert negative == (label == "negative")
        assert not repost and age >= 0 and ref
        if channel == "social":
            assert kind == "post_url" and url == ref and url.startswith("https://")
        if channel == "phone":
            assert kind == "call_id" and resolved is not True
        if channel == "survey":
            assert kind == "survey_response_id"


def test_every_feedback_row_names_the_versions_that_scored_it(
    city_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    settings = dict(city_warehouse.execute("select key, value from ops.settings").fetchall())
    versions = city_warehouse.execute(
        """
        select distinct
            feedback.scorer_version, feedback.detector_version, feedback.taxonomy_version,
            sentiment.scorer_version, theme.taxonomy_version
        from core.fact_feedback as feedback
        left join core.fact_feedback_sentiment as sentiment using (feedback_id)
        left join core.fact_feedback_theme as theme using (feedback_id)
        """
    ).fetchall()
    scorer, detector, taxonomy = (settings[f"{k}_version"] for k in ("scorer", "detector", "taxonomy"))
    # One scorer, detector and taxonomy for every row: a trend over these rows never mixes two models.
    assert set(versions) <= {
        (scorer, detector, taxonomy, scorer, taxonomy),
        (scorer, detector, taxonomy, scorer, None),
    }
    assert (scorer, detector, taxonomy, scorer, taxonomy) in versions


def _copy_of_city(city: Config, root: Path) -> Config:
    """A private copy of the city's warehouse, so a write here does not change the shared fixture."""
    paths = {
        "warehouse": str(root / "var" / "warehouse" / "civicpulse.duckdb"),
        "landing": str(root / "var" / "landing"),
        "exports": str(root / "var" / "exports"),
        "report": str(root / "var" / "report"),
        "pseudonym_key_file": str(city.resolve(city.settings.paths.pseudonym_key_file or Path("x"))),
    }
    config = load_config(write_project_config(root, paths=paths))
    config.warehouse_path.parent.mkdir(parents=True)
    shutil.copyfile(city.warehouse_path, config.warehouse_path)
    return config


def test_a_recorded_response_removes_the_item(city: Config, tmp_path: Path) -> None:
    from civicpulse.cli import main
    from civicpulse.warehouse.connection import reader
    from civicpulse.warehouse.publish import publish

    config = _copy_of_city(city, tmp_path)
    publish(config)
    with reader(config) as con:
        feedback_id, _service = con.execute(
            "select feedback_id, service_id from marts.close_the_loop order by queue_rank limit 1"
        ).fetchone() or ("", "")
        before = con.execute("select count(*) from marts.close_the_loop").fetchone()
    assert (
        main(
            [
                "--config",
                str(config.path),
                "-q",
                "respond",
                "--feedback-id",
                feedback_id,
                "--note",
                "Replied on X",
            ]
        )
        == 0
    )
    with reader(config) as con:
        after = con.execute("select count(*) from marts.close_the_loop").fetchone()
        gone = con.execute(
            "select count(*) from marts.close_the_loop where feedback_id = ?", [feedback_id]
        ).fetchone()
    assert gone == (0,)
    # Response notes are staff free text: they stay in the writer's file, out of the published copy.
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        recorded = con.execute(
            "select note from ops.responses where feedback_id = ?", [feedback_id]
        ).fetchall()
    assert before and after and after[0] == before[0] - 1
    assert recorded == [("Replied on X",)]
    assert (config.exports_path / "close_the_loop.parquet").is_file()
    assert main(["--config", str(config.path), "-q", "respond", "--feedback-id", "nope", "--note", "x"]) == 2


def test_reading_never_blocks_the_writer(city: Config, tmp_path: Path) -> None:
    """A reader holding the published copy open does not stop the writer, and sees the last publish."""
    from civicpulse.warehouse.connection import reader, writer
    from civicpulse.warehouse.publish import publish

    config = _copy_of_city(city, tmp_path)
    publish(config)
    with reader(config) as analyst:
        with writer(config) as con:
            con.execute("create table marts.writer_probe as select 1 as x")
        publish(config)
        assert analyst.execute("select count(*) from marts.cx_scorecard").fetchone()
    with reader(config) as con:
        assert con.execute("select x from marts.writer_probe").fetchone() == (1,)


def test_a_nightly_build_recomputes_only_the_anomaly_periods_a_changed_day_reaches(
    city: Config, tmp_path: Path
) -> None:
    """After new loads marts.anomaly_tests recomputes the periods from 6 days before the earliest input
    day that changed and keeps the older ones: the same table as a full recompute."""
    config = _copy_of_city(city, tmp_path)
    anomaly_tests = next(model for model in sql_models() if model.name == "marts.anomaly_tests")
    with duckdb.connect(str(config.warehouse_path)) as con:
        before = con.execute("select * from marts.anomaly_tests order by all").fetchall()
        row = con.execute(
            "select max(period_start) - 14 from marts.anomaly_tests where grain = 'day'"
        ).fetchone()
        assert row is not None
        changed_day: dt.date = row[0]

        def resend_day(con: duckdb.DuckDBPyConnection) -> int:
            # a re-sent export of one day with three times the feedback
            con.execute(
                "update marts.metric_daily set numerator = numerator * 3 "
                "where period_day = ? and metric = 'feedback_volume'",
                [changed_day],
            )
            return 0

        resend = Model(
            "marts.metric_daily", "python", ("marts.metric_daily",), frozenset(), run_python=resend_day
        )
        run_models(con, [resend, anomaly_tests], run_id="nightly", changed=[("demo", changed_day)])
        nightly = con.execute("select * from marts.anomaly_tests order by all").fetchall()
        kind = con.execute(
            "select kind from ops.model_runs where run_id = 'nightly' and model = ?", [anomaly_tests.name]
        )
        assert kind.fetchall() == [("sql incremental",)]
        con.execute(f"create or replace table marts.anomaly_tests as {anomaly_tests.sql}")
        full = con.execute("select * from marts.anomaly_tests order by all").fetchall()
    assert nightly == full
    changed = set(before) ^ set(full)
    assert changed and min(row[6] for row in changed) >= changed_day - dt.timedelta(days=6)


def _rebuilt_like_in_full(con: duckdb.DuckDBPyConnection, models: list[Model]) -> None:
    """Each model's table equals the one its SQL gives when run in full."""
    for model in models:
        nightly = con.execute(f"select * from {model.name} order by all").fetchall()
        con.execute(f"create or replace table {model.name} as {model.sql}")
        assert nightly == con.execute(f"select * from {model.name} order by all").fetchall(), model.name


def test_the_feedback_period_models_recompute_only_the_periods_a_changed_day_reaches(
    city: Config, tmp_path: Path
) -> None:
    """A late record for an old day and a re-sent day that lost a record: core.feedback_periods,
    marts.service_theme_trend and marts.emerging_terms recompute the periods those days reach (a month 30
    days back, inputs keyed by feedback_id dated through core.fact_feedback) and give the tables a full
    recompute gives; a record in a new latest week rebuilds marts.emerging_terms (its is_latest_week) in
    full."""
    config = _copy_of_city(city, tmp_path)
    names = (
        "core.feedback_periods",
        "marts.emerging_terms",
        "marts.service_theme_trend",
    )
    models = [model for model in sql_models() if model.name in names]
    assert all(model.periods is not None for model in models)
    # rebuilt in full from the changed core.fact_feedback, as a nightly build does
    facts = [
        m for m in sql_models() if m.name in ("core.fact_feedback_sentiment", "core.fact_feedback_theme")
    ]
    with duckdb.connect(str(config.warehouse_path)) as con:
        before = con.execute("select * from core.feedback_periods order by all").fetchall()
        row = con.execute(
            "select max(occurred_on) - 3, min(occurred_on) + 40, max(occurred_on) + 7 from core.fact_feedback"
        ).fetchone()
        assert row is not None
        resent_day, late_day, next_week_day = row

        def move_record(con: duckdb.DuckDBPyConnection, from_day: dt.date, to_day: dt.date) -> None:
            con.execute(
                "update core.fact_feedback set occurred_on = ? where feedback_id = "
                "(select max(feedback_id) from core.fact_feedback where occurred_on = ? "
                "and service_id is not null and not coalesce(is_repost, false))",
                [to_day, from_day],
            )

        def resend_days(con: duckdb.DuckDBPyConnection) -> int:
            con.execute(
                "delete from core.fact_feedback where feedback_id = "
                "(select min(feedback_id) from core.fact_feedback where occurred_on = ?)",
                [resent_day],
            )
            move_record(con, resent_day, late_day)
            return 0

        def night(run_id: str, edit: Callable[[duckdb.DuckDBPyConnection], int], day: dt.date) -> list[Any]:
            """Edit core.fact_feedback as a load of `day` would, run the models; how each ran."""
            step = Model(
                "core.fact_feedback", "python", ("core.fact_feedback",), frozenset(), run_python=edit
            )
            run_models(con, [step, *facts, *models], run_id=run_id, changed=[("demo", day)])
            return con.execute(
                "select model, kind from ops.model_runs where run_id = ? and list_contains(?, model)",
                [run_id, list(names)],
            ).fetchall()

        assert sorted(night("nightly", resend_days, resent_day)) == [
            (name, "sql incremental") for name in names
        ]
        assert con.execute("select * from core.feedback_periods order by all").fetchall() != before
        _rebuilt_like_in_full(con, models)

        def next_week(con: duckdb.DuckDBPyConnection) -> int:
            move_record(con, resent_day, next_week_day)
            return 0

        assert ("marts.emerging_terms", "sql") in night("next week", next_week, next_week_day)
        _rebuilt_like_in_full(con, models)
    assert late_day < resent_day - dt.timedelta(days=31)
