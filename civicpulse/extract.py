"""Extract one source for a data interval through its connector (file or api mode), write landing per day."""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from civicpulse.config import Config, ConfigError, Source
from civicpulse.erasure import PERSON_COLUMNS, ErasedPeople
from civicpulse.landing import Manifest, day_folder, remove_orphan_folders, write_day
from civicpulse.manifest import FileEntry, FileManifest, LandedDay, content_hash, landing_hash, parser_version
from civicpulse.pseudonym_key import pseudonym_key
from civicpulse.sources import Connector, ParseContext, ParsedRow, Record, RowProblem, day_of, load_connector
from civicpulse.state import Cursor, Window, committed_cursor, fetch_window, midnight
from civicpulse.streams import get_stream
from civicpulse.unused_fields import UnusedField, collecting, grouped
from civicpulse.warehouse.connection import state_path
from transforms.pseudonym import pseudonymize

if TYPE_CHECKING:
    from civicpulse.http import ApiSession

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
    # File mode: inbox files not read (unchanged, and no day of the interval needs them), days of the
    # interval whose landing was current (not rewritten), and days outside the interval that changed
    # or removed files cover (landed when they run again).
    files_skipped: int = 0
    days_current: int = 0
    stale_outside: tuple[str, ...] = ()

    def __str__(self) -> str:
        line = (
            f"{self.source}: {self.records:,} record(s) landed over {self.days} day(s) from {self.files} "
            f"file(s) or page(s); {self.quarantined:,} quarantined, {self.outside_interval:,} outside the "
            "interval"
        )
        if self.files == 0 and self.files_skipped == 0:
            line += " (nothing to read: no export in the inbox, or no API data for the interval)"
        if self.files_skipped or self.days_current:
            line += (
                f"; {self.files_skipped:,} file(s) unchanged, skipped; {self.days_current} day(s) already "
                "landed from the same files, kept"
            )
        if self.stale_outside:
            days = self.stale_outside
            line += (
                f"; changed or removed file(s) also cover {len(days)} day(s) outside the interval "
                f"({days[0]} .. {days[-1]}): run them again to land the change"
            )
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
    # Hidden files and folders inside the inbox are skipped, not those above it (a project may live
    # under a hidden folder).
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(inbox).parts))


def record_day(record: Record) -> dt.date:
    stream = get_stream(record.stream)
    day = day_of(record.values[stream.time_column])
    if day is None:
        raise TypeError(f"{record.file}:{record.line}: {stream.time_column} is not a date or timestamp")
    return day


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
    """Fetch the interval (api mode) or read the inbox files it needs (file mode, see `_read_files`);
    land records per day."""
    if end <= start:
        raise ValueError(f"empty interval: start {start} must be before end {end}")
    source = config.source(source_name)
    for orphan in remove_orphan_folders(config.landing_path, source.name):
        log.warning("%s: removed %s, left by an interrupted extract", source.name, orphan)
    connector = load_connector(source.connector)
    context = ParseContext(
        source=source.name, timezone=config.timezone(source), options=config.parse_options(source)
    )
    today = dt.datetime.now(dt.UTC).date()
    plan: _FilePlan | None = None
    with collecting() as unused:
        if source.mode == "api":
            fetched = _fetch_api(config, source, context, start, end, http)
            rows = [
                _classified(row, today, fetched.window.first_day if fetched.window else start)
                for row in fetched.rows
            ]
        else:
            plan = _read_files(config, source, connector, context, start, end, today)
            fetched, rows = plan.fetched, plan.rows
    first = fetched.window.first_day if fetched.window else start
    write = plan.write if plan is not None else _days(first, end)
    by_day: dict[dt.date, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    problems: dict[dt.date, list[RowProblem]] = defaultdict(list)
    erased_by_day: dict[dt.date, int] = defaultdict(int)
    outside = 0
    erased = ErasedPeople.of(config, source.name)
    hide = _PersonFields(config, source.name)
    for item in rows:
        row = item.row
        day = item.day or item.anchor
        if item.is_problem:
            # A bad row is filed under its own date; one without a trustworthy date under its file's
            # anchor day (the interval's first day when the file was read). An API row dated before
            # the window came back revised within it: filed under the window's first day.
            if item.day is not None and day < first and fetched.window:
                day = item.anchor
        elif isinstance(row, Record) and day < first and fetched.window:
            day = revision_day(row, fetched.window) or day
        if item.day is not None and not first <= day < end:
            outside += 1
        elif day not in write:
            continue  # a day already landed from the same files (file mode): left as it is
        elif isinstance(row, RowProblem):
            if erased and erased.mentioned_in(row.raw):
                erased_by_day[day] += 1
            else:
                problems[day].append(row)
        elif erased and erased.holds(row):
            erased_by_day[day] += 1
        elif item.reason is not None:
            problems[day].append(RowProblem(row.file, row.line, item.reason, repr(hide(row))[:2000]))
        else:
            by_day[day][row.stream].append(row)
    landing = config.landing_path
    extracted_at = dt.datetime.now(dt.UTC).isoformat()
    records_total = 0
    written = sorted(write)
    for day in written:
        streams = {name: by_day[day].get(name, []) for name in connector.STREAMS}
        # Records read that belong to days outside the interval are counted on the first day written,
        # with the export fields not loaded, so every row read is accounted for.
        is_first = day == written[0]
        day_problems = problems[day]
        day_outside = outside if is_first else 0
        rows_landed = sum(len(v) for v in streams.values())
        records_total += rows_landed
        is_last = day == end - dt.timedelta(days=1)
        manifest = Manifest(
            source=source.name,
            connector=source.connector,
            day=day.isoformat(),
            files=plan.files_of(day, is_first) if plan is not None else fetched.files,
            rows_read=rows_landed + len(day_problems) + erased_by_day[day] + day_outside,
            rows_quarantined=len(day_problems),
            rows_erased=erased_by_day[day],
            rows_outside_interval=day_outside,
            streams={name: len(v) for name, v in streams.items()},
            cursor=fetched.cursor.to_json() if fetched.cursor and is_last else None,
            extracted_at=extracted_at,
            # The loader replaces unused fields per file: a later rerun of another day leaves them alone.
            unused_fields=[field.to_json() for field in unused] if is_first else None,
        )
        write_day(landing, manifest, streams, day_problems)
    if plan is not None:
        plan.commit(landing, source.name, written)
    summary = ExtractSummary(
        source.name,
        len(fetched.files),
        len(written),
        records_total,
        sum(len(p) for p in problems.values()),
        outside,
        tuple(unused),
        files_skipped=plan.skipped if plan is not None else 0,
        days_current=(end - first).days - len(written),
        stale_outside=plan.stale_outside if plan is not None else (),
    )
    log.log(
        logging.WARNING if unused or summary.stale_outside else logging.INFO, "%s: %s", source.name, summary
    )
    return summary


def _days(first: dt.date, end: dt.date) -> frozenset[dt.date]:
    return frozenset(first + dt.timedelta(days=n) for n in range((end - first).days))


@dataclass(frozen=True)
class _Row:
    """A row read with its day (a bad row's own date when it has a plausible one, else None) and its
    file's anchor day; `reason` is why a record that the connector yielded is quarantined."""

    row: ParsedRow
    day: dt.date | None
    reason: str | None
    anchor: dt.date

    @property
    def is_problem(self) -> bool:
        return self.reason is not None or isinstance(self.row, RowProblem)


def _classified(row: ParsedRow, today: dt.date, anchor: dt.date) -> _Row:
    if isinstance(row, RowProblem):
        return _Row(row, _plausible(row.day, today), None, anchor)
    reason = None if row.conformed else get_stream(row.stream).conform(row.values)
    if reason is not None:
        own = day_of(row.values.get(get_stream(row.stream).time_column))
        return _Row(row, _plausible(own, today), reason, anchor)
    day = record_day(row)
    implausible = implausible_date(day, today)
    return _Row(row, None if implausible else day, implausible, anchor)


def _plausible(day: dt.date | None, today: dt.date) -> dt.date | None:
    return day if day is not None and implausible_date(day, today) is None else None


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


@dataclass
class _FilePlan:
    """What a file-mode extract reads and writes: the days of the interval whose landing is missing or
    out of date (`write`), and the rows of every file any of them needs."""

    fetched: _Fetched
    rows: list[_Row]
    write: frozenset[dt.date]
    manifest: FileManifest
    inbox: Path
    parser: str
    skipped: int
    stale_outside: tuple[str, ...]

    def files_of(self, day: dt.date, is_first: bool) -> tuple[str, ...]:
        covering = [path for path, _ in self.manifest.covering(day.isoformat())]
        return tuple(sorted({*covering, *self.fetched.files})) if is_first else tuple(covering)

    def commit(self, landing: Path, source: str, written: list[dt.date]) -> None:
        for day in written:
            key = day.isoformat()
            written_hash = landing_hash(day_folder(landing, source, day)) or ""
            self.manifest.landed[key] = LandedDay(self.manifest.covering(key), self.parser, written_hash)
        self.manifest.save(landing, source, self.inbox)


def _read_files(
    config: Config,
    source: Source,
    connector: Connector,
    context: ParseContext,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> _FilePlan:
    """Read the new and changed inbox files (a file whose size and modified time, or else content hash,
    match the manifest under the same parser version is unchanged), then every unchanged file covering
    a day of the interval whose landing is missing or was landed from other files; the other days stay
    as landed. See civicpulse.manifest."""
    landing = config.landing_path
    files = inbox_files(config, source, connector.FILE_PATTERNS)
    inbox = config.inbox(source)
    known = FileManifest.load(landing, source.name, inbox)
    parser = parser_version(_code_files(connector), _context_key(context))
    entries: dict[str, FileEntry] = {}
    read: dict[str, list[_Row]] = {}
    stale: set[str] = set()
    for path in files:
        key, stat = str(path), path.stat()
        entry = known.files.get(key)
        if (
            entry
            and entry.parser == parser
            and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
        ):
            entries[key] = entry
            continue
        sha = content_hash(path)
        if entry and entry.parser == parser and entry.sha256 == sha:
            entries[key] = replace(entry, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
            continue
        read[key] = _parse(connector, path, context, today, start)
        days = tuple(sorted({r.day.isoformat() for r in read[key] if r.day is not None}))
        # Only a file with undated bad rows is tied to the day they are reported on.
        anchor = start.isoformat() if any(r.day is None for r in read[key]) else ""
        entries[key] = FileEntry(key, stat.st_size, stat.st_mtime_ns, sha, days, anchor, parser)
        if entry is not None:  # changed: its old and new days; a new file's other days are outside
            stale |= entry.covers | entries[key].covers
    stale |= {day for key, entry in known.files.items() if key not in entries for day in entry.covers}
    manifest = FileManifest(entries, known.landed)
    write = frozenset(
        d for d in _days(start, end) if not manifest.is_current(landing, source.name, d, parser)
    )
    wanted = {d.isoformat() for d in write}
    for key, entry in sorted(entries.items()):
        if key not in read and entry.covers & wanted:
            tied = dt.date.fromisoformat(entry.anchor) if entry.anchor else start
            read[key] = _parse(connector, Path(key), context, today, tied)
    stale_outside = tuple(sorted(d for d in stale if not start.isoformat() <= d < end.isoformat()))
    rows = [row for key in sorted(read) for row in read[key]]
    fetched = _Fetched([r.row for r in rows], tuple(sorted(read)))
    return _FilePlan(fetched, rows, write, manifest, inbox, parser, len(files) - len(read), stale_outside)


def _parse(
    connector: Connector, path: Path, context: ParseContext, today: dt.date, anchor: dt.date
) -> list[_Row]:
    log.info("%s: reading %s", context.source, path)
    return [_classified(row, today, anchor) for row in connector.parse_file(path, context)]


def _code_files(connector: Connector) -> list[Path]:
    """The connector package's Python files (its parser version changes with any of them)."""
    module = inspect.getmodule(connector)
    found = Path(module.__file__) if module is not None and module.__file__ else None
    return sorted(found.parent.rglob("*.py")) if found is not None else []


def _context_key(context: ParseContext) -> str:
    options = context.options.model_dump_json() if context.options is not None else ""
    return f"{context.source}|{context.timezone.key}|{options}"


def _fetch_api(
    config: Config,
    source: Source,
    context: ParseContext,
    start: dt.date,
    end: dt.date,
    http: ApiSession | None,
) -> _Fetched:
    """Fetch [start, end) (or from the committed cursor after a gap); the new cursor rides in the manifest."""
    # The HTTP stack (requests) is imported only by a source in api mode: file mode never needs it.
    from civicpulse.api import load_api_connector
    from civicpulse.credentials import credentials_of, resolve_secret
    from civicpulse.http import MB, ApiSession, RetryPolicy

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
