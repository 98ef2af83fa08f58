"""Qualtrics response exports (CSV, three header rows), dropped or downloaded, to survey_response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.connector_contract import SurveyMapping
from civicpulse.filereaders import read_csv, to_record
from civicpulse.sources import ParseContext, ParsedRow, RowProblem
from connectors.qualtrics.helpers import export_layout, response_values
from connectors.qualtrics.settings import FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_export", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    """File mode reads the columns whose export tags are satisfaction, trust, ease and comment."""
    yield from parse_export(path, context, SurveyMapping())


def parse_export(path: Path, context: ParseContext, mapping: SurveyMapping) -> Iterator[ParsedRow]:
    export = read_csv(path)
    layout, rows = export_layout(export, mapping, context.timezone)
    for row in rows:
        if isinstance(row, RowProblem):
            yield row
        else:
            yield to_record(STREAM, path, row.line, row.raw, response_values, row.values, layout)
