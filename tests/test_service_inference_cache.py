"""The social service inference fits again only when its inputs change (ops.service_inference_cache):
a rebuild on the same posts reuses the stored results, which are those of a fresh fit; a changed post
refits and replaces them; the cache holds ids, services and confidences, never a text."""

from __future__ import annotations

import datetime as dt
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

    root = tmp_path_factory.mktemp("inference-cache-city")
    config = load_config(write_project_config(root))
    generate(root / "var" / "demo-exports", start=START, days=DAYS, seed=13)
    ensure_demo_key(config)
    run_interval(config, START, START + dt.timedelta(days=DAYS))
    return config


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
