"""Extract one source for a data interval: read its inbox through its connector, write landing per day."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from civicpulse.config import Config, ConfigError, Source
from civicpulse.landing import Manifest, write_day
from civicpulse.sources import ParseContext, Record, RowProblem, load_connector
from civicpulse.streams import get_stream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractSummary:
    source: str
    files: int
    days: int
    records: int
    quarantined: int
    outside_interval: int


def inbox_files(config: Config, source: Source, patterns: tuple[str, ...]) -> list[Path]:
    inbox = config.inbox(source)
    if not inbox.is_dir():
        index = config.sources.index(source)
        raise ConfigError(
            f"{config.path}: sources.{index}.inbox: folder {inbox} does not exist; "
            "create it and drop the vendor exports there, or fix the path"
        )
    found = {path for pattern in patterns for path in inbox.rglob(pattern) if path.is_file()}
    return sorted(path for path in found if not any(part.startswith(".") for part in path.parts))


def record_day(record: Record) -> dt.date:
    stream = get_stream(record.stream)
    value = record.values[stream.time_column]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"{record.file}:{record.line}: {stream.time_column} is not a date or timestamp")


def extract_source(config: Config, source_name: str, start: dt.date, end: dt.date) -> ExtractSummary:
    """Parse every inbox file and land the records whose day falls in [start, end)."""
    if end <= start:
        raise ValueError(f"empty interval: start {start} must be before end {end}")
    source = config.source(source_name)
    connector = load_connector(source.connector)
    files = inbox_files(config, source, connector.FILE_PATTERNS)
    context = ParseContext(source=source.name, timezone=config.timezone(source))
    by_day: dict[dt.date, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    problems: list[RowProblem] = []
    outside = 0
    for path in files:
        log.info("%s: reading %s", source.name, path)
        for row in connector.parse_file(path, context):
            if isinstance(row, RowProblem):
                problems.append(row)
                continue
            reason = get_stream(row.stream).conform(row.values)
            if reason:
                problems.append(RowProblem(row.file, row.line, reason, repr(row.values)[:2000]))
                continue
            day = record_day(row)
            if start <= day < end:
                by_day[day][row.stream].append(row)
            else:
                outside += 1
    landing = config.landing_path
    extracted_at = dt.datetime.now(dt.UTC).isoformat()
    file_names = tuple(str(p) for p in files)
    day = start
    records_total = 0
    while day < end:
        streams = {name: by_day[day].get(name, []) for name in connector.STREAMS}
        # Row problems carry no trustworthy date: they are reported with the interval's first day.
        day_problems = problems if day == start else []
        rows = sum(len(v) for v in streams.values())
        records_total += rows
        manifest = Manifest(
            source=source.name,
            connector=source.connector,
            day=day.isoformat(),
            files=file_names,
            rows_read=rows + len(day_problems),
            rows_quarantined=len(day_problems),
            streams={name: len(v) for name, v in streams.items()},
            extracted_at=extracted_at,
        )
        write_day(landing, manifest, streams, day_problems)
        day += dt.timedelta(days=1)
    summary = ExtractSummary(
        source.name, len(files), (end - start).days, records_total, len(problems), outside
    )
    log.info("%s: %s", source.name, summary)
    return summary
