"""Every query in sql/examples/ runs against the city the DAG built and answers with rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from civicpulse.paths import SQL_DIR

pytestmark = pytest.mark.airflow

EXAMPLES = sorted((SQL_DIR / "examples").glob("*.sql"))


def test_there_are_at_least_ten_examples() -> None:
    assert len(EXAMPLES) >= 10
    for path in EXAMPLES:
        assert path.read_text().startswith("-- "), f"{path.name}: start with a comment saying the question"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_returns_rows(city_warehouse: duckdb.DuckDBPyConnection, path: Path) -> None:
    rows = city_warehouse.execute(path.read_text()).fetchall()
    assert rows, f"{path.name} returned no rows"
