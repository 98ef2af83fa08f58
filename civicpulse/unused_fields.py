"""Fields of a vendor export that no landing column takes: reported, never dropped silently.

A connector calls `report_unused` while it parses (a GA4 metric no column counts, a Matomo goal no
completion takes, a CSV column the parser does not read). The extract collects the calls of one source
(`collecting`), prints them in its summary and writes them to the landing manifest; the loader keeps them
in ops.unused_fields, one row per (source, file, field), so a rerun replaces its rows; `civicpulse status`
lists them. Only the field's name and how many rows carry it are kept, never a value.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any

from civicpulse.filereaders import CsvFile, CsvRow
from civicpulse.sources import RowProblem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnusedField:
    file: str
    field: str
    # rows of the file that carry the field (a non-blank CSV value, a report row with the metric)
    rows: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnusedField:
        return cls(str(data["file"]), str(data["field"]), int(data["rows"]), str(data["reason"]))

    def __str__(self) -> str:
        return f"{self.file}: {self.field} ({self.rows:,} row(s)) not loaded: {self.reason}"


_collector: ContextVar[list[UnusedField] | None] = ContextVar("unused_fields", default=None)


def report_unused(file: str, field: str, rows: int, reason: str) -> None:
    """Record an unused field inside `collecting()` (the extract warns once per field, see `grouped`)."""
    found = UnusedField(str(file), field, rows, reason)
    log.info("%s", found)
    collected = _collector.get()
    if collected is not None:
        collected.append(found)


@contextmanager
def collecting() -> Iterator[list[UnusedField]]:
    """Every field `report_unused` names inside the block, each (file, field) once with its rows summed
    (an API source reports page by page)."""
    found: list[UnusedField] = []
    token = _collector.set(found)
    try:
        yield found
    finally:
        _collector.reset(token)
        merged: dict[tuple[str, str], UnusedField] = {}
        for item in found:
            key = (item.file, item.field)
            earlier = merged.get(key)
            merged[key] = (
                item
                if earlier is None
                else UnusedField(item.file, item.field, earlier.rows + item.rows, earlier.reason)
            )
        found[:] = list(merged.values())


def grouped(fields: Iterable[UnusedField]) -> list[str]:
    """One line per field over the files that carry it: a weekly export's column is one line, not 52."""
    by_field: dict[str, list[UnusedField]] = {}
    for item in fields:
        by_field.setdefault(item.field, []).append(item)
    return [
        f"{name} ({len(items):,} file(s), {sum(i.rows for i in items):,} row(s), e.g. {items[0].file}): "
        f"not loaded, {items[0].reason}"
        for name, items in sorted(by_field.items())
    ]


def report_unused_columns(
    export: CsvFile,
    used: Iterable[str],
    reason: str,
    data_rows: Iterable[CsvRow | RowProblem] | None = None,
) -> None:
    """Report each column of a CSV export that the parser does not read and that holds a value (in
    `data_rows`, when some of the export's rows are headers, as in Qualtrics')."""
    read = set(used)
    rows = [row for row in (export.rows if data_rows is None else data_rows) if isinstance(row, CsvRow)]
    for column in export.header:
        if column in read or not column:
            continue
        count = sum(1 for row in rows if (row.values.get(column) or "").strip())
        if count:
            report_unused(str(export.path), column, count, reason)


def mapping_reason(connector: str) -> str:
    """Why a CSV column of a connector with `parse.columns` is not loaded, and how to load it."""
    return (
        f"the {connector} parser reads no such column "
        "(map a field to it with parse.columns if it should load)"
    )
