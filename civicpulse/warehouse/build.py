"""Build the warehouse models from raw: config tables, then staging, core, scoring and marts in
dependency order (`build_models`; the order itself is `models.execution_order`)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from civicpulse.config import Config
from civicpulse.paths import SQL_DIR
from civicpulse.service_inference import keyword_stem
from civicpulse.warehouse.incremental import Partition
from civicpulse.warehouse.models import Model, run_models, sql_models
from civicpulse.warehouse.scoring import Progress, scoring_models
from civicpulse.warehouse.social_service import social_inference_model

if TYPE_CHECKING:
    from transforms.themes import Taxonomy


def keyword_regex(keyword: str) -> str:
    """A case-folded keyword as an RE2 pattern matched on word boundaries, with its inflections.

    A keyword ending in a letter also matches with -s or -es after it ('permit' finds 'permits',
    'bus' finds 'buses'), and one ending in a consonant + y with -ies for the y ('library' finds
    'libraries'); the possessive ('permit's', 'permits'') matches already, as the apostrophe ends the
    word. Only the keyword's last word is inflected ('trash pickup' finds 'trash pickups').
    """
    lowered = keyword.lower()
    start = r"\b" if re.match(r"\w", lowered) else ""
    if not re.search(r"[a-z]$", lowered):
        end = r"\b" if re.search(r"\w$", lowered) else ""
        return f"{start}{re.escape(lowered)}{end}"
    if re.search(r"[^aeiou\W]y$", lowered):
        return rf"{start}{re.escape(lowered[:-1])}(?:y|ies)\b"
    return rf"{start}{re.escape(lowered)}(?:e?s)?\b"


class KeywordMatcher:
    """Every source's keyword rules, compiled once: called with a source and a lower-cased text,
    it returns the `rule_order` of each of that source's keyword rules whose keyword (or one of its
    inflections, see keyword_regex) occurs in the text on word boundaries. That is what
    `regexp_matches(text, keyword_regex(keyword))` finds, with the pattern compiled once per rule
    instead of once per (text, rule) pair: RE2 and Python's `re.ASCII` agree on these patterns (an
    escaped literal and a fixed suffix between ASCII word boundaries), and a rule is only searched
    when its keyword's stem occurs in the text at all."""

    def __init__(self, rules: Iterable[tuple[str, int, str]]) -> None:
        self._by_source: dict[str, list[tuple[int, str, re.Pattern[str]]]] = {}
        for source, order, keyword in rules:
            pattern = re.compile(keyword_regex(keyword), re.ASCII)
            self._by_source.setdefault(source, []).append((order, keyword_stem(keyword), pattern))

    def __call__(self, source: str, lowered_text: str) -> list[int]:
        return [
            order
            for order, literal, pattern in self._by_source.get(source, ())
            if literal in lowered_text and pattern.search(lowered_text)
        ]


def register_keyword_matcher(con: duckdb.DuckDBPyConnection, matcher: KeywordMatcher) -> None:
    """`service_keyword_matches(source, lower(text))` on this connection: the staging models'
    keyword rule join (see KeywordMatcher)."""
    with contextlib.suppress(duckdb.InvalidInputException):  # not registered on this connection yet
        con.remove_function("service_keyword_matches")
    con.create_function(
        "service_keyword_matches",
        matcher,
        ["VARCHAR", "VARCHAR"],
        "INTEGER[]",
        side_effects=False,
    )


def refresh_config_tables(
    con: duckdb.DuckDBPyConnection, config: Config, taxonomy: Taxonomy | None = None
) -> None:
    """The config tables, the keyword matcher and the macros; `taxonomy` is config.themes_path's,
    loaded here when not given."""
    from transforms.language import DETECTOR_VERSION
    from transforms.sentiment import SCORER_VERSION
    from transforms.themes import Taxonomy

    taxonomy = Taxonomy.load(config.themes_path) if taxonomy is None else taxonomy
    services = config.services
    _replace_rows(
        con,
        "ops.services",
        [[s.id for s in services], [s.name for s in services], [s.department for s in services]],
    )
    rules: list[tuple[str, str, str, str, str | None, int]] = []
    keywords: list[tuple[str, int, str]] = []
    for source in config.sources:
        order = 0
        for service_id, match in source.service_map.items():
            for kind, pattern in match.rules():
                regex = keyword_regex(pattern) if kind == "keyword" else None
                rules.append((source.name, service_id, kind, pattern, regex, order))
                if kind == "keyword":
                    keywords.append((source.name, order, pattern))
                order += 1
    _replace_rows(con, "ops.service_rules", [list(column) for column in zip(*rules, strict=True)] or [[]] * 6)
    register_keyword_matcher(con, KeywordMatcher(keywords))
    settings = {
        "timezone": config.settings.timezone,
        "scorer_version": SCORER_VERSION,
        "detector_version": DETECTOR_VERSION,
        "taxonomy_version": taxonomy.version,
        "place_names": json.dumps(sorted({" ".join(n.lower().split()) for n in config.settings.place_names})),
    }
    _replace_rows(con, "ops.settings", [list(settings), list(settings.values())])
    con.execute((SQL_DIR / "ddl" / "macros.sql").read_text())


def _replace_rows(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[Sequence[object]]) -> None:
    """Replace the rows of `table` by `columns` (one list per column, in the table's order) in one
    insert: `executemany` commits a statement per row, ~0.5 CPU-s for the 194 service rules on a
    warehouse file with 28 days in it."""
    con.execute(f"delete from {table}")
    names = [f"c{i}" for i in range(len(columns))]
    con.register("_cp_config_rows", pa.table(columns, names=names))
    try:
        con.execute(f"insert into {table} select {', '.join(names)} from _cp_config_rows")
    finally:
        con.unregister("_cp_config_rows")


def build_models(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    progress: Progress | None = None,
    *,
    select: Callable[[Model], bool] | None = None,
    run_id: str | None = None,
    changed: Sequence[Partition] | None = None,
) -> list[tuple[str, int, float]]:
    """Refresh the config tables, then build every model (or the selected ones) in one transaction;
    with `changed`, the incremental staging models update only those partitions' keys (models.run_models)."""
    from transforms.themes import Taxonomy

    # Loaded once for the settings' taxonomy version and the theme matching (YAML and model, ~0.1 CPU-s).
    taxonomy = Taxonomy.load(config.themes_path)
    refresh_config_tables(con, config, taxonomy)
    models = [
        *sql_models(),
        social_inference_model(),
        *scoring_models(config.themes_path, progress, taxonomy),
    ]
    return run_models(con, models, select=select, run_id=run_id, changed=changed)
