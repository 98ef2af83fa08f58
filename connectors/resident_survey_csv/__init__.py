"""Annual resident survey exports (CSV, 1-5 ratings) to survey_response records.

Exports that write answer labels ("Very satisfied") instead of scores load through the source's
`parse: likert:` option (`Options`): each label's score 1-5; exports with other headers through
`parse: columns:` (docs/formats.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import read_csv
from civicpulse.sources import ParseContext, ParsedRow, options_of
from civicpulse.unused_fields import mapping_reason, report_unused_columns
from connectors.resident_survey_csv.helpers import response_values
from connectors.resident_survey_csv.settings import FILE_PATTERNS, STREAM, Options

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "Options", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    options = options_of(context, Options)
    export = read_csv(path)
    export.require(options.columns.header(), options.header_fix())
    report_unused_columns(export, options.columns.header(), mapping_reason(__name__.rsplit(".", 1)[-1]))
    yield from export.records(STREAM, response_values, context.timezone, options, context.source)
