"""GSA Touchpoints A-11 v2 CX exports (combined or plain layout) and API submissions to survey_response."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from civicpulse.filereaders import json_raw, read_csv, read_row, to_record
from civicpulse.sources import ParseContext, ParsedRow, RowProblem, options_of
from civicpulse.unused_fields import mapping_reason, report_unused_columns
from connectors.touchpoints.helpers import Layout, export_layout, response_values
from connectors.touchpoints.settings import COMBINED_ID, COMBINED_PAGE, FILE_PATTERNS, STREAM, Options
from connectors.touchpoints.submissions import page_submissions, submission_row

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "Options", "parse_file", "parse_page"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    export = read_csv(path)
    layout = export_layout(export, options_of(context, Options))
    report_unused_columns(export, layout.columns_read(), mapping_reason("touchpoints"))
    yield from export.records(STREAM, response_values, layout)


def parse_page(origin: str, page: Any, form_id: str, first_line: int = 1) -> Iterator[ParsedRow]:
    """One API page of submissions, read as combined-export rows by the same row parser as the files."""
    layout = Layout(form_id, COMBINED_ID, None, COMBINED_PAGE)
    for line, item in enumerate(page_submissions(origin, page), start=first_line):
        row = read_row(origin, line, partial(json_raw, item), submission_row, item)
        if isinstance(row, RowProblem):
            yield row
            continue
        yield to_record(STREAM, origin, line, partial(json_raw, item), response_values, row, layout)
