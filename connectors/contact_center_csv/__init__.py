"""Contact-centre call exports (CSV, local start times) to contact_call records.

Another vendor's call export fits through the source's `parse:` options (`Options`): its column
headers, start-time format and yes/no values (docs/formats.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import read_csv
from civicpulse.sources import ParseContext, ParsedRow, options_of
from civicpulse.unused_fields import mapping_reason, report_unused_columns
from connectors.contact_center_csv.helpers import call_values
from connectors.contact_center_csv.settings import FILE_PATTERNS, STREAM, Options

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "Options", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    options = options_of(context, Options)
    export = read_csv(path)
    export.require(options.columns.header(), options.header_fix())
    report_unused_columns(export, options.columns.header(), mapping_reason(__name__.rsplit(".", 1)[-1]))
    yield from export.records(STREAM, call_values, context.timezone, options)
