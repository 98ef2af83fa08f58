"""Qualtrics response exports (CSV, three header rows), dropped or downloaded, to survey_response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.connector_contract import SurveyMapping
from civicpulse.filereaders import read_csv, to_record
from civicpulse.sources import ParseContext, ParsedRow, RowProblem, options_of
from civicpulse.unused_fields import report_unused_columns
from connectors.qualtrics.helpers import export_layout, response_values
from connectors.qualtrics.settings import FILE_PATTERNS, FINISHED, REQUIRED_COLUMNS, STATUS, STREAM, Options

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "Options", "parse_export", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    """File mode reads the questions `parse.columns` names, by default the columns whose export tags
    are satisfaction, trust, ease and comment."""
    yield from parse_export(path, context, options_of(context, Options).mapping())


def parse_export(path: Path, context: ParseContext, mapping: SurveyMapping) -> Iterator[ParsedRow]:
    export = read_csv(path)
    layout, rows = export_layout(export, mapping, context.timezone)
    read = (*REQUIRED_COLUMNS, STATUS, FINISHED, *layout.columns.values())
    report_unused_columns(
        export,
        read,
        "not a question civicpulse loads (satisfaction, trust, ease, comment) nor a field it reads",
        rows,
    )
    for row in rows:
        if isinstance(row, RowProblem):
            yield row
        else:
            yield to_record(STREAM, path, row.line, row.raw, response_values, row.values, layout)
