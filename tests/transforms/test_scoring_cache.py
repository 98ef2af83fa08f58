"""The scoring caches: only new or changed texts are scored, identical texts once, per version."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from civicpulse.migrations import migrate
from civicpulse.warehouse.scoring import match_themes, score_sentiment
from transforms import sentiment
from transforms.themes import DEFAULT_TAXONOMY_PATH


def _warehouse(texts: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrate(con, "in-memory test warehouse")
    con.execute(
        "create table staging.stg_feedback_texts (feedback_id varchar, service_id varchar, text varchar)"
    )
    _add(con, texts)
    con.execute("alter table staging.stg_feedback_texts add column text_hash varchar")
    con.execute("update staging.stg_feedback_texts set text_hash = md5(text)")
    return con


def _add(con: duckdb.DuckDBPyConnection, texts: list[str], service: str = "dmv") -> None:
    start = con.execute("select count(*) from staging.stg_feedback_texts").fetchone()
    offset = start[0] if start else 0
    columns = [
        c for (c,) in con.execute("select column_name from (describe staging.stg_feedback_texts)").fetchall()
    ]
    for i, text in enumerate(texts, start=offset):
        values = [f"f{i}", service, text] + ([text] if "text_hash" in columns else [])
        placeholders = ", ".join("?" if c != "text_hash" else "md5(?)" for c in columns)
        con.execute(f"insert into staging.stg_feedback_texts values ({placeholders})", values)


def test_sentiment_cache_scores_new_distinct_texts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    con = _warehouse(["RT the DMV site is down again", "RT the DMV site is down again", "Great staff!"])
    assert score_sentiment(con) == 2
    assert score_sentiment(con) == 0
    _add(con, ["Great staff!", "Waited 3 hours, awful"])
    assert score_sentiment(con) == 1
    monkeypatch.setattr(sentiment, "SCORER_VERSION", sentiment.SCORER_VERSION + "-next")
    assert score_sentiment(con) == 3, "a new scorer version rescores every text"
    assert con.execute("select count(distinct scorer_version) from ops.sentiment_cache").fetchone() == (2,)


def test_theme_cache_is_keyed_by_text_service_and_taxonomy(tmp_path: Path) -> None:
    con = _warehouse(["On hold for 2 hours", "On hold for 2 hours", "Lovely park"])
    assert match_themes(con, DEFAULT_TAXONOMY_PATH) == 2
    assert match_themes(con, DEFAULT_TAXONOMY_PATH) == 0
    no_theme = con.execute("select count(*) from ops.theme_cache where theme_id is null").fetchone()
    assert no_theme == (1,), "a text without a theme is cached as such"
    _add(con, ["On hold for 2 hours"], service="permits")
    assert match_themes(con, DEFAULT_TAXONOMY_PATH) == 1, "same text, other service: matched again"
    edited = tmp_path / "themes.yml"
    edited.write_text(DEFAULT_TAXONOMY_PATH.read_text() + "\n# edited\n")
    (tmp_path / "models").mkdir()
    model = DEFAULT_TAXONOMY_PATH.parent / "models" / "themes_model.json"
    (tmp_path / "models" / "themes_model.json").write_bytes(model.read_bytes())
    assert match_themes(con, edited) == 3, "an edited taxonomy re-matches every (text, service)"
