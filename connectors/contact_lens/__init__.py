"""Amazon Connect Contact Lens analysis output files (a folder or synced bucket prefix) to contact_call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import json_raw, load_json, to_record
from civicpulse.sources import ParseContext, ParsedRow
from connectors.contact_lens.helpers import analysis_object, call_values
from connectors.contact_lens.settings import EXPECTED_FILE, FILE_PATTERNS, STREAM

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "parse_file"]


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    analysis = analysis_object(path, load_json(path, EXPECTED_FILE))
    raw = json_raw({key: analysis.get(key) for key in ("CustomerMetadata", "JobStatus", "Channel")})
    yield to_record(STREAM, path, 1, raw, call_values, path, analysis)
