"""The staging models' keyword rule join: `service_keyword_matches` (a matcher compiled once per
rule set) finds exactly the (row, rule) pairs the former per-pair `regexp_matches` join found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from bench.real_texts import REAL_DIR, real_texts
from civicpulse.config import Config, load_config
from civicpulse.demo import generate
from civicpulse.pipeline import extract, load
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.warehouse.build import (
    KeywordMatcher,
    keyword_regex,
    refresh_config_tables,
    register_keyword_matcher,
)
from civicpulse.warehouse.connection import writer
from tests.conftest import write_project_config

START = dt.date(2026, 6, 1)
END = START + dt.timedelta(days=6)

# (raw table, key columns, lower-cased text the models match keywords in). The demo city lands no
# 311 requests (raw.service_request): stg_service_requests' text is covered by the real-text test.
KEYWORD_JOINS = [
    ("raw.social_post", "native_id", "lower(t.text)"),
    ("raw.survey_response", "response_id", "lower(t.service_hint)"),
    ("raw.web_search_daily", "date, search_term", "lower(t.search_term)"),
]


@pytest.fixture(scope="module")
def demo_warehouse(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Config, duckdb.DuckDBPyConnection]]:
    root = tmp_path_factory.mktemp("keyword-rules")
    config = load_config(write_project_config(root))
    generate(root / "var" / "demo-exports", start=START, days=(END - START).days, seed=5)
    ensure_demo_key(config)
    for source in config.sources:
        extract(config, source.name, START, END)
    load(config, START, END)
    with writer(config) as con:
        refresh_config_tables(con, config)
        yield config, con


def _pairs(con: duckdb.DuckDBPyConnection, sql: str) -> set[tuple[object, ...]]:
    return set(con.execute(sql).fetchall())


@pytest.mark.parametrize(("table", "keys", "text"), KEYWORD_JOINS)
def test_keyword_matches_equal_the_regexp_join_on_the_demo_warehouse(
    demo_warehouse: tuple[Config, duckdb.DuckDBPyConnection], table: str, keys: str, text: str
) -> None:
    _, con = demo_warehouse
    key_columns = ", ".join(f"t.{key.strip()}" for key in keys.split(","))
    old = _pairs(
        con,
        f"""select distinct t.source, {key_columns}, rules.rule_order
        from {table} as t inner join ops.service_rules as rules
            on t.source = rules.source and rules.rule_kind = 'keyword'
            and regexp_matches({text}, rules.match_regex)""",
    )
    new = _pairs(
        con,
        f"""select distinct * from (
            select t.source, {key_columns}, unnest(service_keyword_matches(t.source, {text})) as rule_order
            from {table} as t
        )""",
    )
    assert new == old
    rows = con.execute(f"select count(*) from {table}").fetchone()
    assert rows is not None and rows[0] > 0


def test_the_demo_warehouse_has_keyword_matches(
    demo_warehouse: tuple[Config, duckdb.DuckDBPyConnection],
) -> None:
    _, con = demo_warehouse
    found = con.execute(
        "select count(*) from raw.social_post as t, unnest(service_keyword_matches(t.source, lower(t.text)))"
    ).fetchone()
    assert found is not None and found[0] > 0


@pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"shared real data not found at {REAL_DIR}")
def test_keyword_matches_equal_regexp_matches_on_real_texts_with_the_project_rules(
    demo_warehouse: tuple[Config, duckdb.DuckDBPyConnection],
) -> None:
    """Every shared real text (accents, emoji, punctuation) against every source's keyword rules."""
    _, con = demo_warehouse
    sources = [
        row[0]
        for row in con.execute(
            "select distinct source from ops.service_rules where rule_kind = 'keyword'"
        ).fetchall()
    ]
    texts = [text for _, text in real_texts()]
    con.execute("create or replace temp table real_text (source varchar, id integer, text varchar)")
    con.executemany(
        "insert into real_text values (?, ?, ?)",
        [[source, index, text] for source in sources for index, text in enumerate(texts)],
    )
    old = _pairs(
        con,
        """select t.source, t.id, rules.rule_order from real_text as t inner join ops.service_rules as rules
            on t.source = rules.source and rules.rule_kind = 'keyword'
            and regexp_matches(lower(t.text), rules.match_regex)""",
    )
    new = _pairs(
        con,
        "select t.source, t.id, unnest(service_keyword_matches(t.source, lower(t.text))) from real_text as t",
    )
    assert new == old and len(old) > 100


def test_keywords_match_on_ascii_word_boundaries_like_re2(tmp_path: Path) -> None:
    matcher = KeywordMatcher([("x", 0, "bin"), ("x", 1, "C++"), ("x", 2, "bus stop"), ("y", 3, "bin")])
    con = duckdb.connect()
    register_keyword_matcher(con, matcher)
    re2_patterns = "['\\bbin\\b', '\\bc\\+\\+', '\\bbus\\ stop\\b']"
    texts = "('Bin day'), ('binary'), ('c++ class'), ('the bus stop.'), ('bïn'), ('ébin'), ('cabin')"
    rows = con.execute(
        f"""select text, service_keyword_matches('x', lower(text)),
                  list_filter([0, 1, 2], i -> regexp_matches(lower(text), {re2_patterns}[i + 1]))
           from (values {texts}) as v(text)"""
    ).fetchall()
    for text, ours, re2 in rows:
        assert ours == re2, text
    assert matcher("x", "ébin") == [0]  # é is not an ASCII word character, as in RE2


INFLECTED = [
    ("two permits", [0]),
    ("the permit's fee", [0]),
    ("both permits' fees", [0]),
    ("permitting", []),
    ("buses late again", [1]),
    ("busy line", []),
    ("libraries closed", [2]),
    ("library hours", [2]),
    ("librarys", []),
    ("trash pickups missed", [3]),
    ("trashes pickup", []),
    ("call 311s", []),
]


def test_keywords_match_plurals_and_possessives_and_re2_agrees() -> None:
    keywords = ["Permit", "bus", "library", "trash pickup", "311"]
    matcher = KeywordMatcher([("x", order, keyword) for order, keyword in enumerate(keywords)])
    assert [(text, matcher("x", text)) for text, _ in INFLECTED] == INFLECTED
    con = duckdb.connect()
    patterns = [keyword_regex(keyword) for keyword in keywords]
    for text, expected in INFLECTED:
        re2 = [
            i
            for i, pattern in enumerate(patterns)
            if con.execute("select regexp_matches(?, ?)", [text, pattern]).fetchone() == (True,)
        ]
        assert re2 == expected, text
