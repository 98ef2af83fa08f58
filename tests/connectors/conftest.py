"""Run a connector over one file: every record must fit its stream, every problem must name its file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from civicpulse.sources import FileProblem, ParseContext, Record, RowProblem, load_connector
from civicpulse.streams import get_stream

Parsed = tuple[list[Record], list[RowProblem]]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _parse(name: str, path: Path, timezone: str = "UTC") -> Parsed:
    connector = load_connector(name)
    rows = list(connector.parse_file(path, ParseContext(source=name, timezone=ZoneInfo(timezone))))
    records = [row for row in rows if isinstance(row, Record)]
    problems = [row for row in rows if isinstance(row, RowProblem)]
    assert len(records) + len(problems) == len(rows)
    for record in records:
        stream = get_stream(record.stream)
        assert record.stream in connector.STREAMS
        assert stream.conform(record.values) is None, record
        assert set(record.values) == set(stream.column_names)
        assert record.file == str(path)
    for problem in problems:
        assert problem.file == str(path) and problem.reason and problem.line >= 1
    return records, problems


def _file_problem(name: str, path: Path, timezone: str = "UTC") -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        _parse(name, path, timezone)
    problem = caught.value
    assert str(path) in str(problem) and problem.problem and problem.fix
    return problem


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def parse() -> Callable[..., Parsed]:
    return _parse


@pytest.fixture
def file_problem() -> Callable[..., FileProblem]:
    return _file_problem
