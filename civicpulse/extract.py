"""Extract one source for a data interval through its connector (file or api mode), write landing per day."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from civicpulse.api import load_api_connector
from civicpulse.config import Config, ConfigError, Source
from civicpulse.credentials import credentials_of, resolve_secret
from civicpulse.erasure import PERSON_COLUMNS, ErasedPeople
from civicpulse.http import MB, ApiSession, RetryPolicy
from civicpulse.landing import Manifest, remove_orphan_folders, write_day
from civicpulse.pseudonym_key import pseudonym_key
from civicpulse.sources import ParseContext, ParsedRow, Record, RowProblem, load_connector
from civicpulse.state import Cursor, Window, committed_cursor, fetch_window, midnight
from civicpulse.streams import get_stream
from civicpulse.unused_fields import UnusedField, collecting, grouped
from civicpulse.warehouse.connection import state_path
from transforms.privacy import pseudonymize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractSummary:
    source: str
    files: int
    days: int
    records: int
    quarantined: int
    outside_interval: int
    unused_fields: tuple[UnusedField, ...] = ()

    def __str__(self) -> str:
        line = (
            f"{self.source}: {self.records:,} record(s) landed over {self.days} day(s) from {self.files} "
            f"file(s) or page(s); {self.quarantined:,} quarantined, {self.outside_interval:,} outside the "
            "interval"
        )
        if self.files == 0:
            line += " (nothing to read: no export in the inbox, or no API data for the interval)"
        if self.unused_fields:
            fields = grouped(self.unused_fields)
            line += f"; {len(fields)} export field(s) not loaded (ops.unused_fields):"
            line += "".join(f"\n  - {field}" for field in fields)
        return line


# Records dated before this, or more than a day after the extract runs, carry a broken date (a default
# like 1900-01-01 or 1970-01-01, a two-digit year read as 2099): quarantined, never loaded or dropped.
PLAUSIBLE_FROM = dt.date(2000, 1, 1)


def implausible_date(day: dt.date, today: dt.date) -> str | None:
    latest = today + dt.timedelta(days=1)
    if PLAUSIBLE_FROM <= day <= latest:
        return None
    return (
        f"implausible date {day.isoformat()}: outside {PLAUSIBLE_FROM.isoformat()} .. {latest.isoformat()}; "
        "fix the export's date column (format, time zone or a default value)"
    )


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


def revision_day(record: Record, window: Window) -> dt.date | None:
    """The day an older record was revised within the fetched window, where its stream keeps revisions."""
    column = get_stream(record.stream).revised_column
    revised = record.values.get(column) if column else None
    if isinstance(revised, dt.datetime) and window.start <= revised < window.end:
        return revised.astimezone(dt.UTC).date()
    return None


def extract_source(
    config: Config, source_name: str, start: dt.date, end: dt.date, http: ApiSession | None = None
) -> ExtractSummary:
    """Parse every inbox file (file mode) or fetch the interval (api mode); land records per day."""
    if end <= start:
        raise ValueError(f"empty interval: start {start} must be before end {end}")
    source = config.source(source_name)
    for orphan in remove_orphan_folders(config.landing_path, source.name):
        log.warning("%s: removed %s, left by an interrupted extract", source.name, orphan)
    connector = load_connector(source.connector)
    context = ParseContext(
        source=source.name, timezone=config.timezone(source), options=config.parse_options(source)
    )
    with collecting() as unused:
        if source.mode == "api":
            fetched = _fetch_api(config, source, context, start, end, http)
        else:
            fetched = _read_files(config, source, connector.FILE_PATTERNS, context)
    first = fetched.window.first_day if fetched.window else start
    by_day: dict[dt.date, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    problems: list[RowProblem] = []
    erased_by_day: dict[dt.date, int] = defaultdict(int)
    outside = 0
    today = dt.datetime.now(dt.UTC).date()
    erased = ErasedPeople.of(config, source.name)
    hide = _PersonFields(config, source.name)
    for row in fetched.rows:
        if isinstance(row, RowProblem):
            if erased and erased.mentioned_in(row.raw):
                erased_by_day[first] += 1
            else:
                problems.append(row)
            continue
        reason = get_stream(row.stream).conform(row.values)
        day = record_day(row) if reason is None else None
        reason = reason or (implausible_date(day, today) if day else None)
        if reason or day is None:
            if erased and erased.holds(row):
                erased_by_day[first] += 1
            else:
                problems.append(RowProblem(row.file, row.line, str(reason), repr(hide(row))[:2000]))
            continue
        if day < first and fetched.window:
            day = revision_day(row, fetched.window) or day
        if not first <= day < end:
            outside += 1
        elif erased and erased.holds(row):
            erased_by_day[day] += 1
        else:
            by_day[day][row.stream].append(row)
    landing = config.landing_path
    extracted_at = dt.datetime.now(dt.UTC).isoformat()
    day = first
    records_total = 0
    while day < end:
        streams = {name: by_day[day].get(name, []) for name in connector.STREAMS}
        # Row problems carry no trustworthy date: they are reported with the interval's first day, as are
        # the records read that belong to days outside the interval, so every row read is accounted for.
        day_problems = problems if day == first else []
        day_outside = outside if day == first else 0
        rows = sum(len(v) for v in streams.values())
        records_total += rows
        is_last = day == end - dt.timedelta(days=1)
        manifest = Manifest(
            source=source.name,
            connector=source.connector,
            day=day.isoformat(),
            files=fetched.files,
            rows_read=rows + len(day_problems) + erased_by_day[day] + day_outside,
            rows_quarantined=len(day_problems),
            rows_erased=erased_by_day[day],
            rows_outside_interval=day_outside,
            streams={name: len(v) for name, v in streams.items()},
            cursor=fetched.cursor.to_json() if fetched.cursor and is_last else None,
            extracted_at=extracted_at,
            # Like row problems, with the interval's first day (the loader replaces them per file).
            unused_fields=[field.to_json() for field in unused] if day == first else None,
        )
        write_day(landing, manifest, streams, day_problems)
        day += dt.timedelta(days=1)
    summary = ExtractSummary(
        source.name,
        len(fetched.files),
        (end - first).days,
        records_total,
        len(problems),
        outside,
        tuple(unused),
    )
    log.log(logging.WARNING if unused else logging.INFO, "%s: %s", source.name, summary)
    return summary


class _PersonFields:
    """A quarantined record's values with its person columns (author, caller, respondent id)
    pseudonymised, or removed when no pseudonymisation key is configured."""

    def __init__(self, config: Config, source: str) -> None:
        self.config, self.source = config, source
        self.key: bytes | None = None

    def __call__(self, record: Record) -> dict[str, object]:
        person = PERSON_COLUMNS.get(record.stream, ())
        values = dict(record.values)
        for column in person:
            if values.get(column) is not None:
                values[column] = self._pseudonym(str(values[column]))
        return values

    def _pseudonym(self, value: str) -> str:
        if self.key is None:
            try:
                self.key = pseudonym_key(self.config)
            except ConfigError:
                self.key = b""
        return pseudonymize(self.key, value, self.source) if self.key else "[REMOVED]"


@dataclass(frozen=True)
class _Fetched:
    rows: list[ParsedRow]
    files: tuple[str, ...]
    window: Window | None = None
    cursor: Cursor | None = None


def _read_files(config: Config, source: Source, patterns: tuple[str, ...], context: ParseContext) -> _Fetched:
    connector = load_connector(source.connector)
    files = inbox_files(config, source, patterns)
    rows: list[ParsedRow] = []
    for path in files:
        log.info("%s: reading %s", source.name, path)
        rows.extend(connector.parse_file(path, context))
    return _Fetched(rows, tuple(str(p) for p in files))


def _fetch_api(
    config: Config,
    source: Source,
    context: ParseContext,
    start: dt.date,
    end: dt.date,
    http: ApiSession | None,
) -> _Fetched:
    """Fetch [start, end) (or from the committed cursor after a gap); the new cursor rides in the manifest."""
    settings = config.api_settings(source)
    api = load_api_connector(source.connector)
    committed = committed_cursor(config.landing_path, state_path(config), source.name)
    window = fetch_window(start, end, committed)
    required = getattr(api, "SECRET_REQUIRED", True)
    secret = resolve_secret(source, settings.conn_id, api.CONNECTION_FIELDS, required=required)
    session = http or ApiSession(
        credentials_of(source, settings.conn_id, api.CONNECTION_FIELDS),
        policy=RetryPolicy(
            max_attempts=settings.max_attempts,
            timeout=(min(10.0, settings.timeout_seconds), settings.timeout_seconds),
            deadline=settings.timeout_seconds,
            max_body_bytes=int(settings.max_response_mb * MB),
        ),
        cross_origin_redirects=settings.allow_cross_origin_redirects,
    )
    log.info("%s: fetching [%s, %s) resuming=%s", source.name, window.start, window.end, bool(window.resume))
    batch = api.extract_api(settings, secret, window, context, session)
    reached_back = window.start if window.start < midnight(start) else None
    cursor = Cursor(through=window.end, values=batch.cursor, window_start=reached_back)
    return _Fetched(batch.rows, tuple(batch.pages), window, cursor)
