"""A demo build (generate, extract, load, build, publish; no Airflow) records how every social post was
mapped, and infers a service for posts no rule mapped. The inference fits again only when its inputs
change (ops.service_inference_cache): a rebuild on the same posts reuses the stored results, which are
those of a fresh fit; a changed post refits and replaces them; the cache holds no text."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from civicpulse.config import Config, load_config
from civicpulse.warehouse.social_service import CACHE, TABLE, infer_social_services
from tests.conftest import write_project_config

START = dt.date(2026, 6, 1)
DAYS = 21


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Config:
    from civicpulse.demo import generate
    from civicpulse.pipeline import run_interval
    from civicpulse.pseudonym_key import ensure_demo_key

    root = tmp_path_factory.mktemp("inference-city")
    config = load_config(write_project_config(root))
    generate(root / "var" / "demo-exports", start=START, days=DAYS, seed=13)
    ensure_demo_key(config)
    run_interval(config, START, START + dt.timedelta(days=DAYS))
    return config


@pytest.fixture(scope="module")
def writer_file(built: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built.warehouse_path), read_only=True) as con:  # staging is not published
        yield con


def test_every_social_post_records_how_it_was_mapped(writer_file: duckdb.DuckDBPyConnection) -> None:
    by_method = dict(
        writer_file.execute(
            "select coalesce(mapping_method, 'null'), count(*) from staging.stg_social_posts group by 1"
        ).fetchall()
    )
    assert set(by_method) <= {"rule", "inferred", "unmapped"}, by_method
    rule_mapped, rule_unmapped = writer_file.execute(
        "select count(*) filter (where service_id <> 'unmapped'), count(*) filter (where service_id = "
        "'unmapped') from staging.stg_social_post_rules"
    ).fetchone() or (0, 0)
    assert by_method.get("rule", 0) == rule_mapped > 0
    assert rule_unmapped > 0, "the demo city writes posts without a service hashtag or keyword"
    assert by_method.get("inferred", 0) > 0, "untagged posts exist, so some must be inferred"
    assert by_method.get("inferred", 0) + by_method.get("unmapped", 0) == rule_unmapped


def test_rule_services_are_kept_and_inferred_ones_clear_the_threshold(
    writer_file: duckdb.DuckDBPyConnection,
) -> None:
    changed = writer_file.execute(
        """
        select count(*) from staging.stg_social_posts as posts
        join staging.stg_social_post_rules as rules using (feedback_id)
        where rules.service_id <> 'unmapped' and posts.service_id <> rules.service_id
        """
    ).fetchone()
    assert changed == (0,)
    (setting,) = writer_file.execute(
        "select value from ops.settings where key = 'service_inference'"
    ).fetchone() or ("{}",)
    threshold = json.loads(setting)["threshold"]
    low, high, unassigned = writer_file.execute(
        """
        select
            min(mapping_confidence), max(mapping_confidence),
            count(*) filter (where service_id = 'unmapped')
        from staging.stg_social_posts where mapping_method = 'inferred'
        """
    ).fetchone() or (None, None, None)
    assert low is not None and high is not None
    assert round(threshold, 4) - 1e-4 <= low <= high <= 1
    assert unassigned == 0
    assert writer_file.execute(
        "select count(*) from staging.stg_social_posts where mapping_method <> 'inferred' "
        "and mapping_confidence is not null"
    ).fetchone() == (0,)


def test_core_carries_the_mapping_of_every_feedback_row(built: Config) -> None:
    from civicpulse.warehouse.connection import reader

    with reader(built) as con:
        rows = con.execute(
            """
            select channel, mapping_method, count(*),
                count(*) filter (where (service_id = 'unmapped') <> (mapping_method = 'unmapped'))
            from core.fact_feedback group by all order by all
            """
        ).fetchall()
    methods = {(channel, method) for channel, method, _, _ in rows}
    assert ("social", "inferred") in methods
    assert all(method in {"rule", "inferred", "unmapped"} for _, method, _, _ in rows), rows
    assert not [row for row in rows if row[0] != "social" and row[1] == "inferred"]
    assert all(mismatched == 0 for _, _, _, mismatched in rows), rows


def test_the_evaluation_measures_a_built_city(writer_file: duckdb.DuckDBPyConnection) -> None:
    from evaluation.service_inference import measure_social, missed_targets

    measured = measure_social(writer_file, "small city")
    tagged, unmapped, posts = writer_file.execute(
        """
        select
            (
                select count(*) from staging.stg_social_post_rules
                where service_id <> 'unmapped' and not is_repost
            ),
            count(*) filter (where mapping_method = 'unmapped'),
            count(*)
        from staging.stg_social_posts
        """
    ).fetchone() or (0, 0, 0)
    assert measured.trained_on + measured.texts <= tagged
    assert measured.texts > 0
    assert 0 <= measured.correct <= measured.assigned <= measured.texts
    assert measured.top_choice_correct <= measured.texts
    assert (measured.unmapped, measured.posts) == (unmapped, posts)
    assert isinstance(missed_targets(measured), list)


@pytest.fixture
def con(built: Config, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built.warehouse_path, copy)
    with duckdb.connect(str(copy)) as connection:
        yield connection


def _results(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple[object, ...]], object]:
    rows = con.execute(f"select * from {TABLE} order by feedback_id").fetchall()
    (setting,) = con.execute("select value from ops.settings where key = 'service_inference'").fetchone() or (
        None,
    )
    return rows, setting


def _keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [str(k) for (k,) in con.execute(f"select distinct cache_key from {CACHE}").fetchall()]


def test_the_build_stores_its_results_and_a_rebuild_reuses_them(
    con: duckdb.DuckDBPyConnection, caplog: pytest.LogCaptureFixture
) -> None:
    built = _results(con)
    assert built[0], "the demo city has posts the classifier assigns"
    assert len(_keys(con)) == 1
    caplog.set_level(logging.INFO, logger="civicpulse.warehouse.social_service")
    assert infer_social_services(con) == len(built[0])
    assert "results reused" in caplog.text
    assert _results(con) == built


def test_reused_results_equal_a_fresh_fit(
    con: duckdb.DuckDBPyConnection, caplog: pytest.LogCaptureFixture
) -> None:
    stored = _results(con)
    con.execute(f"delete from {CACHE}")
    caplog.set_level(logging.INFO, logger="civicpulse.warehouse.social_service")
    infer_social_services(con)
    assert "results reused" not in caplog.text
    assert _results(con) == stored


def test_a_changed_training_post_refits_and_replaces_the_cache(
    con: duckdb.DuckDBPyConnection, caplog: pytest.LogCaptureFixture
) -> None:
    (before,) = _keys(con)
    con.execute(
        """
        delete from staging.stg_social_post_rules where feedback_id = (
            select min(feedback_id) from staging.stg_social_post_rules
            where service_id <> 'unmapped' and not is_repost
        )
        """
    )
    caplog.set_level(logging.INFO, logger="civicpulse.warehouse.social_service")
    infer_social_services(con)
    assert "results reused" not in caplog.text
    (after,) = _keys(con)
    assert after != before


def test_the_cache_holds_no_text(con: duckdb.DuckDBPyConnection) -> None:
    texts = {
        str(text)
        for (text,) in con.execute(
            "select text from staging.stg_social_post_rules where text is not null"
        ).fetchall()
    }
    cached = con.execute(f"select * from {CACHE}").fetchall()
    assert cached
    values = {str(value) for row in cached for value in row}
    assert not texts & values


def test_the_fit_learns_from_the_most_recent_posts_only(con: duckdb.DuckDBPyConnection) -> None:
    """A bounded training set keeps the nightly refit's cost flat: with room for all but the ten oldest
    rule-mapped posts, the results are those of a fit on a warehouse without those ten."""
    training = "service_id <> 'unmapped' and not is_repost"
    (labelled,) = con.execute(
        f"select count(*) from staging.stg_social_post_rules where {training}"
    ).fetchone() or (0,)
    assert labelled > 40
    infer_social_services(con, max_training=labelled - 10)
    capped, setting = _results(con)
    summary = json.loads(str(setting))
    assert summary["rule_mapped"] == labelled
    assert summary["older_posts_not_trained_on"] == 10
    con.execute(
        f"""
        delete from staging.stg_social_post_rules where feedback_id in (
            select feedback_id from staging.stg_social_post_rules where {training}
            order by occurred_at asc nulls first, feedback_id asc limit 10
        )
        """
    )
    con.execute(f"delete from {CACHE}")
    infer_social_services(con)
    rows, setting = _results(con)
    assert rows == capped
    unbounded = json.loads(str(setting))
    assert "older_posts_not_trained_on" not in unbounded
    assert (unbounded["trained_on"], unbounded["threshold"]) == (summary["trained_on"], summary["threshold"])
