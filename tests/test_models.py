"""SQL models are discovered from sql/, ordered by the tables they read, and built in one transaction."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from civicpulse.migrations import discover
from civicpulse.streams import load_streams
from civicpulse.warehouse.models import Model, execution_order, run_models, sql_models
from civicpulse.warehouse.scoring import scoring_models
from civicpulse.warehouse.social_service import social_inference_model


def test_every_model_reads_only_known_tables() -> None:
    models = [*sql_models(), social_inference_model(), *scoring_models(Path("themes.yml"))]
    produced = {table for model in models for table in model.produces}
    raw = {f"raw.{name}" for name in load_streams()}
    ops = set()
    for migration in discover():
        for line in migration.sql.splitlines():
            if line.startswith("create table if not exists ops."):
                ops.add(line.split()[5])
    for model in models:
        unknown = model.reads - produced - raw - ops
        assert not unknown, f"{model.name} reads unknown tables {sorted(unknown)}"


def test_execution_order_respects_dependencies() -> None:
    models = [*sql_models(), social_inference_model(), *scoring_models(Path("themes.yml"))]
    order = [model.name for model in execution_order(models)]
    position = {name: index for index, name in enumerate(order)}
    assert position["staging.stg_feedback_texts"] < position["ops.sentiment_cache"]
    assert position["ops.sentiment_cache"] < position["core.fact_feedback"]
    assert position["core.fact_feedback"] < position["core.fact_feedback_sentiment"]
    assert position["core.fact_feedback_sentiment"] < position["marts.service_sentiment_trend"]
    assert position["core.dim_date"] < position["marts.cx_scorecard"]
    layers = {model.name.split(".")[0] for model in models}
    assert layers == {"staging", "core", "marts", "ops"}


def test_a_failing_model_rolls_back_the_whole_build(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("create schema staging; create schema core")
    first = Model("staging.a", "sql", ("staging.a",), frozenset(), "select 1 as x")
    broken = Model(
        "core.b", "sql", ("core.b",), frozenset({"staging.a"}), "select missing_column from staging.a"
    )
    con.execute("create schema ops")
    con.execute(
        "create table ops.model_runs (run_id varchar, model varchar, kind varchar, row_count bigint, "
        "seconds double, finished_at timestamptz)"
    )
    with pytest.raises(RuntimeError, match=r"sql/core/b\.sql"):
        run_models(con, [first, broken])
    assert con.execute(
        "select count(*) from information_schema.tables where table_name = 'a'"
    ).fetchone() == (0,)
