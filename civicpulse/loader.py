"""The writer: landing Parquet for (source, day) replaces that partition of raw in one transaction.

Records of erased people (`ops.erased_keys`, see civicpulse.erasure) are left out, by the same keyed
pseudonym the staging models compute, and counted: rows read = loaded + duplicates + quarantined + erased.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from civicpulse.config import Config
from civicpulse.crashpoints import crash_point
from civicpulse.erasure import PERSON_COLUMNS, TOKEN_SEPARATORS, erased_keys
from civicpulse.landing import QUARANTINE, Manifest, complete_days
from civicpulse.sources import FileProblem
from civicpulse.state import resume_start, upsert_cursor, write_state_file
from civicpulse.streams import get_stream
from civicpulse.unused_fields import UnusedField

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    load_id: str
    source: str
    day: dt.date
    rows_read: int
    rows_loaded: int
    rows_duplicate: int
    rows_quarantined: int
    rows_erased: int = 0
    rows_outside_interval: int = 0
    rows_conflicting: int = 0
    # export fields no landing column takes, recorded in ops.unused_fields (first day of an extract only)
    unused_fields: tuple[UnusedField, ...] = ()

    @property
    def is_reconciled(self) -> bool:
        return self.rows_read == (
            self.rows_loaded
            + self.rows_duplicate
            + self.rows_quarantined
            + self.rows_erased
            + self.rows_outside_interval
        )


class ReconciliationError(RuntimeError):
    pass


def load_source(
    con: duckdb.DuckDBPyConnection, config: Config, source_name: str, start: dt.date, end: dt.date
) -> list[LoadResult]:
    first = resume_start(config.landing_path, source_name, start, end)
    folders = complete_days(config.landing_path, source_name, first, end)
    missing = (end - first).days - len(folders)
    if missing:
        log.warning(
            "%s: %d day(s) in [%s, %s) have no complete landing folder", source_name, missing, first, end
        )
    return [load_day(con, folder) for folder in folders]


def load_day(con: duckdb.DuckDBPyConnection, folder: Path) -> LoadResult:
    manifest = Manifest.read(folder)
    day = dt.date.fromisoformat(manifest.day)
    _check_landing_files(folder, manifest)
    load_id = f"{manifest.source}:{manifest.day}:{uuid.uuid4().hex[:12]}"
    loaded = duplicates = conflicts = 0
    erased = manifest.rows_erased  # left out by the extract already
    con.execute("begin transaction")
    try:
        erased_filter = _erased_filter(con, manifest.source)
        for stream_name in manifest.streams:
            stream_loaded, stream_duplicates, stream_erased, stream_conflicts = _replace_partition(
                con,
                folder / f"{stream_name}.parquet",
                stream_name,
                manifest.source,
                day,
                load_id,
                erased_filter,
            )
            loaded += stream_loaded
            duplicates += stream_duplicates
            erased += stream_erased
            conflicts += stream_conflicts
        quarantined, quarantine_erased = _replace_quarantine(
            con, folder / f"{QUARANTINE}.parquet", manifest.source, day, load_id, erased_filter
        )
        erased += quarantine_erased
        unused = _replace_unused_fields(con, manifest, load_id)
        outside = manifest.rows_outside_interval
        newest = _newest_record(con, manifest.streams, manifest.source, day)
        result = LoadResult(
            load_id,
            manifest.source,
            day,
            manifest.rows_read,
            loaded,
            duplicates,
            quarantined,
            erased,
            outside,
            conflicts,
            unused,
        )
        if not result.is_reconciled:
            raise ReconciliationError(
                f"{folder}: rows read {result.rows_read} != loaded {loaded} + duplicates {duplicates} "
                f"+ quarantined {quarantined} + erased {erased} + outside the interval {outside}; "
                "the landing folder is inconsistent, re-run the extract"
            )
        con.execute(
            """
            insert into ops.loads (
                load_id, source, connector, partition_day, files, rows_read, rows_loaded, rows_duplicate,
                rows_quarantined, is_reconciled, extracted_at, loaded_at, rows_erased,
                rows_outside_interval, rows_conflicting, newest_record_at
            ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?)
            """,
            [
                load_id,
                manifest.source,
                manifest.connector,
                day,
                list(manifest.files),
                result.rows_read,
                loaded,
                duplicates,
                quarantined,
                result.is_reconciled,
                manifest.extracted_at or None,
                erased,
                outside,
                conflicts,
                newest,
            ],
        )
        cursor = upsert_cursor(con, manifest, load_id)
        crash_point("loader.mid_transaction")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    crash_point("loader.after_commit")
    if cursor is not None:
        write_state_file(folder.parent.parent, manifest.source, cursor)
    return result


def _check_landing_files(folder: Path, manifest: Manifest) -> None:
    """A landing Parquet damaged after it was written (a disk or a copy cut it off) fails its source in
    one line, before the partition is touched."""
    for name in [*manifest.streams, QUARANTINE]:
        path = folder / f"{name}.parquet"
        try:
            pq.read_metadata(path)
        except (OSError, pa.ArrowException) as exc:
            raise FileProblem(
                path,
                f"the landing file is damaged or missing ({exc})",
                f"extract the day again: civicpulse extract --source {manifest.source} "
                f"--start {manifest.day} --end {dt.date.fromisoformat(manifest.day) + dt.timedelta(days=1)}",
            ) from None


@dataclass(frozen=True)
class _ErasedFilter:
    """SQL conditions that hold for a landed record (or quarantined raw record) of an erased person."""

    source: str
    keys: list[str]

    def record(self, stream_name: str) -> tuple[str, list[object]]:
        columns = PERSON_COLUMNS.get(stream_name, ())
        if not columns:
            return "false", []
        calls = ", ".join(f"pseudonymize(?, {c}::varchar)" for c in columns)
        return f"coalesce(list_has_any(?, [{calls}]), false)", [self.keys, *([self.source] * len(columns))]

    def quarantined(self) -> tuple[str, list[object]]:
        # The raw record's tokens: an erased id (its pseudonym is erased) or a pseudonymised person field.
        tokens = "string_split_regex(coalesce(raw, ''), ?)"
        condition = (
            f"list_has_any(?, {tokens}) or list_has_any(?, list_transform({tokens}, t -> pseudonymize(?, t)))"
        )
        return f"coalesce({condition}, false)", [
            self.keys,
            TOKEN_SEPARATORS,
            self.keys,
            TOKEN_SEPARATORS,
            self.source,
        ]


def _erased_filter(con: duckdb.DuckDBPyConnection, source: str) -> _ErasedFilter | None:
    keys = sorted(erased_keys(con, source))
    return _ErasedFilter(source, keys) if keys else None


def _replace_partition(
    con: duckdb.DuckDBPyConnection,
    parquet: Path,
    stream_name: str,
    source: str,
    day: dt.date,
    load_id: str,
    erased_filter: _ErasedFilter | None = None,
) -> tuple[int, int, int, int]:
    stream = get_stream(stream_name)
    columns = ", ".join([*stream.column_names, "record_file", "record_line"])
    key = ", ".join(stream.key)
    con.execute(f"delete from raw.{stream.name} where source = ? and partition_day = ?", [source, day])
    con.execute(
        "delete from ops.conflicts where source = ? and stream = ? and partition_day = ?",
        [source, stream.name, day],
    )
    total = _scalar(con, "select count(*) from read_parquet(?)", [str(parquet)])
    erased_sql, erased_params = erased_filter.record(stream.name) if erased_filter else ("false", [])
    erased = _scalar(
        con, f"select count(*) from read_parquet(?) where {erased_sql}", [str(parquet), *erased_params]
    )
    # The same record on two pages (or twice in one export) is one record: keep its last occurrence.
    con.execute(
        f"""
        insert into raw.{stream.name} (source, partition_day, load_id, loaded_at, {columns})
        select ?, ?, ?, now(), {columns}
        from read_parquet(?)
        where not ({erased_sql})
        qualify row_number() over (partition by {key} order by record_file desc, record_line desc) = 1
        """,
        [source, day, load_id, str(parquet), *erased_params],
    )
    loaded = _scalar(
        con, f"select count(*) from raw.{stream.name} where source = ? and partition_day = ?", [source, day]
    )
    conflicts = _record_conflicts(con, parquet, stream_name, source, day, load_id, erased_sql, erased_params)
    return loaded, total - erased - loaded, erased, conflicts


def _record_conflicts(
    con: duckdb.DuckDBPyConnection,
    parquet: Path,
    stream_name: str,
    source: str,
    day: dt.date,
    load_id: str,
    erased_sql: str,
    erased_params: list[object],
) -> int:
    """The same key read with different content: the last occurrence is loaded (as for plain duplicates),
    and each other version is recorded in ops.conflicts with both versions' content hashes."""
    stream = get_stream(stream_name)
    key = ", ".join(stream.key)
    content = ", ".join(f"{c} := {c}" for c in stream.column_names)
    con.execute(
        f"""
        insert into ops.conflicts
        with versions as (
            select
                md5(to_json(struct_pack({", ".join(f"{k} := {k}" for k in stream.key)}))) as key_hash,
                md5(to_json(struct_pack({content}))) as content_hash,
                record_file,
                record_line,
                row_number() over (partition by {key} order by record_file desc, record_line desc) as position
            from read_parquet(?)
            where not ({erased_sql})
        ),

        kept as (select * from versions where position = 1)

        select distinct on (other.record_file, other.record_line)
            ?, ?, ?, ?, kept.key_hash, kept.content_hash, kept.record_file, kept.record_line,
            other.content_hash, other.record_file, other.record_line, now()
        from versions as other
        inner join kept on other.key_hash = kept.key_hash
        where other.position > 1 and other.content_hash <> kept.content_hash
        """,
        [str(parquet), *erased_params, source, stream.name, day, load_id],
    )
    return _scalar(
        con,
        "select count(*) from ops.conflicts where source = ? and stream = ? and partition_day = ?",
        [source, stream.name, day],
    )


def _replace_quarantine(
    con: duckdb.DuckDBPyConnection,
    parquet: Path,
    source: str,
    day: dt.date,
    load_id: str,
    erased_filter: _ErasedFilter | None = None,
) -> tuple[int, int]:
    # A bad row is one quarantine entry, keyed by (source, file, line, reason), whichever day a rerun or a
    # re-read inbox files it under: the partition's entries and any earlier entry of the same row go.
    con.execute("delete from ops.quarantine where source = ? and partition_day = ?", [source, day])
    con.execute(
        """
        delete from ops.quarantine as q
        where q.source = ? and exists (
            select 1 from read_parquet(?) as p
            where p.record_file = q.record_file and p.record_line = q.record_line and p.reason = q.reason
        )
        """,
        [source, str(parquet)],
    )
    erased_sql, erased_params = erased_filter.quarantined() if erased_filter else ("false", [])
    total = _scalar(con, "select count(*) from read_parquet(?)", [str(parquet)])
    con.execute(
        f"""
        insert into ops.quarantine
        select ?, ?, ?, record_file, record_line, reason, raw, now() from read_parquet(?)
        where not ({erased_sql})
        qualify row_number() over (partition by record_file, record_line, reason order by raw) = 1
        """,
        [source, day, load_id, str(parquet), *erased_params],
    )
    quarantined = _scalar(
        con, "select count(*) from ops.quarantine where source = ? and partition_day = ?", [source, day]
    )
    return quarantined, total - quarantined


def _replace_unused_fields(
    con: duckdb.DuckDBPyConnection, manifest: Manifest, load_id: str
) -> tuple[UnusedField, ...]:
    """The manifest's unused fields replace those recorded for the files it read; a field seen before
    keeps its first_seen_at. Days without the report (None) leave ops.unused_fields alone."""
    if manifest.unused_fields is None:
        return ()
    found = tuple(UnusedField.from_json(item) for item in manifest.unused_fields)
    files = sorted({*manifest.files, *(field.file for field in found)})
    earlier = dict(
        ((file, name), seen)
        for file, name, seen in con.execute(
            "select record_file, field, first_seen_at from ops.unused_fields "
            "where source = ? and list_contains(?, record_file)",
            [manifest.source, files],
        ).fetchall()
    )
    con.execute(
        "delete from ops.unused_fields where source = ? and list_contains(?, record_file)",
        [manifest.source, files],
    )
    for field in found:
        con.execute(
            """
            insert into ops.unused_fields
            values (?, ?, ?, ?, ?, coalesce(?::timestamptz, now()), now(), ?)
            """,
            [
                manifest.source,
                field.file,
                field.field,
                field.rows,
                field.reason,
                earlier.get((field.file, field.field)),
                load_id,
            ],
        )
    return found


def _newest_record(
    con: duckdb.DuckDBPyConnection, streams: Iterable[str], source: str, day: dt.date
) -> dt.datetime | None:
    """The newest record time of the partition as loaded, for freshness from the data itself."""
    parts = [
        f"select max({get_stream(name).time_column})::timestamptz as t from raw.{name} "
        "where source = $source and partition_day = $day"
        for name in sorted(streams)
    ]
    if not parts:
        return None
    row = con.execute(
        f"select max(t) from ({' union all '.join(parts)})", {"source": source, "day": day}
    ).fetchone()
    return row[0] if row and isinstance(row[0], dt.datetime) else None


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> int:
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0
