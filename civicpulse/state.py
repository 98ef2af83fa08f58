"""Incremental state of API sources: the cursor of the last committed load.

The writer upserts `ops.source_state` in the same transaction as the load whose manifest carries the new
cursor, then mirrors it to `<landing>/_state/<source>.json`. The extract (which never opens the
warehouse) reads that file, or the published read-only copy when the file is missing. Either may lag the
warehouse, never lead it, so a stale read only re-fetches records the loader's dedupe collapses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from civicpulse.landing import Manifest, day_folder

STATE_DIR = "_state"


@dataclass(frozen=True)
class Cursor:
    """`through`: end of the last fetched window; `values`: the API's own markers (since_id, tokens...)."""

    through: dt.datetime
    values: dict[str, Any] = field(default_factory=dict)
    window_start: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"through": self.through.isoformat(), "values": self.values}
        if self.window_start is not None:
            data["window_start"] = self.window_start.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cursor:
        window_start = data.get("window_start")
        return cls(
            through=_utc(data["through"]),
            values=dict(data.get("values") or {}),
            window_start=None if window_start is None else _utc(window_start),
        )


@dataclass(frozen=True)
class Window:
    """The time range an API extract fetches, and the committed cursor it may resume from."""

    start: dt.datetime
    end: dt.datetime
    resume: Cursor | None

    @property
    def first_day(self) -> dt.date:
        return self.start.date()


def _utc(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def fetch_window(start: dt.date, end: dt.date, committed: Cursor | None) -> Window:
    """[start, end), reaching back to the committed cursor when a failed night left a gap before start.

    A rerun of an interval the cursor has passed fetches the whole interval by time (partitions are
    replaced whole) and its cursor never moves the committed one back.
    """
    lower, upper = midnight(start), midnight(end)
    if committed is None or committed.through > lower:
        return Window(lower, upper, None)
    resume_from = midnight(committed.through.astimezone(dt.UTC).date())
    if resume_from != committed.through:
        return Window(resume_from, upper, None)
    return Window(resume_from, upper, committed)


def state_file(landing: Path, source: str) -> Path:
    return landing / STATE_DIR / f"{source}.json"


def read_state_file(landing: Path, source: str) -> Cursor | None:
    path = state_file(landing, source)
    if not path.is_file():
        return None
    return Cursor.from_json(json.loads(path.read_text(encoding="utf-8")))


def write_state_file(landing: Path, source: str, cursor: Cursor | None) -> None:
    path = state_file(landing, source)
    if cursor is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temp.write_text(json.dumps(cursor.to_json(), indent=2), encoding="utf-8")
    os.replace(temp, path)


def read_published_cursor(published: Path, source: str) -> Cursor | None:
    if not published.is_file():
        return None
    con = duckdb.connect(str(published), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'ops' and table_name = 'source_state'"
        ).fetchone()
        if not exists or not exists[0]:
            return None
        return _cursor_row(con, source)
    finally:
        con.close()


def committed_cursor(landing: Path, published: Path, source: str) -> Cursor | None:
    return read_state_file(landing, source) or read_published_cursor(published, source)


def _cursor_row(con: duckdb.DuckDBPyConnection, source: str) -> Cursor | None:
    row = con.execute("select cursor_json from ops.source_state where source = ?", [source]).fetchone()
    return None if row is None else Cursor.from_json(json.loads(row[0]))


def upsert_cursor(con: duckdb.DuckDBPyConnection, manifest: Manifest, load_id: str) -> Cursor | None:
    """In the load's transaction: advance the source's cursor (never backwards); returns the stored one."""
    if manifest.cursor is None:
        return None
    cursor = Cursor.from_json(manifest.cursor)
    con.execute(
        """
        insert into ops.source_state values (?, ?, ?, ?, ?, now())
        on conflict (source) do update set
            connector = excluded.connector,
            through = excluded.through,
            cursor_json = excluded.cursor_json,
            load_id = excluded.load_id,
            updated_at = excluded.updated_at
        where excluded.through >= ops.source_state.through
        """,
        [manifest.source, manifest.connector, cursor.through, json.dumps(cursor.to_json()), load_id],
    )
    return _cursor_row(con, manifest.source)


def reset_cursor(con: duckdb.DuckDBPyConnection, landing: Path, source: str) -> None:
    """Forget a source's cursor: its next extract fetches its interval by time only."""
    con.execute("delete from ops.source_state where source = ?", [source])
    write_state_file(landing, source, None)


def list_cursors(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, dt.datetime, str, dt.datetime]]:
    rows = con.execute(
        "select source, connector, through, cursor_json, updated_at from ops.source_state order by source"
    ).fetchall()
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def resume_start(landing: Path, source: str, start: dt.date, end: dt.date) -> dt.date:
    """The first day to load: before `start` when the interval's extract reached back to a gap."""
    last = day_folder(landing, source, end - dt.timedelta(days=1))
    try:
        manifest = Manifest.read(last)
    except FileNotFoundError:
        return start
    if manifest.cursor is None or not manifest.cursor.get("window_start"):
        return start
    return min(start, _utc(manifest.cursor["window_start"]).date())
