"""Python models: sentiment, themes, urgency and terms of the texts not yet in the caches."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from transforms.models import Model

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


def score_sentiment(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> int:
    """Score each distinct new text once (cache keyed by text hash and scorer version)."""
    from transforms.sentiment import SCORER_VERSION, score_texts

    pending = con.execute(
        """
        select text_hash, any_value(text) as text
        from staging.stg_feedback_texts as texts
        where not exists (
            select 1 from ops.sentiment_cache as cache
            where cache.text_hash = texts.text_hash and cache.scorer_version = ?
        )
        group by text_hash
        order by text_hash
        """,
        [SCORER_VERSION],
    ).fetchall()
    log.info("sentiment: %d new distinct texts to score (scorer %s)", len(pending), SCORER_VERSION)
    if not pending:
        return 0

    def report(done: int, total: int) -> None:
        if progress:
            progress("sentiment", done, total)

    scores = score_texts([text for _, text in pending], progress=report)
    table = pa.table(
        {
            "text_hash": [text_hash for text_hash, _ in pending],
            "scorer_version": [SCORER_VERSION] * len(pending),
            "language": [s.language for s in scores],
            "compound": [s.compound for s in scores],
            "pos": [s.pos for s in scores],
            "neu": [s.neu for s in scores],
            "neg": [s.neg for s in scores],
            "label": [s.label for s in scores],
            "sentence_count": pa.array([s.sentence_count for s in scores], pa.int32()),
            "most_negative_sentence": [s.most_negative_sentence for s in scores],
            "most_negative_compound": [s.most_negative_compound for s in scores],
        }
    )
    con.register("new_sentiment", table)
    try:
        con.execute("insert into ops.sentiment_cache select *, now() from new_sentiment")
    finally:
        con.unregister("new_sentiment")
    return len(pending)


def match_themes(con: duckdb.DuckDBPyConnection, themes_path: Path, progress: Progress | None = None) -> int:
    """Match the taxonomy against each new (text, service); a text with no theme is cached as such."""
    from transforms.themes import Taxonomy, ThemeMatch

    taxonomy = Taxonomy.load(themes_path)
    pending = con.execute(
        """
        select text_hash, service_id, any_value(text) as text
        from staging.stg_feedback_texts as texts
        where not exists (
            select 1 from ops.theme_cache as cache
            where cache.text_hash = texts.text_hash
              and cache.service_id = texts.service_id
              and cache.taxonomy_version = ?
        )
        group by text_hash, service_id
        order by text_hash, service_id
        """,
        [taxonomy.version],
    ).fetchall()
    log.info("themes: %d new (text, service) pairs to match (taxonomy %s)", len(pending), taxonomy.version)
    columns: dict[str, list[object]] = {
        "text_hash": [],
        "service_id": [],
        "taxonomy_version": [],
        "theme_id": [],
        "theme_label": [],
        "a11_driver": [],
        "matched_terms": [],
    }
    for index, (text_hash, service_id, text) in enumerate(pending, start=1):
        matches: list[ThemeMatch | None] = [*taxonomy.match(text, service_id)] or [None]
        for match in matches:
            columns["text_hash"].append(text_hash)
            columns["service_id"].append(service_id)
            columns["taxonomy_version"].append(taxonomy.version)
            columns["theme_id"].append(match.theme_id if match else None)
            columns["theme_label"].append(match.label if match else None)
            columns["a11_driver"].append(match.a11_driver if match else None)
            columns["matched_terms"].append(list(match.matched_terms) if match else None)
        if progress and index % 5000 == 0:
            progress("themes", index, len(pending))
    if pending:
        table = pa.table(columns, schema=_THEME_SCHEMA)
        con.register("new_themes", table)
        try:
            con.execute("insert into ops.theme_cache select *, now() from new_themes")
        finally:
            con.unregister("new_themes")
    return len(pending)


def flag_urgency(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> int:
    """Find urgency reasons in each distinct new text (cache keyed by text hash and rule version).

    Also records the rule version as the run setting `urgency_version`, which
    `core.fact_feedback_urgency` reads.
    """
    from transforms.urgency import URGENCY_VERSION, urgency_reasons

    con.execute("insert or replace into ops.settings values ('urgency_version', ?)", [URGENCY_VERSION])
    pending = con.execute(
        """
        select text_hash, any_value(text) as text
        from staging.stg_feedback_texts as texts
        where not exists (
            select 1 from ops.urgency_cache as cache
            where cache.text_hash = texts.text_hash and cache.urgency_version = ?
        )
        group by text_hash
        order by text_hash
        """,
        [URGENCY_VERSION],
    ).fetchall()
    log.info("urgency: %d new distinct texts (rules %s)", len(pending), URGENCY_VERSION)
    if not pending:
        return 0
    reasons: list[list[str]] = []
    for index, (_, text) in enumerate(pending, start=1):
        reasons.append(urgency_reasons(text))
        if progress and index % 5000 == 0:
            progress("urgency", index, len(pending))
    table = pa.table(
        {
            "text_hash": [text_hash for text_hash, _ in pending],
            "urgency_version": [URGENCY_VERSION] * len(pending),
            "reasons": pa.array(reasons, pa.list_(pa.string())),
        }
    )
    con.register("new_urgency", table)
    try:
        con.execute("insert into ops.urgency_cache select *, now() from new_urgency")
    finally:
        con.unregister("new_urgency")
    return len(pending)


def extract_terms(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> int:
    """Tokenise each distinct new text into terms for `marts.emerging_terms` (cache keyed by text
    hash and tokenizer version); records the version as the run setting `tokenizer_version`."""
    from transforms.terms import TOKENIZER_VERSION, text_terms

    con.execute("insert or replace into ops.settings values ('tokenizer_version', ?)", [TOKENIZER_VERSION])
    pending = con.execute(
        """
        select text_hash, any_value(text) as text
        from staging.stg_feedback_texts as texts
        where not exists (
            select 1 from ops.term_cache as cache
            where cache.text_hash = texts.text_hash and cache.tokenizer_version = ?
        )
        group by text_hash
        order by text_hash
        """,
        [TOKENIZER_VERSION],
    ).fetchall()
    log.info("terms: %d new distinct texts (tokenizer %s)", len(pending), TOKENIZER_VERSION)
    if not pending:
        return 0
    terms: list[list[str]] = []
    for index, (_, text) in enumerate(pending, start=1):
        terms.append(text_terms(text))
        if progress and index % 5000 == 0:
            progress("terms", index, len(pending))
    table = pa.table(
        {
            "text_hash": [text_hash for text_hash, _ in pending],
            "tokenizer_version": [TOKENIZER_VERSION] * len(pending),
            "terms": pa.array(terms, pa.list_(pa.string())),
        }
    )
    con.register("new_terms", table)
    try:
        con.execute("insert into ops.term_cache select *, now() from new_terms")
    finally:
        con.unregister("new_terms")
    return len(pending)


_THEME_SCHEMA = pa.schema(
    [
        ("text_hash", pa.string()),
        ("service_id", pa.string()),
        ("taxonomy_version", pa.string()),
        ("theme_id", pa.string()),
        ("theme_label", pa.string()),
        ("a11_driver", pa.string()),
        ("matched_terms", pa.list_(pa.string())),
    ]
)


def scoring_models(themes_path: Path, progress: Progress | None = None) -> list[Model]:
    reads = frozenset({"staging.stg_feedback_texts"})
    return [
        Model(
            "ops.sentiment_cache",
            "python",
            ("ops.sentiment_cache",),
            reads,
            run_python=lambda con: score_sentiment(con, progress),
        ),
        Model(
            "ops.theme_cache",
            "python",
            ("ops.theme_cache",),
            reads,
            run_python=lambda con: match_themes(con, themes_path, progress),
        ),
        Model(
            "ops.urgency_cache",
            "python",
            ("ops.urgency_cache",),
            reads,
            run_python=lambda con: flag_urgency(con, progress),
        ),
        Model(
            "ops.term_cache",
            "python",
            ("ops.term_cache",),
            reads,
            run_python=lambda con: extract_terms(con, progress),
        ),
    ]
