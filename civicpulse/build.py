"""Build the warehouse models from raw: config tables, staging, core, scoring, marts."""

from __future__ import annotations

import re

import duckdb

from civicpulse.config import Config
from civicpulse.paths import SQL_DIR
from transforms.models import run_models, sql_models
from transforms.scoring import Progress, scoring_models


def keyword_regex(keyword: str) -> str:
    """A case-folded keyword as an RE2 pattern matched on word boundaries."""
    escaped = re.escape(keyword.lower())
    start = r"\b" if re.match(r"\w", keyword) else ""
    end = r"\b" if re.search(r"\w$", keyword) else ""
    return f"{start}{escaped}{end}"


def refresh_config_tables(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    from transforms.sentiment import SCORER_VERSION
    from transforms.themes import Taxonomy

    taxonomy = Taxonomy.load(config.themes_path)
    con.execute("delete from ops.services")
    con.executemany(
        "insert into ops.services values (?, ?, ?)", [[s.id, s.name, s.department] for s in config.services]
    )
    con.execute("delete from ops.service_rules")
    rules = []
    for source in config.sources:
        order = 0
        for service_id, match in source.service_map.items():
            for kind, pattern in match.rules():
                regex = keyword_regex(pattern) if kind == "keyword" else None
                rules.append([source.name, service_id, kind, pattern, regex, order])
                order += 1
    if rules:
        con.executemany("insert into ops.service_rules values (?, ?, ?, ?, ?, ?)", rules)
    settings = {
        "timezone": config.settings.timezone,
        "scorer_version": SCORER_VERSION,
        "taxonomy_version": taxonomy.version,
    }
    con.execute("delete from ops.settings")
    con.executemany("insert into ops.settings values (?, ?)", [[k, v] for k, v in settings.items()])
    con.execute((SQL_DIR / "ddl" / "macros.sql").read_text())


def build_models(
    con: duckdb.DuckDBPyConnection, config: Config, progress: Progress | None = None
) -> list[tuple[str, int, float]]:
    refresh_config_tables(con, config)
    models = [*sql_models(), *scoring_models(config.themes_path, progress)]
    return run_models(con, models)
