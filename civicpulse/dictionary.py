"""The data dictionary: schemas/warehouse/*.yml rendered as docs/warehouse.md and warehouse.html.

`python -m civicpulse.dictionary` rewrites docs/warehouse.md after a change to the YAML files.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import duckdb
import yaml

from civicpulse.paths import PROJECT_ROOT

SCHEMA_DIR = PROJECT_ROOT / "schemas" / "warehouse"
MARKDOWN_PATH = PROJECT_ROOT / "docs" / "warehouse.md"
SCHEMAS = ("core", "marts")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def load_dictionary(schema_dir: Path = SCHEMA_DIR) -> dict[str, tuple[str, list[Table]]]:
    result: dict[str, tuple[str, list[Table]]] = {}
    for schema in SCHEMAS:
        data = yaml.safe_load((schema_dir / f"{schema}.yml").read_text(encoding="utf-8"))
        tables = [
            Table(
                schema,
                t["name"],
                t["description"],
                tuple(Column(c["name"], c["type"], c["description"]) for c in t["columns"]),
            )
            for t in data["tables"]
        ]
        result[schema] = (data["description"], tables)
    return result


def undocumented(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every core/marts column in a built warehouse that the dictionary lacks or types differently."""
    documented = {
        (table.qualified, column.name): column.type
        for _, tables in load_dictionary().values()
        for table in tables
        for column in table.columns
    }
    problems = []
    for schema, table, column, data_type in con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_schema in ('core', 'marts') order by all"
    ).fetchall():
        key = (f"{schema}.{table}", column)
        if key not in documented:
            problems.append(f"{schema}.{table}.{column} ({data_type.lower()}) is not in schemas/warehouse/")
        elif documented[key] != data_type.lower():
            problems.append(
                f"{schema}.{table}.{column}: built as {data_type.lower()}, documented {documented[key]}"
            )
    return problems


def render_markdown() -> str:
    lines = [
        "# The warehouse contract",
        "",
        "<!-- Generated from schemas/warehouse/*.yml by `python -m civicpulse.dictionary`; do not edit. -->",
        "",
        "`core` and `marts` are the public interface of the warehouse: analysts and the report may rely on "
        "every table and column below; a change comes with a note in the changelog. Query the published "
        'read-only copy (`civicpulse sql "select ..."`) or the marts as Parquet in `exports/`; '
        "`sql/examples/` holds worked questions. Dates are local city days, timestamps UTC.",
        "",
        "## What is published",
        "",
        "The published copy (`<warehouse>.published.duckdb`, rebuilt as a fresh file by every build, "
        "`respond` and `forget`, then renamed into place) holds `core`, `marts`, the analyst macros "
        "(`wilson_lower`/`wilson_upper`, `setting`, `local_day`) and this allow-list of `ops` tables, "
        "none of which holds personal data: `ops.loads` (load bookkeeping and freshness), "
        "`ops.dq_results` (data-quality results, counts only), `ops.model_runs`, `ops.services`, "
        "`ops.settings` and `ops.unused_fields` (`PUBLISHED_OPS_TABLES` in civicpulse/warehouse/publish.py). "
        "`ops.unused_fields` names each export field no landing column takes (a GA4 metric or event, "
        "a Matomo goal, a CSV column the parser does not read): one row per source, `record_file` and "
        "`field`, with `rows_with_field`, `reason` (and the fix), `first_seen_at`, `last_seen_at` and "
        "`load_id`; a rerun of the file's extract replaces its rows; names and counts only, never a "
        "value. `civicpulse status` lists them (UNUSED lines) and the extract, `load` and `run` "
        "summaries print them. It never holds `raw`, "
        "`staging`, `ops.quarantine`, the caches of resident text (`ops.sentiment_cache`, "
        "`ops.theme_cache`, `ops.term_cache`, `ops.urgency_cache`), `ops.responses` (staff notes), "
        "`ops.erasures`, `ops.erased_keys` or `ops.source_state` (cursors); the extract reads the last "
        "two from a separate state copy (`<warehouse>.state.duckdb`) that no analyst path opens. "
        "`exports/` holds the `marts` tables only. Temp copies an interrupted run leaves "
        "(`.<name>.duckdb.<hex>`, `.<name>.published.duckdb.<hex>`, `exports/.<table>.<hex>.parquet`) "
        "are removed when the next writer session starts.",
        "",
    ]
    for schema, (description, tables) in load_dictionary().items():
        lines += [f"## `{schema}`", "", description, ""]
        lines += [f"* [`{t.qualified}`](#{t.schema}{t.name}): {t.description}" for t in tables]
        lines.append("")
        for table in tables:
            lines += [f"### `{table.qualified}`", "", table.description, "", "| column | type | meaning |"]
            lines.append("| --- | --- | --- |")
            for column in table.columns:
                meaning = column.description.replace("|", "\\|")
                lines.append(f"| `{column.name}` | {column.type} | {meaning} |")
            lines.append("")
    return "\n".join(lines + UPGRADES)


UPGRADES = [
    "## Upgrades",
    "",
    "The warehouse's schema is versioned: `sql/migrations/NNNN_<name>.sql` are forward-only migrations "
    "and `ops.schema_migrations` (version, name, checksum, applied_at) records the ones applied. Every "
    "writer session (`run`, `load`, `build`, `respond`, `forget`, `rotate-key`, the DAG's tasks) applies "
    "the pending ones in order, in one transaction with their records, before it writes anything: "
    "upgrading is installing the new release and running it as usual. `0001_baseline.sql` is the schema "
    "of release 3164758; a warehouse written before migrations existed is adopted by it once its `ops` "
    "tables are found to have every baseline column. The writer refuses, in one line naming the file, "
    "the versions and the fix, a warehouse recording a version newer than the code (it was written by a "
    "newer release: run that one, or restore the copy taken before the upgrade) and an applied migration "
    "whose file has changed since (checksum). A failing migration leaves the warehouse as it was. There "
    "are no down-migrations: copy the warehouse file before an upgrade. The published and state copies "
    "have no schema of their own; every publish writes them afresh from the migrated warehouse. A schema "
    "change (an `ops` table or column, a column of a landing stream's `raw` table) is a new numbered "
    "file, never an edit: `tests/test_migrations.py` runs the previous release's warehouse "
    "(`tests/fixtures/previous_release/`) through the current code and fails when it ends up with "
    "another shape than a fresh warehouse.",
    "",
    "## Incremental builds",
    "",
    "A build after new loads (`ops.builds.build_mode = 'changed'`, same models, themes and config as the "
    "build before it) updates the staging models that deduplicate one raw table (`stg_contact_calls`, "
    "`stg_service_requests`, `stg_social_post_rules`, `stg_survey_responses`, `stg_web_pages`, "
    "`stg_web_searches`) for the keys the loaded (source, day) partitions touch instead of rebuilding "
    "them: each declares its raw table, key and how an output row matches a key in its header (`-- "
    "incremental: raw.<table> by <key>` and `-- incremental match: <condition>`, "
    "civicpulse/warehouse/incremental.py). The keys touched are those of the partitions' raw rows and "
    "those of the rows an earlier load of the same partitions wrote (a re-sent day that lost a record). "
    "The models whose rows belong to periods (`core.feedback_periods` by day, `marts.service_theme_trend` "
    "by day, week and month, `marts.emerging_terms` by week, `marts.anomaly_tests` by day and week) "
    "declare which column dates each of their inputs and how far past its start a period reads (`-- "
    "incremental periods: <column> reach <n> days` and `-- incremental input: <table> by <day column>`, "
    "or `by <day column> of <table> on <key>` for an input the model reads joined to a table that dates "
    "it, such as `core.fact_feedback_theme` through `core.fact_feedback.occurred_on`): their inputs' rows "
    "are digested per day before and after the build, and only the periods from n days before the "
    "earliest day whose rows changed are deleted and computed again (the model reads that day as "
    "`periods_from()`; n is 0 for `core.feedback_periods`, 30 for `marts.service_theme_trend`, whose "
    "months reach 30 days, 6 for the others); a change of an undated input, of a row without a day or of "
    "the result of a query the model depends on as a whole (`-- incremental whole: <query>`: the latest "
    "week behind `marts.emerging_terms.is_latest_week`, so a new week's first night rebuilds it) rebuilds "
    "the model, and so does a build of selected models only. "
    "Their `ops.model_runs.kind` is `sql incremental`. Every other model is rebuilt, and a first build, "
    "`civicpulse build --full`, a change of models, themes or config, an input edit without a load, an "
    "erasure and a response rebuild everything; tests/test_incremental_build.py checks that nightly "
    "builds give the same staging, core and marts tables as a full build.",
    "",
]


def render_html() -> str:
    sections = []
    for schema, (description, tables) in load_dictionary().items():
        parts = [f"<h2><code>{schema}</code></h2><p>{escape(description)}</p>"]
        for table in tables:
            rows = "".join(
                f"<tr><td><code>{escape(c.name)}</code></td><td>{escape(c.type)}</td>"
                f"<td>{escape(c.description)}</td></tr>"
                for c in table.columns
            )
            parts.append(
                f'<h3 id="{table.qualified}"><code>{table.qualified}</code></h3>'
                f"<p>{escape(table.description)}</p>"
                "<table><thead><tr><th scope='col'>Column</th><th scope='col'>Type</th>"
                f"<th scope='col'>Meaning</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        sections.append("".join(parts))
    style = (
        "body{font:15px/1.45 system-ui,Arial,sans-serif;color:#1f1f1f;max-width:1100px;margin:24px auto;"
        "padding:0 20px}table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;"
        "padding:5px 8px;border-bottom:1px solid #ddd;vertical-align:top}a{color:#0b4f8a}"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warehouse data dictionary</title>'
        f'<style>{style}</style></head><body><p><a href="index.html">Back to the CX report</a></p>'
        "<h1>Warehouse data dictionary</h1>"
        f"{''.join(sections)}</body></html>\n"
    )


def write_markdown(path: Path = MARKDOWN_PATH) -> Path:
    path.write_text(render_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_markdown())
