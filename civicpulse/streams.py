"""Landing streams: the typed record shapes connectors produce, declared in schemas/landing/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import pyarrow as pa
import yaml

from civicpulse.paths import SCHEMAS_DIR

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "list<string>": pa.list_(pa.string()),
}

MAX_FIELD_CHARACTERS = 100_000

# Where each record came from, carried through landing into raw for quarantine and audit.
POINTER_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("record_file", pa.string()),
    ("record_line", pa.int64()),
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Stream:
    name: str
    description: str
    key: tuple[str, ...]
    time_column: str
    columns: tuple[Column, ...]
    # When the service changes a record after its day (a 311 request closed weeks later), the API hands
    # it back by this timestamp: the extract lands that revision on the day of the change.
    revised_column: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def arrow_schema(self) -> pa.Schema:
        fields = [pa.field(c.name, _ARROW_TYPES[c.type], nullable=not c.required) for c in self.columns]
        fields += [pa.field(name, typ, nullable=False) for name, typ in POINTER_COLUMNS]
        return pa.schema(fields)

    @cached_property
    def _name_set(self) -> frozenset[str]:
        return frozenset(self.column_names)

    def conform(self, values: dict[str, Any]) -> str | None:
        """Return why a record does not fit this stream, or None when it does."""
        if not self._name_set.issuperset(values):
            unknown = set(values) - self._name_set
            return f"unknown field(s) {sorted(unknown)} for stream {self.name}"
        for column in self.columns:
            value = values.get(column.name)
            if value is None or value == "":
                if column.required:
                    return f"missing required field '{column.name}'"
                continue
            # Most values are plain strings of string columns: `_type_problem` would only check the length.
            if type(value) is str and column.type == "string":
                if len(value) > MAX_FIELD_CHARACTERS:
                    return _too_long(column)
                continue
            problem = _type_problem(column, value)
            if problem:
                return problem
        return None


_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "int64": int,
    "float64": (int, float),
    "bool": bool,
    "date": dt.date,
    "timestamp": dt.datetime,
    "list<string>": list,
}


def _type_problem(column: Column, value: Any) -> str | None:
    expected = _PYTHON_TYPES[column.type]
    if column.type in ("int64", "float64") and isinstance(value, bool):
        return f"field '{column.name}' must be a number, got a boolean"
    if column.type == "date" and isinstance(value, dt.datetime):
        return f"field '{column.name}' must be a date, got a timestamp"
    if not isinstance(value, expected):
        return f"field '{column.name}' must be {column.type}, got {type(value).__name__} {value!r:.60}"
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return f"field '{column.name}' must be a timezone-aware timestamp"
    if isinstance(value, str) and len(value) > MAX_FIELD_CHARACTERS:
        return _too_long(column)
    return None


def _too_long(column: Column) -> str:
    return f"field '{column.name}' is over {MAX_FIELD_CHARACTERS:,} characters"


@cache
def load_streams() -> dict[str, Stream]:
    streams: dict[str, Stream] = {}
    for path in sorted((SCHEMAS_DIR / "landing").glob("*.yml")):
        spec = yaml.safe_load(path.read_text())
        columns = tuple(
            Column(c["name"], c["type"], bool(c.get("required", False)), c.get("description", ""))
            for c in spec["columns"]
        )
        for column in columns:
            if column.type not in _ARROW_TYPES:
                raise ValueError(f"{path}: column {column.name} has unknown type {column.type}")
        streams[spec["name"]] = Stream(
            name=spec["name"],
            description=spec["description"],
            key=tuple(spec["key"]),
            time_column=spec["time_column"],
            columns=columns,
            revised_column=spec.get("revised_column"),
        )
    return streams


def get_stream(name: str) -> Stream:
    streams = load_streams()
    if name not in streams:
        raise KeyError(f"unknown stream '{name}'; known: {sorted(streams)}")
    return streams[name]
