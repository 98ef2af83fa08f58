"""A demo build (generate, extract, load, build, publish; no Airflow) records how every social post was
mapped, and infers a service for posts no rule mapped. A rebuild on the same posts reuses the stored
results (ops.service_inference_cache), which are those of a fresh fit; the kept model
(ops.service_inference_model) predicts exactly what the fit did, and is fitted again only when the
refit policy says so (erased or changed training posts, a new week, >= 10% new training posts); the
cache and the kept model hold no text."""

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
from civicpulse.warehouse.social_service import (
    CACHE,
    KEPT,
    KEPT_TRAINING,
    PREDICTIONS,
    REFIT_NEW_SHARE,
    TABLE,
    infer_social_services,
)
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


def _without_fit_time(results: tuple[list[tuple[object, ...]], object]) -> tuple[object, ...]:
    rows, setting = results
    summary = json.loads(str(setting))
    summary.pop("model_fitted_at", None)
    summary.pop("model_refit", None)
    return rows, summary


def test_reused_results_equal_a_fresh_fit(
    con: duckdb.DuckDBPyConnection, caplog: pytest.LogCaptureFixture
) -> None:
    stored = _results(con)
    con.execute(f"delete from {CACHE}")
    con.execute(f"delete from {KEPT}")
    caplog.set_level(logging.INFO, logger="civicpulse.warehouse.social_service")
    infer_social_services(con)
    assert "results reused" not in caplog.text and "fitted again (no kept model)" in caplog.text
    assert _without_fit_time(_results(con)) == _without_fit_time(stored)


def test_the_kept_model_predicts_what_the_fit_did(
    con: duckdb.DuckDBPyConnection, caplog: pytest.LogCaptureFixture
) -> None:
    rows, setting = _results(con)
    con.execute(f"delete from {CACHE}")
    con.execute(f"delete from {PREDICTIONS}")
    caplog.set_level(logging.INFO, logger="civicpulse.warehouse.social_service")
    infer_social_services(con)
    assert "fitted again" not in caplog.text and "kept model" in caplog.text
    kept_rows, kept_setting = _results(con)
    assert kept_rows == rows
    assert json.loads(str(kept_setting)) == json.loads(str(setting)) | {"model_refit": None}
    (version,) = {row[-1] for row in rows}
    assert version == json.loads(str(setting))["model_version"]


def test_the_kept_model_predicts_only_posts_it_has_not_predicted(
    con: duckdb.DuckDBPyConnection, caplog: pytest.LogCaptureFixture
) -> None:
    rows, _ = _results(con)
    (unmapped,) = con.execute(
        "select count(*) from staging.stg_social_post_rules where service_id = 'unmapped'"
    ).fetchone() or (0,)
    stored_by_the_fit = con.execute(f"select * from {PREDICTIONS} order by feedback_id").fetchall()
    assert len({row[1] for row in stored_by_the_fit}) == len(stored_by_the_fit) == unmapped
    con.execute(f"delete from {CACHE}")
    con.execute(f"delete from {PREDICTIONS}")
    infer_social_services(con)  # the kept model predicts every unmapped post
    assert con.execute(f"select * from {PREDICTIONS} order by feedback_id").fetchall() == stored_by_the_fit
    first, second, third = (row[1] for row in stored_by_the_fit[:3])
    con.execute(f"delete from {PREDICTIONS} where feedback_id = ?", [first])
    con.execute(f"update {PREDICTIONS} set post_hash = 'another text' where feedback_id = ?", [second])
    con.execute(f"update {PREDICTIONS} set model_version = 'another model' where feedback_id = ?", [third])
    con.execute(f"delete from {CACHE}")
    caplog.set_level(logging.INFO, logger="civicpulse.warehouse.social_service")
    infer_social_services(con)
    assert f"3 of {unmapped} unmapped posts not predicted before" in caplog.text
    assert _results(con)[0] == rows
    assert con.execute(f"select * from {PREDICTIONS} order by feedback_id").fetchall() == stored_by_the_fit


_TRAINING = "service_id <> 'unmapped' and not is_repost"


def _hide_oldest_training_posts(con: duckdb.DuckDBPyConnection, share: float) -> int:
    """Fit without the oldest `share` of the training posts, then give them back: as many new posts
    for the kept model, in the weeks it has seen."""
    (labelled,) = con.execute(
        f"select count(*) from staging.stg_social_post_rules where {_TRAINING}"
    ).fetchone() or (0,)
    hidden = int(labelled * share) + 1
    con.execute(
        f"""
        create temp table hidden as select * from staging.stg_social_post_rules where feedback_id in (
            select feedback_id from staging.stg_social_post_rules where {_TRAINING}
            order by occurred_at asc nulls first, feedback_id asc limit {hidden}
        )
        """
    )
    con.execute(
        "delete from staging.stg_social_post_rules where feedback_id in (select feedback_id from hidden)"
    )
    con.execute(f"delete from {KEPT}")
    infer_social_services(con)
    con.execute("insert into staging.stg_social_post_rules select * from hidden")
    return hidden


def _refit(con: duckdb.DuckDBPyConnection) -> object:
    """The build's `model_refit`: why it fitted again, or None (the result cache, which would reuse
    the last results for unchanged texts and labels, emptied first)."""
    con.execute(f"delete from {CACHE}")
    infer_social_services(con)
    (setting,) = con.execute("select value from ops.settings where key = 'service_inference'").fetchone() or (
        None,
    )
    return json.loads(str(setting))["model_refit"]


def test_a_few_new_training_posts_keep_the_model(con: duckdb.DuckDBPyConnection) -> None:
    _hide_oldest_training_posts(con, REFIT_NEW_SHARE / 2)
    (before,) = con.execute(f"select model_version from {KEPT}").fetchone() or (None,)
    assert _refit(con) is None
    assert con.execute(f"select model_version from {KEPT}").fetchone() == (before,)


def test_a_tenth_new_training_posts_refit(con: duckdb.DuckDBPyConnection) -> None:
    hidden = _hide_oldest_training_posts(con, REFIT_NEW_SHARE)
    assert _refit(con) == f"{hidden} new training posts"


def test_an_erased_training_post_refits_and_leaves_the_kept_model(con: duckdb.DuckDBPyConnection) -> None:
    (erased,) = con.execute(f"select min(feedback_id) from {KEPT_TRAINING}").fetchone() or (None,)
    # What an erasure does: the person's rows go from staging and from every ops table by feedback_id.
    con.execute("delete from staging.stg_social_post_rules where feedback_id = ?", [erased])
    con.execute(f"delete from {KEPT_TRAINING} where feedback_id = ?", [erased])
    assert _refit(con) == "training posts erased or changed"
    assert con.execute(
        f"select count(*) from {KEPT_TRAINING} where feedback_id = ?", [erased]
    ).fetchone() == (0,)
    assert con.execute(f"select count(*) from {KEPT}").fetchone() == (1,)


def test_a_changed_rule_service_refits(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        update staging.stg_social_post_rules set service_id = 'unmapped' where feedback_id = (
            select min(feedback_id) from {KEPT_TRAINING}
        )
        """
    )
    assert _refit(con) == "training posts erased or changed"


def test_a_new_week_refits(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        update staging.stg_social_post_rules set occurred_at = occurred_at + interval 7 day
        where feedback_id = (
            select feedback_id from staging.stg_social_post_rules where {_TRAINING}
            order by occurred_at desc, feedback_id desc limit 1
        )
        """
    )
    reason = _refit(con)
    assert isinstance(reason, str) and reason.startswith("a new week")


def test_the_kept_model_holds_no_text(con: duckdb.DuckDBPyConnection) -> None:
    (model,) = con.execute(f"select model from {KEPT}").fetchone() or (b"",)
    words = {
        word
        for (text,) in con.execute(
            f"select text from staging.stg_social_post_rules where {_TRAINING}"
        ).fetchall()
        for word in str(text).lower().split()
        if len(word) >= 8 and word.isalpha()
    }
    # The service ids and the names of the stored arrays ("services", ...) are in the bytes, by design.
    named = {str(s) for (s,) in con.execute("select service_id from ops.services").fetchall()} | {"services"}
    words = {w for w in words if not any(w in name for name in named)}
    assert len(words) > 20
    assert [w for w in words if w.encode() in bytes(model) or w.encode("utf-32-le") in bytes(model)] == []


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
    con.execute(f"delete from {KEPT}")  # the bound applies to a fit
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
    con.execute(f"delete from {KEPT}")
    infer_social_services(con)
    rows, setting = _results(con)
    assert [row[:3] for row in rows] == [row[:3] for row in capped]
    unbounded = json.loads(str(setting))
    assert "older_posts_not_trained_on" not in unbounded
    assert (unbounded["trained_on"], unbounded["threshold"]) == (summary["trained_on"], summary["threshold"])
