"""Terms for emerging themes (transforms/terms.py) and the count test of marts.emerging_terms."""

from __future__ import annotations

import datetime as dt

import duckdb

from civicpulse.migrations import migrate
from civicpulse.paths import SQL_DIR
from civicpulse.warehouse.models import run_models, sql_models
from civicpulse.warehouse.scoring import extract_terms
from transforms.terms import TOKENIZER_VERSION, text_terms


def test_words_and_phrases_without_stopwords_handles_urls_and_redactions() -> None:
    terms = text_terms(
        "@RivertonDMV The DMV website is DOWN again!! Email me at [EMAIL] or jane@example.com "
        "https://x.co/abc #RenewOnline 😡 3 times"
    )
    assert terms == ["dmv", "website", "dmv website", "email", "renew", "online", "renew online"]


def test_phrases_do_not_cross_sentences_stopwords_or_numbers() -> None:
    terms = text_terms("New fee on the bill. Water rates 45 percent higher")
    assert "fee" in terms and "bill" in terms and "water rates" in terms
    assert "fee bill" not in terms and "bill water" not in terms and "rates percent" not in terms
    assert text_terms("") == [] and text_terms("the and of it") == []


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrate(con, "in-memory test warehouse")
    con.execute("insert into ops.settings values ('timezone', 'UTC')")
    con.execute((SQL_DIR / "ddl" / "macros.sql").read_text())
    rows = []
    start = dt.date(2026, 6, 1)
    for week in range(6):
        for i in range(30):
            day = start + dt.timedelta(weeks=week, days=i % 5)
            text = f"Clerk helped with my renewal number {i}"
            if week == 4 and i < 12:
                text = "Basement flooded again, the drainage ditch overflowed"
            if week == 5 and i < 6:
                text = "Bill went up, drainage charge added"
            rows.append((f"f{week}-{i}", "svc", day, text, week == 4 and i >= 28))
    con.execute(
        "create table staging.stg_feedback_texts (feedback_id varchar, service_id varchar, "
        "occurred_at timestamptz, text varchar, text_hash varchar)"
    )
    con.executemany(
        "insert into staging.stg_feedback_texts values (?, ?, ?, ?, md5(?))",
        [(f, s, d, t, t) for f, s, d, t, _ in rows],
    )
    con.execute(
        "create table core.fact_feedback (feedback_id varchar, service_id varchar, occurred_at timestamptz, "
        "occurred_on date, text_hash varchar, is_repost boolean)"
    )
    con.executemany(
        "insert into core.fact_feedback values (?, ?, ?, ?, md5(?), ?)",
        [(f, s, d, d, t, repost) for f, s, d, t, repost in rows],
    )
    con.execute("create table core.fact_feedback_theme (feedback_id varchar, matched_terms varchar[])")
    con.execute(
        "insert into core.fact_feedback_theme select feedback_id, ['drainage charge'] "
        "from core.fact_feedback where text_hash = md5('Bill went up, drainage charge added')"
    )
    return con


def test_emerging_terms_flags_a_weekly_surge_outside_the_taxonomy() -> None:
    con = _warehouse()
    assert extract_terms(con) > 0
    assert con.execute("select value from ops.settings where key = 'tokenizer_version'").fetchone() == (
        TOKENIZER_VERSION,
    )
    run_models(con, [m for m in sql_models() if m.name == "marts.emerging_terms"])
    found = {
        (week, term): (count, examples, latest)
        for week, term, count, examples, latest in con.execute(
            "select week_start, term, term_count, example_feedback_ids, is_latest_week "
            "from marts.emerging_terms"
        ).fetchall()
    }
    surge = dt.date(2026, 6, 29)
    surged = {term for week, term in found if week == surge}
    assert surged >= {"basement flooded", "drainage ditch"}, surged
    assert not surged & {"basement", "flooded"}, "words that only surge inside a phrase merge into it"
    count, examples, latest = found[(surge, "basement flooded")]
    assert count == 12 and len(examples) == 3 and not latest
    assert all(term not in {"clerk", "renewal", "number"} for _, term in found), "steady terms never surface"
    assert (dt.date(2026, 7, 6), "drainage charge") not in found, "taxonomy terms are excluded"
    assert all(week >= dt.date(2026, 6, 15) for week, _ in found), "two baseline weeks at least"
