"""The writer: landing Parquet for (source, day) replaces that partition of raw in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from civicpulse.config import Config
from civicpulse.landing import QUARANTINE, Manifest, complete_days
from civicpulse.state import resume_start, upsert_cursor, write_state_file
from civicpulse.streams import get_stream

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

    @property
    def is_reconciled(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_duplicate + self.rows_quarantined


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
    load_id = f"{manifest.source}:{manifest.day}:{uuid.uuid4().hex[:12]}"
    loaded = duplicates = 0
    con.execute("begin transaction")
    try:
        for stream_name in manifest.streams:
            stream_loaded, stream_duplicates = _replace_partition(
                con, folder / f"{stream_name}.parquet", stream_name, manifest.source, day, load_id
            )
            loaded += stream_loaded
            duplicates += stream_duplicates
        quarantined = _replace_quarantine(
            con, folder / f"{QUARANTINE}.parquet", manifest.source, day, load_id
        )
        result = LoadResult(
            load_id, manifest.source, day, manifest.rows_read, loaded, duplicates, quarantined
        )
        if not result.is_reconciled:
            raise ReconciliationError(
                f"{folder}: rows read {result.rows_read} != loaded {loaded} + duplicates {duplicates} "
                f"+ quarantined {quarantined}; the landing folder is inconsistent, re-run the extract"
            )
        con.execute(
            "insert into ops.loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
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
            ],
        )
        cursor = upsert_cursor(con, manifest, load_id)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    if cursor is not None:
        write_state_file(folder.parent.parent, manifest.source, cursor)
    return result


def _replace_partition(
    con: duckdb.DuckDBPyConnection, parquet: Path, stream_name: str, source: str, day: dt.date, load_id: str
) -> tuple[int, int]:
    stream = get_stream(stream_name)
    columns = ", ".join([*stream.column_names, "record_file", "record_line"])
    key = ", ".join(stream.key)
    con.execute(f"delete from raw.{stream.name} where source = ? and partition_day = ?", [source, day])
    total = _scalar(con, "select count(*) from read_parquet(?)", [str(parquet)])
    # The same record on two pages (or twice in one export) is one record: keep its last occurrence.
    con.execute(
        f"""
        insert into raw.{stream.name} (source, partition_day, load_id, loaded_at, {columns})
        select ?, ?, ?, now(), {columns}
        from read_parquet(?)
        qualify row_number() over (partition by {key} order by record_file desc, record_line desc) = 1
        """,
        [source, day, load_id, str(parquet)],
    )
    loaded = _scalar(
        con, f"select count(*) from raw.{stream.name} where source = ? and partition_day = ?", [source, day]
    )
    return loaded, total - loaded


def _replace_quarantine(
    con: duckdb.DuckDBPyConnection, parquet: Path, source: str, day: dt.date, load_id: str
) -> int:
    con.execute("delete from ops.quarantine where source = ? and partition_day = ?", [source, day])
    con.execute(
        """
        insert into ops.quarantine
        select ?, ?, ?, record_file, record_line, reason, raw, now() from read_parquet(?)
        """,
        [source, day, load_id, str(parquet)],
    )
    return _scalar(
        con, "select count(*) from ops.quarantine where source = ? and partition_day = ?", [source, day]
    )


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> int:
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0
