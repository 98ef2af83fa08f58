"""Python models: the DuckDB side of the sentiment, theme, urgency and term caches.

Each fills its cache (`ops.*_cache`) with the texts of `staging.stg_feedback_texts` not yet in it for the
current scorer version; the scoring itself is the pure text functions of `transforms/`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from civicpulse.warehouse.models import Model

if TYPE_CHECKING:
    from transforms.themes import Taxonomy

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


def pending_texts(
    con: duckdb.DuckDBPyConnection,
    cache: str,
    version_column: str,
    version: str,
    *,
    per_service: bool = False,
) -> list[tuple[str, ...]]:
    """The distinct texts (per service, if the cache is keyed by service) not yet in `cache` for
    this version: rows of (text_hash, [service_id,] text), in a stable order."""
    keys = "text_hash, service_id" if per_service else "text_hash"
    same_service = "and cache.service_id = texts.service_id" if per_service else ""
    # `cache` and `version_column` are names from this module, never from input.
    rows = con.execute(
        f"""
        select {keys}, any_value(text) as text
        from staging.stg_feedback_texts as texts
        where not exists (
            select 1 from {cache} as cache
            where cache.text_hash = texts.text_hash {same_service}
              and cache.{version_column} = ?
        )
        group by {keys}
        order by {keys}
        """,
        [version],
    ).fetchall()
    return [tuple(row) for row in rows]


def insert_into_cache(con: duckdb.DuckDBPyConnection, cache: str, table: pa.Table) -> None:
    """Append an Arrow table (the cache's columns but its timestamp) to `cache`, stamped now()."""
    view = "new_" + cache.replace(".", "_")
    con.register(view, table)
    try:
        con.execute(f"insert into {cache} select *, now() from {view}")
    finally:
        con.unregister(view)


def _each_text(
    pending: list[tuple[str, ...]], fn: Callable[[str], list[str]], name: str, progress: Progress | None
) -> list[list[str]]:
    results: list[list[str]] = []
    for index, row in enumerate(pending, start=1):
        results.append(fn(row[-1]))
        if progress and index % 5000 == 0:
            progress(name, index, len(pending))
    return results


def score_sentiment(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> int:
    """Score each distinct new text once (cache keyed by text hash and scorer version)."""
    from transforms.sentiment import SCORER_VERSION, score_texts

    pending = pending_texts(con, "ops.sentiment_cache", "scorer_version", SCORER_VERSION)
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
    insert_into_cache(con, "ops.sentiment_cache", table)
    return len(pending)


def match_themes(
    con: duckdb.DuckDBPyConnection,
    themes_path: Path,
    progress: Progress | None = None,
    taxonomy: Taxonomy | None = None,
) -> int:
    """Match the taxonomy (`taxonomy`, or the one loaded from `themes_path`) against each new (text,
    service); a text with no theme is cached as such."""
    from transforms.themes import Taxonomy, ThemeMatch

    taxonomy = Taxonomy.load(themes_path) if taxonomy is None else taxonomy
    pending = pending_texts(con, "ops.theme_cache", "taxonomy_version", taxonomy.version, per_service=True)
    log.info("themes: %d new (text, service) pairs to match (taxonomy %s)", len(pending), taxonomy.version)
    columns: dict[str, list[object]] = {name: [] for name in _THEME_SCHEMA.names}
    # The theme model scores a batch in one matrix product; 5,000 texts keep memory small.
    batch = 5000
    found: list[list[ThemeMatch]] = []
    for start in range(0, len(pending), batch):
        rows = pending[start : start + batch]
        found.extend(taxonomy.match_many([row[2] for row in rows], [row[1] for row in rows]))
    for index, (text_hash, service_id, _text) in enumerate(pending, start=1):
        matches: list[ThemeMatch | None] = [*found[index - 1]] or [None]
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
        insert_into_cache(con, "ops.theme_cache", pa.table(columns, schema=_THEME_SCHEMA))
    return len(pending)


def _cache_text_lists(
    con: duckdb.DuckDBPyConnection,
    name: str,
    cache: str,
    version_column: str,
    version: str,
    list_column: str,
    fn: Callable[[str], list[str]],
    progress: Progress | None,
) -> int:
    """A cache of one string list per distinct text and version: fill it for the new texts."""
    # The run setting (e.g. `urgency_version`) tells the core models which version to read.
    con.execute("insert or replace into ops.settings values (?, ?)", [version_column, version])
    pending = pending_texts(con, cache, version_column, version)
    log.info("%s: %d new distinct texts (%s %s)", name, len(pending), version_column, version)
    if not pending:
        return 0
    table = pa.table(
        {
            "text_hash": [row[0] for row in pending],
            version_column: [version] * len(pending),
            list_column: pa.array(_each_text(pending, fn, name, progress), pa.list_(pa.string())),
        }
    )
    insert_into_cache(con, cache, table)
    return len(pending)


def flag_urgency(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> int:
    """Find urgency reasons in each distinct new text (cache keyed by text hash and rule version).

    Also records the rule version as the run setting `urgency_version`, which
    `core.fact_feedback_urgency` reads.
    """
    from transforms.urgency import URGENCY_VERSION, urgency_reasons

    return _cache_text_lists(
        con,
        "urgency",
        "ops.urgency_cache",
        "urgency_version",
        URGENCY_VERSION,
        "reasons",
        urgency_reasons,
        progress,
    )


def extract_terms(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> int:
    """Tokenise each distinct new text into terms for `marts.emerging_terms` (cache keyed by text
    hash and tokenizer version); records the version as the run setting `tokenizer_version`."""
    from transforms.terms import TOKENIZER_VERSION, text_terms

    return _cache_text_lists(
        con, "terms", "ops.term_cache", "tokenizer_version", TOKENIZER_VERSION, "terms", text_terms, progress
    )


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


def scoring_models(
    themes_path: Path, progress: Progress | None = None, taxonomy: Taxonomy | None = None
) -> list[Model]:
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
            run_python=lambda con: match_themes(con, themes_path, progress, taxonomy),
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
