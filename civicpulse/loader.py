"""The writer: the landed days of a source's interval replace those partitions of raw in one transaction.

Set-based: each stream's landing Parquet of every day is read in one DuckDB scan, and the interval's
partitions are replaced with one delete and one insert per table (raw, ops.conflicts, ops.quarantine).
Records of erased people (`ops.erased_keys`, see civicpulse.erasure) are left out, by the same keyed
pseudonym the staging models compute, and counted. Per day, rows read = loaded + duplicates +
quarantined + erased + outside the interval.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from civicpulse.config import Config
from civicpulse.crashpoints import crash_point
from civicpulse.erasure import PERSON_COLUMNS, TOKEN_SEPARATORS, erased_keys
from civicpulse.landing import QUARANTINE, Manifest, complete_days
from civicpulse.sources import FileProblem
from civicpulse.state import Cursor, resume_start, upsert_cursor, write_state_file
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
    return load_days(con, folders)


def load_day(con: duckdb.DuckDBPyConnection, folder: Path) -> LoadResult:
    (result,) = load_days(con, [folder])
    return result


@dataclass
class _Counts:
    """What became of one day's rows read (the manifest's erased and outside counts included)."""

    loaded: int = 0
    duplicate: int = 0
    quarantined: int = 0
    erased: int = 0
    outside: int = 0
    conflicting: int = 0
    newest: dt.datetime | None = None
    unused: tuple[UnusedField, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Partitions:
    """The landed days of one source being loaded together: one folder, day and load id each."""

    source: str
    folders: tuple[Path, ...]
    manifests: tuple[Manifest, ...]
    days: tuple[dt.date, ...]
    load_ids: tuple[str, ...]

    def files(self, name: str) -> tuple[list[str], list[dt.date], list[str]]:
        """The landing Parquet of `name` (a stream or the quarantine) of every day that has it."""
        chosen = [i for i, m in enumerate(self.manifests) if name == QUARANTINE or name in m.streams]
        return (
            [str(self.folders[i] / f"{name}.parquet") for i in chosen],
            [self.days[i] for i in chosen],
            [self.load_ids[i] for i in chosen],
        )


def load_days(con: duckdb.DuckDBPyConnection, folders: Sequence[Path]) -> list[LoadResult]:
    """Load the complete landing folders of one source (days in any order) in one transaction: all of
    them or, on any error, none."""
    if not folders:
        return []
    manifests = tuple(Manifest.read(folder) for folder in folders)
    for folder, manifest in zip(folders, manifests, strict=True):
        _check_landing_files(folder, manifest)
    source = manifests[0].source
    if any(m.source != source for m in manifests):
        raise ValueError(
            f"load_days: the folders hold more than one source: {sorted({m.source for m in manifests})}"
        )
    days = tuple(dt.date.fromisoformat(m.day) for m in manifests)
    if len(set(days)) != len(days):
        raise ValueError(f"load_days: a day is given twice: {sorted(map(str, days))}")
    partitions = _Partitions(
        source,
        tuple(folders),
        manifests,
        days,
        tuple(f"{source}:{m.day}:{uuid.uuid4().hex[:12]}" for m in manifests),
    )
    counts = {
        day: _Counts(erased=m.rows_erased, outside=m.rows_outside_interval)
        for day, m in zip(days, manifests, strict=True)
    }
    con.execute("begin transaction")
    try:
        erased_filter = _erased_filter(con, source)
        streams = sorted({name for m in manifests for name in m.streams})
        for stream_name in streams:
            _replace_partitions(con, partitions, stream_name, erased_filter, counts)
        _replace_quarantine(con, partitions, erased_filter, counts)
        for day, manifest in zip(days, manifests, strict=True):
            counts[day].unused = _replace_unused_fields(con, manifest, partitions.load_ids[days.index(day)])
        _newest_records(con, source, streams, days, counts)
        results = [
            _result(folder, manifest, load_id, counts[day])
            for folder, manifest, day, load_id in zip(
                folders, manifests, days, partitions.load_ids, strict=True
            )
        ]
        _insert_loads(con, manifests, results, counts)
        cursor: Cursor | None = None
        for manifest, load_id in sorted(
            zip(manifests, partitions.load_ids, strict=True), key=lambda m: m[0].day
        ):
            cursor = upsert_cursor(con, manifest, load_id) or cursor
        crash_point("loader.mid_transaction")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    crash_point("loader.after_commit")
    if cursor is not None:
        write_state_file(folders[0].parent.parent, source, cursor)
    return results


def _result(folder: Path, manifest: Manifest, load_id: str, counts: _Counts) -> LoadResult:
    result = LoadResult(
        load_id,
        manifest.source,
        dt.date.fromisoformat(manifest.day),
        manifest.rows_read,
        counts.loaded,
        counts.duplicate,
        counts.quarantined,
        counts.erased,
        counts.outside,
        counts.conflicting,
        counts.unused,
    )
    if not result.is_reconciled:
        raise ReconciliationError(
            f"{folder}: rows read {result.rows_read} != loaded {counts.loaded} + duplicates "
            f"{counts.duplicate} + quarantined {counts.quarantined} + erased {counts.erased} + outside the "
            f"interval {counts.outside}; the landing folder is inconsistent, re-run the extract"
        )
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
    """The SQL condition (with its named parameters) that holds for a landed record, or a quarantined raw
    record, of an erased person: one of its values, pseudonymised as the staging models do, is an erased
    key."""

    source: str
    keys: list[str]

    def record(self, stream_name: str) -> tuple[str, dict[str, object]]:
        columns = PERSON_COLUMNS.get(stream_name, ())
        if not columns:
            return "false", {}
        return self._matches(f"[{', '.join(f'{c}::varchar' for c in columns)}]", tokens=False), self._params()

    def quarantined(self) -> tuple[str, dict[str, object]]:
        # The raw record's tokens: an erased id (its pseudonym is erased) or a pseudonymised person field.
        values = "string_split_regex(coalesce(raw, ''), $token_separators)"
        return self._matches(values, tokens=True), {**self._params(), "token_separators": TOKEN_SEPARATORS}

    def _params(self) -> dict[str, object]:
        return {"erased_keys": self.keys, "erased_source": self.source}

    @staticmethod
    def _matches(values: str, *, tokens: bool) -> str:
        pseudonyms = f"list_transform({values}, v -> pseudonymize($erased_source, v))"
        candidates = f"list_concat({values}, {pseudonyms})" if tokens else pseudonyms
        return f"coalesce(list_has_any($erased_keys, {candidates}), false)"


def _erased_filter(con: duckdb.DuckDBPyConnection, source: str) -> _ErasedFilter | None:
    keys = sorted(erased_keys(con, source))
    return _ErasedFilter(source, keys) if keys else None


def _landed_sql(columns: str, erased_sql: str) -> str:
    """The landing Parquet of every day being loaded, in one scan, with its day and load id."""
    return f"""
        with files as (
            select
                unnest($files::varchar[]) as filename,
                unnest($days::date[]) as partition_day,
                unnest($load_ids::varchar[]) as load_id
        ),

        landed as (
            select files.partition_day, files.load_id, {columns}, ({erased_sql}) as _erased
            from read_parquet($files::varchar[], filename = true) as p
            inner join files on p.filename = files.filename
        )
    """


def _replace_partitions(
    con: duckdb.DuckDBPyConnection,
    partitions: _Partitions,
    stream_name: str,
    erased_filter: _ErasedFilter | None,
    counts: dict[dt.date, _Counts],
) -> None:
    stream = get_stream(stream_name)
    files, days, load_ids = partitions.files(stream_name)
    names = [*stream.column_names, "record_file", "record_line"]
    columns = ", ".join(names)
    key = ", ".join(stream.key)
    erased_sql, erased_params = erased_filter.record(stream.name) if erased_filter else ("false", {})
    scope = {"source": partitions.source, "days": days}
    con.execute(
        f"delete from raw.{stream.name} where source = $source and list_contains($days, partition_day)", scope
    )
    con.execute(
        "delete from ops.conflicts where source = $source and stream = $stream "
        "and list_contains($days, partition_day)",
        {**scope, "stream": stream.name},
    )
    # The same record on two pages (or twice in one export) is one record: keep its last occurrence.
    con.execute(
        f"""
        create or replace temp table _landed as
        {_landed_sql(", ".join(f"p.{c}" for c in names), erased_sql)}
        select
            *,
            row_number() over (
                partition by partition_day, _erased, {key} order by record_file desc, record_line desc
            ) as _position,
            count(*) over (partition by partition_day, _erased, {key}) as _copies
        from landed
        """,
        {"files": files, "days": days, "load_ids": load_ids, **erased_params},
    )
    con.execute(
        f"""
        insert into raw.{stream.name} (source, partition_day, load_id, loaded_at, {columns})
        select $source, partition_day, load_id, now(), {columns}
        from _landed
        where not _erased and _position = 1
        """,
        {"source": partitions.source},
    )
    _record_conflicts(con, partitions.source, stream_name)
    rows = con.execute(
        """
        select
            partition_day,
            count(*) filter (where not _erased and _position = 1),
            count(*) filter (where not _erased and _position > 1),
            count(*) filter (where _erased)
        from _landed
        group by partition_day
        """
    ).fetchall()
    conflicts = dict(
        con.execute(
            "select partition_day, count(*) from ops.conflicts where source = $source and stream = $stream "
            "and list_contains($days, partition_day) group by partition_day",
            {**scope, "stream": stream.name},
        ).fetchall()
    )
    con.execute("drop table _landed")
    for day, loaded, duplicate, erased in rows:
        counts[day].loaded += loaded
        counts[day].duplicate += duplicate
        counts[day].erased += erased
        counts[day].conflicting += conflicts.get(day, 0)


def _record_conflicts(con: duckdb.DuckDBPyConnection, source: str, stream_name: str) -> None:
    """The same key read with different content on one day: the last occurrence is loaded (as for plain
    duplicates), and each other version is recorded in ops.conflicts with both versions' content hashes."""
    stream = get_stream(stream_name)
    key_struct = ", ".join(f"{k} := {k}" for k in stream.key)
    content = ", ".join(f"{c} := {c}" for c in stream.column_names)
    con.execute(
        f"""
        insert into ops.conflicts
        with versions as (
            select
                partition_day,
                load_id,
                md5(to_json(struct_pack({key_struct}))) as key_hash,
                md5(to_json(struct_pack({content}))) as content_hash,
                record_file,
                record_line,
                _position
            from _landed
            where not _erased and _copies > 1
        ),

        kept as (select * from versions where _position = 1)

        select distinct on (other.partition_day, other.record_file, other.record_line)
            $source, $stream, kept.partition_day, kept.load_id, kept.key_hash, kept.content_hash,
            kept.record_file, kept.record_line,
            other.content_hash, other.record_file, other.record_line, now()
        from versions as other
        inner join kept on other.partition_day = kept.partition_day and other.key_hash = kept.key_hash
        where other._position > 1 and other.content_hash <> kept.content_hash
        """,
        {"source": source, "stream": stream.name},
    )


def _replace_quarantine(
    con: duckdb.DuckDBPyConnection,
    partitions: _Partitions,
    erased_filter: _ErasedFilter | None,
    counts: dict[dt.date, _Counts],
) -> None:
    """A bad row is one quarantine entry, keyed by (source, file, line, reason), counted once: on the day
    it was landed under. The loaded days' entries are replaced; a row already quarantined under a day not
    being loaded (an undated row of a file a later range re-reads) stays there and counts here as outside
    the interval, so a later range or a rerun never counts it again."""
    files, days, load_ids = partitions.files(QUARANTINE)
    erased_sql, erased_params = erased_filter.quarantined() if erased_filter else ("false", {})
    scope = {"source": partitions.source, "days": days}
    con.execute(
        f"""
        create or replace temp table _quarantined as
        {_landed_sql("p.record_file, p.record_line, p.reason, p.raw", erased_sql)},

        earlier as (
            select record_file, record_line, reason, min(partition_day) as earlier_day
            from ops.quarantine
            where source = $source and not list_contains($days, partition_day)
            group by record_file, record_line, reason
        )

        select
            landed.*,
            earlier.earlier_day,
            row_number() over (
                partition by landed._erased, landed.record_file, landed.record_line, landed.reason
                order by landed.partition_day, landed.raw
            ) as _position
        from landed
        left join earlier
            on landed.record_file = earlier.record_file
            and landed.record_line = earlier.record_line
            and landed.reason = earlier.reason
        """,
        {"files": files, "load_ids": load_ids, **scope, **erased_params},
    )
    con.execute(
        "delete from ops.quarantine where source = $source and list_contains($days, partition_day)", scope
    )
    con.execute(
        """
        insert into ops.quarantine
        select $source, partition_day, load_id, record_file, record_line, reason, raw, now()
        from _quarantined
        where not _erased and earlier_day is null and _position = 1
        """,
        {"source": partitions.source},
    )
    rows = con.execute(
        """
        select
            partition_day,
            count(*) filter (where not _erased and earlier_day is null and _position = 1),
            count(*) filter (where not _erased and earlier_day is null and _position > 1),
            count(*) filter (where not _erased and earlier_day is not null),
            count(*) filter (where _erased)
        from _quarantined
        group by partition_day
        """
    ).fetchall()
    con.execute("drop table _quarantined")
    for day, quarantined, duplicate, outside, erased in rows:
        counts[day].quarantined += quarantined
        counts[day].duplicate += duplicate
        counts[day].outside += outside
        counts[day].erased += erased


def _replace_unused_fields(
    con: duckdb.DuckDBPyConnection, manifest: Manifest, load_id: str
) -> tuple[UnusedField, ...]:
    """The manifest's unused fields replace those recorded for the files it read; a field seen before
    keeps its first_seen_at. Days without the report (None) leave ops.unused_fields alone."""
    if manifest.unused_fields is None:
        return ()
    found = tuple(UnusedField.from_json(item) for item in manifest.unused_fields)
    files = sorted({*manifest.files, *(field.file for field in found)})
    scope = {"source": manifest.source, "files": files}
    con.execute(
        """
        create or replace temp table _earlier_fields as
        select record_file, field, first_seen_at from ops.unused_fields
        where source = $source and list_contains($files, record_file)
        """,
        scope,
    )
    con.execute(
        "delete from ops.unused_fields where source = $source and list_contains($files, record_file)", scope
    )
    con.execute(
        """
        insert into ops.unused_fields
        select $source, f.file, f.field, f.rows, f.reason, coalesce(e.first_seen_at, now()), now(), $load_id
        from (
            select
                unnest($file::varchar[]) as file,
                unnest($field::varchar[]) as field,
                unnest($rows::bigint[]) as rows,
                unnest($reason::varchar[]) as reason
        ) as f
        left join _earlier_fields as e on f.file = e.record_file and f.field = e.field
        """,
        {
            "source": manifest.source,
            "load_id": load_id,
            "file": [f.file for f in found],
            "field": [f.field for f in found],
            "rows": [f.rows for f in found],
            "reason": [f.reason for f in found],
        },
    )
    con.execute("drop table _earlier_fields")
    return found


def _newest_records(
    con: duckdb.DuckDBPyConnection,
    source: str,
    streams: Sequence[str],
    days: Sequence[dt.date],
    counts: dict[dt.date, _Counts],
) -> None:
    """The newest record time of each partition as loaded, for freshness from the data itself."""
    if not streams:
        return
    parts = [
        f"select partition_day, max({get_stream(name).time_column})::timestamptz as t from raw.{name} "
        "where source = $source and list_contains($days, partition_day) group by partition_day"
        for name in streams
    ]
    rows = con.execute(
        f"select partition_day, max(t) from ({' union all '.join(parts)}) group by partition_day",
        {"source": source, "days": list(days)},
    ).fetchall()
    for day, newest in rows:
        if isinstance(newest, dt.datetime):
            counts[day].newest = newest


def _insert_loads(
    con: duckdb.DuckDBPyConnection,
    manifests: Sequence[Manifest],
    results: Sequence[LoadResult],
    counts: dict[dt.date, _Counts],
) -> None:
    row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?)"
    params: list[object] = []
    for manifest, result in zip(manifests, results, strict=True):
        params += [
            result.load_id,
            result.source,
            manifest.connector,
            result.day,
            list(manifest.files),
            result.rows_read,
            result.rows_loaded,
            result.rows_duplicate,
            result.rows_quarantined,
            result.is_reconciled,
            manifest.extracted_at or None,
            result.rows_erased,
            result.rows_outside_interval,
            result.rows_conflicting,
            counts[result.day].newest,
        ]
    con.execute(
        f"""
        insert into ops.loads (
            load_id, source, connector, partition_day, files, rows_read, rows_loaded, rows_duplicate,
            rows_quarantined, is_reconciled, extracted_at, loaded_at, rows_erased,
            rows_outside_interval, rows_conflicting, newest_record_at
        ) values {", ".join([row] * len(results))}
        """,
        params,
    )
