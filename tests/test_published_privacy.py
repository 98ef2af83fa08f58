"""The published copy and exports/ hold the contract only, and no personal value the demo planted.

The demo city of the `city` fixture is generated under `recording()`, which returns every
personal value the generator put into its vendor exports (handles, author and caller ids, survey
respondent ids, display names, and the phones, e-mails, addresses and plates it wrote into texts).
Every column of every table of the published copy and of every export file is searched for them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pytest

from civicpulse.config import Config
from civicpulse.demo.pii import Planted
from civicpulse.warehouse.connection import (
    published_path,
    reader,
    remove_orphans,
    snapshot,
    state_path,
    writer,
)
from civicpulse.warehouse.publish import PUBLISHED_OPS_TABLES

_WORD = re.compile(r"\w+")
Cell = tuple[str, str]  # (where, text)


@pytest.fixture(scope="module")
def planted(city_planted: Planted) -> Planted:
    """The personal values of the `city` fixture's demo city."""
    assert all(
        city_planted.values[kind] for kind in ("handle", "author_id", "caller_id", "respondent_id", "phone")
    )
    return city_planted


def _cells(con: duckdb.DuckDBPyConnection, relations: Iterable[tuple[str, str]]) -> list[Cell]:
    """Every distinct non-null value of every column, as text, with where it was found."""
    cells: list[Cell] = []
    for where, relation in relations:
        columns = [str(row[0]) for row in con.execute(f"describe {relation}").fetchall()]
        for column in columns:
            quoted = '"' + column.replace('"', '""') + '"'
            rows = con.execute(
                f"select distinct cast({quoted} as varchar) from {relation} where {quoted} is not null"
            ).fetchall()
            cells += [(f"{where}.{column}", str(value)) for (value,) in rows]
    return cells


def _published_cells(config: Config) -> list[Cell]:
    with reader(config) as con:  # the analyst's own connection (also shares the session's cached one)
        tables = con.execute("select schema_name, table_name from duckdb_tables() order by all").fetchall()
        return _cells(con, [(f"{s}.{t}", f'"{s}"."{t}"') for s, t in tables])


def _export_cells(config: Config) -> list[Cell]:
    files = sorted(config.exports_path.iterdir())
    assert files and all(p.suffix == ".parquet" for p in files), files
    with duckdb.connect() as con:
        return _cells(con, [(f"exports/{p.name}", "'" + str(p).replace("'", "''") + "'") for p in files])


def find_planted(cells: list[Cell], values: set[str]) -> dict[str, list[tuple[str, str]]]:
    """Where each planted value occurs (case-insensitive): {where: [(value, cell excerpt), ...]}."""
    by_word: dict[str, list[str]] = defaultdict(list)
    for value in values:
        words = _WORD.findall(value.lower())
        if words:
            by_word[max(words, key=len)].append(value.lower())
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for where, text in cells:
        lowered = text.lower()
        for word in set(_WORD.findall(lowered)) & by_word.keys():
            for value in by_word[word]:
                if value in lowered:
                    found[where].append((value, text[:160]))
    return dict(found)


@pytest.fixture(scope="module")
def outputs(city: Config) -> list[Cell]:
    return _published_cells(city) + _export_cells(city)


def test_the_published_copy_holds_only_the_contract(city: Config) -> None:
    with reader(city) as con:
        tables = set(con.execute("select schema_name, table_name from duckdb_tables()").fetchall())
        functions = con.execute("select function_name from duckdb_functions() where not internal")
        macros = {str(row[0]) for row in functions.fetchall()}
    schemas = {schema for schema, _ in tables}
    assert schemas == {"core", "marts", "ops"}, "never raw or staging"
    assert {t for s, t in tables if s == "ops"} == set(PUBLISHED_OPS_TABLES)
    assert ("core", "fact_feedback") in tables and ("marts", "close_the_loop") in tables
    assert {"local_day", "setting", "wilson_lower"} <= macros and "is_erased" not in macros
    with duckdb.connect(str(state_path(city)), read_only=True) as con:
        state = set(con.execute("select schema_name, table_name from duckdb_tables()").fetchall())
    assert state == {("ops", "source_state"), ("ops", "erased_keys")}
    exports = {p.stem for p in city.exports_path.iterdir()}
    assert exports == {t for s, t in tables if s == "marts"}, "exports/ holds the marts only"


def test_the_published_copy_is_the_writers_contract_with_its_comments(city: Config) -> None:
    """Every published table holds the writer's rows, and its table and column comments (if any)."""
    with snapshot(city) as con:
        row = con.execute("select current_database()").fetchone()
        own = str(row[0]) if row else ""
        con.execute(f"attach '{published_path(city)}' as published (read_only)")
        catalog = (
            "select schema_name, table_name, comment from duckdb_tables() "
            "where database_name = ? order by all"
        )
        columns = (
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            "where database_name = ? order by all"
        )
        published = con.execute(catalog, ["published"]).fetchall()
        tables = {(s, t) for s, t, _ in published}
        assert len(tables) > 20
        writers = [row for row in con.execute(catalog, [own]).fetchall() if row[:2] in tables]
        assert published == writers
        published_columns = con.execute(columns, ["published"]).fetchall()
        assert published_columns == [
            row for row in con.execute(columns, [own]).fetchall() if row[:2] in tables
        ]
        for schema, table in sorted(tables):
            name = f'"{schema}"."{table}"'
            differing = con.execute(
                f'select count(*) from ((from published.{name} except all from "{own}".{name}) '
                f'union all (from "{own}".{name} except all from published.{name}))'
            ).fetchone()
            assert differing == (0,), name


def test_publish_copies_table_and_column_comments(tmp_path: Path) -> None:
    from civicpulse.warehouse.publish import _copy_contract, _write

    target = tmp_path / "published.duckdb"
    with duckdb.connect(str(tmp_path / "writer.duckdb")) as con:
        con.execute("create schema core; create schema ops; create schema staging")
        con.execute("create table core.a (x int, y varchar); insert into core.a values (1, 'one')")
        con.execute("create table core.b (z int); create table staging.c (w int)")
        con.execute("create table ops.settings (key varchar, value varchar)")
        con.execute("create table ops.cursors (v int)")
        con.execute("comment on table core.a is 'it''s a'; comment on column core.a.y is 'why'")
        con.execute("comment on column core.b.z is 'zed'; comment on table staging.c is 'private'")
        _write(con, {target: _copy_contract})
    with duckdb.connect(str(target), read_only=True) as con:
        tables = con.execute("select schema_name, table_name, comment from duckdb_tables() order by all")
        assert tables.fetchall() == [("core", "a", "it's a"), ("core", "b", None), ("ops", "settings", None)]
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() where not internal order by all"
        )
        assert columns.fetchall() == [
            ("a", "x", None),
            ("a", "y", "why"),
            ("b", "z", "zed"),
            ("settings", "key", None),
            ("settings", "value", None),
        ]
        assert con.execute("select * from core.a").fetchall() == [(1, "one")]


@pytest.mark.parametrize(
    "kind", ["author_id", "caller_id", "respondent_id", "display_name", "email", "address"]
)
def test_no_planted_identifier_is_published(kind: str, planted: Planted, outputs: list[Cell]) -> None:
    found = find_planted(outputs, planted.values[kind])
    assert not found, f"{kind} values published: {dict(list(found.items())[:5])}"


HANDLE_LINKS = (
    "core.fact_feedback.source_ref",
    "marts.close_the_loop.source_ref",
    "marts.close_the_loop.source_url",
    "exports/close_the_loop.parquet.source_ref",
    "exports/close_the_loop.parquet.source_url",
)


def test_no_planted_handle_is_published_outside_post_links_and_texts(
    planted: Planted, outputs: list[Cell]
) -> None:
    """Handles never appear as a column of their own (links and texts: the two tests below)."""
    found = find_planted(outputs, planted.values["handle"])
    elsewhere = {w: v for w, v in found.items() if w not in HANDLE_LINKS and not _is_text(w)}
    assert not elsewhere, elsewhere


def _is_text(where: str) -> bool:
    return where.rsplit(".", 1)[-1] in ("text", "most_negative_sentence", "comment")


def test_no_planted_handle_in_post_links(planted: Planted, outputs: list[Cell]) -> None:
    found = find_planted(outputs, planted.values["handle"])
    assert not {w: v for w, v in found.items() if w in HANDLE_LINKS}


def test_no_planted_handle_in_texts(planted: Planted, outputs: list[Cell]) -> None:
    found = find_planted(outputs, planted.values["handle"])
    assert not {w: v for w, v in found.items() if _is_text(w)}


@pytest.mark.parametrize("kind", ["phone", "plate"])
def test_no_planted_value_survives_in_published_texts(
    kind: str, planted: Planted, outputs: list[Cell]
) -> None:
    found = find_planted(outputs, planted.values[kind])
    assert not found, f"{kind} values published: {dict(list(found.items())[:5])}"


def test_the_search_finds_planted_values(planted: Planted, city: Config) -> None:
    """The same search over the writer's raw tables finds every kind, so a clean result means something."""
    with duckdb.connect(str(city.warehouse_path), read_only=True) as con:
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        cells = _cells(con, [(f"raw.{t}", f"raw.{t}") for (t,) in tables])
    # Display names never reach raw: the connectors keep ids and handles only.
    for kind in (
        "handle",
        "author_id",
        "caller_id",
        "respondent_id",
        "phone",
        "email",
        "address",
    ):
        assert find_planted(cells, planted.values[kind]), f"no {kind} found in raw: the search is broken"


def _orphans(config: Config) -> list[Path]:
    hex_id = "0123456789abcdef" * 2
    folder = config.warehouse_path.parent
    exports = config.exports_path
    exports.mkdir(parents=True, exist_ok=True)
    paths = [
        folder / f".{config.warehouse_path.name}.{hex_id}",
        folder / f".{config.warehouse_path.name}.{hex_id}.wal",
        folder / f".{published_path(config).name}.{hex_id}",
        folder / f".{state_path(config).name}.{hex_id}",
        exports / f".close_the_loop.{hex_id}.parquet",
    ]
    for path in paths:
        path.write_bytes(b"a copy of everything, left by a kill")
    return paths


def test_a_writer_session_removes_orphan_temp_copies(project_config: Config) -> None:
    from civicpulse.pseudonym_key import ensure_demo_key

    config = project_config
    ensure_demo_key(config)
    config.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    orphans = _orphans(config)
    kept = [config.warehouse_path.parent / ".notes.txt", config.exports_path / "mine.parquet"]
    for path in kept:
        path.write_text("not a temp copy")
    with writer(config):
        pass
    assert not [p for p in orphans if p.exists()]
    assert all(p.exists() for p in kept)
    assert remove_orphans(config) == []


def test_forget_removes_orphan_temp_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill during publish or compaction leaves a full copy; the next `forget` removes it too."""
    import datetime as dt

    import yaml

    from civicpulse import pipeline
    from civicpulse.config import load_config
    from civicpulse.erasure import forget
    from civicpulse.paths import DEFAULT_CONFIG
    from tests.conftest import write_project_config

    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", "orphan-test-key-0123456789abcdef")
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    sources = [s for s in settings["sources"] if s["name"] == "contact_center"]
    paths = dict(settings["paths"], pseudonym_key_file=None)
    config = load_config(write_project_config(tmp_path, sources=sources, paths=paths))
    inbox = config.inbox(config.source("contact_center"))
    inbox.mkdir(parents=True)
    (inbox / "calls_2024-05-06.csv").write_text(
        "call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
        "caller_number,agent_id,notes\n"
        "C-1,2024-05-06 08:00:00,PERMITS,10,20,resolved,Y,N,C-CRM-000777,A1,Asked about a permit\n"
        "C-2,2024-05-06 09:00:00,PERMITS,10,20,resolved,Y,N,C-CRM-000123,A1,Asked about a fee\n"
    )
    day = dt.date(2024, 5, 6)
    pipeline.run_interval(config, day, day + dt.timedelta(days=1))
    orphans = _orphans(config)
    forget(config, "contact_center", "C-CRM-000777")
    assert not [p for p in orphans if p.exists()]
    assert published_path(config).is_file() and state_path(config).is_file()
    with duckdb.connect(str(state_path(config)), read_only=True) as con:
        assert con.execute("select count(*) from ops.erased_keys").fetchone() != (0,)
