"""SurveyMonkey bulk responses (API v3 pages, or saved pages) to survey_response records."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from civicpulse.connector_contract import SurveyMapping
from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.surveymonkey.helpers import page_responses, response_values
from connectors.surveymonkey.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file", "parse_page"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    """A saved page has no question mapping: scores stay empty and every open-ended answer is the comment."""
    yield from parse_page(path, load_json(path, EXPECTED_FILE), SurveyMapping())


def parse_page(
    origin: Path | str, page: Any, mapping: SurveyMapping, first_line: int = 1
) -> Iterator[ParsedRow]:
    for index, item in enumerate(page_responses(origin, page), start=first_line):
        yield to_record(STREAM, origin, index, partial(json_raw, item), response_values, item, mapping)
