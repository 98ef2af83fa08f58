"""`civicpulse sql`: one read statement on the published copy, printed as a table, CSV or JSON.

The connection itself has no file, network or extension access (warehouse.reader); this module
also refuses anything but a single read statement, checked on DuckDB's parse of the query, and
turns every DuckDB error into one line that names the problem and the fix. Imports stay light
(duckdb and the standard library): this is the analyst's interactive path.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import duckdb

FORMATS = ("table", "csv", "json")
READ_KINDS = "SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN"
_EXPLAIN = re.compile(r"\s*explain(?:\s+analyze)?\s+(.*)", re.IGNORECASE | re.DOTALL)
# Spreadsheets run a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 10_000


class QueryError(ValueError):
    """A query the analyst path refuses or DuckDB rejected, as one line with the fix."""


def read_statement(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The query's only statement, if it is a read statement; else QueryError."""
    statements = _parse(con, query)
    if not statements:
        raise QueryError('no SQL statement given: pass one query, e.g. "select * from marts.cx_scorecard"')
    if len(statements) > 1:
        kinds = ", ".join(_kind(s) for s in statements)
        hint = (
            "; PIVOT without an IN list needs a temporary type: list the values, `on col in ('a', 'b')`"
            if query.lstrip().lower().startswith(("pivot", "unpivot"))
            else ""
        )
        raise QueryError(f"{len(statements)} statements given ({kinds}): run one statement per call{hint}")
    statement = statements[0]
    kind = statement.type
    if kind == duckdb.StatementType.EXPLAIN:
        inner = _EXPLAIN.fullmatch(statement.query)
        inner_statements = _parse(con, inner.group(1)) if inner else []
        if len(inner_statements) == 1 and inner_statements[0].type == duckdb.StatementType.SELECT:
            return str(statement.query)
        raise QueryError(f"refused: EXPLAIN is allowed only of a read statement ({READ_KINDS})")
    if kind != duckdb.StatementType.SELECT:
        raise QueryError(
            f"refused: {_kind(statement)} statements are not allowed; the published copy is read-only "
            f"and `civicpulse sql` runs one read statement ({READ_KINDS})"
        )
    return str(statement.query)


def _parse(con: duckdb.DuckDBPyConnection, query: str) -> list[Any]:
    try:
        return list(con.extract_statements(query))
    except duckdb.Error as exc:
        raise QueryError(explain_error(exc)) from None


def _kind(statement: Any) -> str:
    return str(statement.type).rsplit(".", 1)[-1]


def explain_error(exc: duckdb.Error) -> str:
    """DuckDB's message, first line only, and what to do about it."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, duckdb.ParserException):
        at = re.search(r"^LINE \d+:.*$", text, re.MULTILINE)
        where = f" ({at.group().strip()})" if at else ""
        return f"{first}{where}: fix the SQL syntax"
    if isinstance(exc, duckdb.CatalogException):
        return (
            f'{first}: list the tables with `civicpulse sql "show all tables"` (core, marts and '
            "ops.loads/dq_results/model_runs/services/settings are published)"
        )
    if isinstance(exc, duckdb.BinderException):
        return f'{first}: check the columns with `civicpulse sql "describe <schema>.<table>"`'
    if isinstance(exc, duckdb.PermissionException):
        return (
            f"refused: {first.removeprefix('Permission Error: ')}; the analyst connection reads only "
            "the tables of the published copy (no files, network or extensions): query those, or "
            "write results with --output"
        )
    if "configuration has been locked" in first:
        setting = first.removeprefix("Invalid Input Error: ")
        return f"refused: {setting}; settings are fixed on the analyst path"
    if "read-only mode" in first:
        return f"refused: {first}; the published copy is read-only"
    return f"{first}: check the query"


def run_query(
    con: duckdb.DuckDBPyConnection,
    query: str,
    fmt: str = "table",
    output: Path | None = None,
    max_rows: int = 100,
) -> int:
    """Run one read statement and write its result; returns the number of rows written."""
    statement = read_statement(con, query)
    try:
        if fmt == "table":
            relation = con.sql(statement)
            if relation is None:  # pragma: no cover - read statements always return a relation
                raise QueryError("the statement returned no result: run a SELECT")
            text = _table(relation, max_rows)
            with _target(output) as out:
                out.write(text)
            return len(relation)
        cursor = con.execute(statement)
        columns = [str(d[0]) for d in cursor.description or []]
        with _target(output) as out:
            write = _write_csv if fmt == "csv" else _write_json
            return write(out, columns, _batches(cursor))
    except duckdb.Error as exc:
        raise QueryError(explain_error(exc)) from None


def _table(relation: duckdb.DuckDBPyRelation, max_rows: int) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        relation.show(max_rows=max_rows, max_width=200)
    return buffer.getvalue()


def _batches(cursor: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[Any, ...]]]:
    while rows := cursor.fetchmany(_BATCH):
        yield rows


@contextlib.contextmanager
def _target(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    try:
        handle = output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise QueryError(f"cannot write {output}: {exc.strerror}; pick a writable --output path") from None
    with handle:
        yield handle


def csv_cell(value: object) -> object:
    """A CSV cell: text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, list | dict | tuple):
        return csv_cell(json.dumps(value, default=str, ensure_ascii=False))
    return value


def _write_csv(out: TextIO, columns: Sequence[str], batches: Iterator[list[tuple[Any, ...]]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in columns])
    count = 0
    for rows in batches:
        writer.writerows([csv_cell(v) for v in row] for row in rows)
        count += len(rows)
    return count


def _write_json(out: TextIO, columns: Sequence[str], batches: Iterator[list[tuple[Any, ...]]]) -> int:
    """A JSON array of objects; dates, timestamps and decimals as strings."""
    out.write("[")
    count = 0
    for rows in batches:
        for row in rows:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(dict(zip(columns, row, strict=True)), default=str, ensure_ascii=False))
            count += 1
    out.write("\n]\n" if count else "]\n")
    return count
