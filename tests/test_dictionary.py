"""The data dictionary covers every core and marts column, and docs/warehouse.md is up to date."""

from __future__ import annotations

import duckdb
import pytest

from civicpulse.dictionary import MARKDOWN_PATH, load_dictionary, render_html, render_markdown, undocumented


def test_docs_warehouse_md_is_generated_from_schemas() -> None:
    assert MARKDOWN_PATH.read_text(encoding="utf-8") == render_markdown(), (
        "docs/warehouse.md is stale: run `.venv/bin/python -m civicpulse.dictionary`"
    )


def test_every_entry_has_a_type_and_a_meaning() -> None:
    for _, tables in load_dictionary().values():
        for table in tables:
            assert table.description and table.columns
            for column in table.columns:
                assert column.type and len(column.description) > 4, (table.qualified, column.name)
    assert "<table>" in render_html()


@pytest.mark.airflow
def test_every_built_column_is_documented(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    problems = undocumented(city_warehouse)
    assert not problems, "document these in schemas/warehouse/*.yml:\n" + "\n".join(problems)
