"""The contract every connector implements, in file mode and (later) API mode.

A connector is a package `connectors/<name>/` whose `__init__.py` exposes:

    STREAMS: tuple[str, ...]           # landing streams it emits (schemas/landing/<stream>.yml)
    FILE_PATTERNS: tuple[str, ...]      # glob patterns of the vendor export files it reads
    def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]

`parse_file` yields a `Record` for every good row and a `RowProblem` for every bad one
(never drops a row silently), and raises `FileProblem` when the file as a whole is unusable.

Per-source parse options: a connector whose parser can be told about a vendor's layout also exposes

    Options: type[pydantic.BaseModel]    # strict (extra="forbid"); every field has a default

A source in civicpulse.yml may then carry a `parse:` mapping; it is validated against `Options` when the
config is loaded (an unknown key or a wrong type fails naming `sources.N.parse.<key>`, and a `parse:`
section for a connector without `Options` fails too). The validated instance reaches the parser as
`context.options`, in file and API mode alike; it is None when the source has no `parse:` section, and
`options_of(context, Options)` then gives the defaults, which must keep the connector's standard layout.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from pydantic import BaseModel

OptionsT = TypeVar("OptionsT", bound=BaseModel)


@dataclass(frozen=True)
class ParseContext:
    source: str
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    # The source's validated `parse:` options (the connector's `Options`), or None: use the defaults.
    options: BaseModel | None = None


def options_of(context: ParseContext, options_type: type[OptionsT]) -> OptionsT:
    """The source's parse options as `options_type`, or its defaults when the source sets none."""
    if context.options is None:
        return options_type()
    if not isinstance(context.options, options_type):
        raise TypeError(
            f"source '{context.source}': parse options are {type(context.options).__name__}, "
            f"not {options_type.__name__}"
        )
    return context.options


@dataclass(frozen=True)
class Record:
    stream: str
    values: dict[str, Any]
    file: str
    line: int
    # Checked against its stream already (`filereaders.to_record`): the extract checks only the others.
    conformed: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class RowProblem:
    file: str
    line: int
    reason: str
    raw: str
    # The row's own date (its stream's time column, UTC) when it was read before the row was rejected:
    # the extract files the row under it. None: the row is filed under its range's first day.
    day: dt.date | None = None


ParsedRow = Record | RowProblem


def day_of(value: object) -> dt.date | None:
    """The UTC day of a time column's value; None when it is not a date or a timestamp with its zone."""
    if isinstance(value, dt.datetime):
        return None if value.tzinfo is None else value.astimezone(dt.UTC).date()
    return value if isinstance(value, dt.date) else None


PROBLEM_LIMIT = 500


class FileProblem(Exception):
    """A vendor export that cannot be read at all."""

    def __init__(self, file: Path | str, problem: str, fix: str, line: int | None = None) -> None:
        # One line, however the vendor values quoted in the problem look (a line break in a field name).
        problem = problem.replace("\r", "\\r").replace("\n", "\\n")
        problem = problem if len(problem) <= PROBLEM_LIMIT else problem[:PROBLEM_LIMIT] + "..."
        where = f"{file}:{line}" if line is not None else str(file)
        super().__init__(f"{where}: {problem}. Fix: {fix}")
        self.file = str(file)
        self.line = line
        self.problem = problem
        self.fix = fix


class Connector(Protocol):
    STREAMS: tuple[str, ...]
    FILE_PATTERNS: tuple[str, ...]

    def parse_file(self, path: Path, context: ParseContext) -> Iterator[ParsedRow]: ...


def load_connector(name: str) -> Connector:
    if not name.isidentifier():
        raise ValueError(f"connector name '{name}' is not a valid package name")
    try:
        module: ModuleType = importlib.import_module(f"connectors.{name}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"no connector named '{name}' (expected a package connectors/{name}/)") from exc
    for attribute in ("STREAMS", "FILE_PATTERNS", "parse_file"):
        if not hasattr(module, attribute):
            raise ValueError(f"connectors/{name} does not define {attribute}")
    return cast(Connector, module)


def options_type(name: str) -> type[BaseModel] | None:
    """The connector's `Options` model (its accepted `parse:` keys), or None when it takes no options."""
    options = getattr(load_connector(name), "Options", None)
    if options is None:
        return None
    if not (isinstance(options, type) and issubclass(options, BaseModel)):
        raise ValueError(f"connectors/{name}: Options is not a pydantic model")
    return options
