"""Landing zone: one folder per source x day holding one Parquet file per stream, written temp-then-rename.

<landing>/<source>/day=YYYY-MM-DD/<stream>.parquet
                                 quarantine.parquet
                                 _manifest.json      (written last: the folder is complete)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from civicpulse.crashpoints import crash_point
from civicpulse.sources import Record, RowProblem
from civicpulse.streams import get_stream

MANIFEST = "_manifest.json"
QUARANTINE = "quarantine"
RAW_LIMIT = 20_000
QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("record_file", pa.string(), nullable=False),
        pa.field("record_line", pa.int64(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("raw", pa.string()),
    ]
)


@dataclass(frozen=True)
class Manifest:
    source: str
    connector: str
    day: str
    files: tuple[str, ...]
    rows_read: int
    rows_quarantined: int
    streams: dict[str, int] = field(default_factory=dict)
    cursor: dict[str, Any] | None = None
    extracted_at: str = ""
    # Records of erased people (civicpulse.erasure) read but not landed.
    rows_erased: int = 0
    # Records read that belong to days outside the extracted interval (loaded when those days run).
    rows_outside_interval: int = 0
    # Export fields no landing column takes (civicpulse.unused_fields), on the interval's first day only:
    # None on the other days, so a rerun of one later day leaves the first day's report alone.
    unused_fields: list[dict[str, Any]] | None = None

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        data["files"] = tuple(data["files"])
        return cls(**data)


def day_folder(landing: Path, source: str, day: dt.date) -> Path:
    return landing / source / f"day={day.isoformat()}"


def write_day(
    landing: Path,
    manifest: Manifest,
    records: Mapping[str, Sequence[Record]],
    problems: Sequence[RowProblem],
) -> Path:
    """Write one source x day atomically: a reader sees the old folder or the complete new one."""
    final = day_folder(landing, manifest.source, dt.date.fromisoformat(manifest.day))
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".{final.name}.tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        for stream_name, stream_records in records.items():
            _write_stream(staging / f"{stream_name}.parquet", stream_name, stream_records)
        _write_table(staging / f"{QUARANTINE}.parquet", _quarantine_table(problems))
        (staging / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2, default=str), encoding="utf-8")
        crash_point("landing.before_rename")
        _replace_folder(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


_ORPHAN_FOLDER = re.compile(r"\.day=\d{4}-\d{2}-\d{2}\.(?:tmp|old)-[0-9a-f]{32}")


def remove_orphan_folders(landing: Path, source: str) -> list[Path]:
    """Delete the temp and retired day folders a killed extract of `source` left behind. Only that
    source's own extract writes them, and one extract per source runs at a time, so none is in use."""
    folder = landing / source
    found = [p for p in folder.iterdir() if _ORPHAN_FOLDER.fullmatch(p.name)] if folder.is_dir() else []
    for path in found:
        shutil.rmtree(path, ignore_errors=True)
    return found


def _write_stream(path: Path, stream_name: str, records: Iterable[Record]) -> None:
    stream = get_stream(stream_name)
    rows = records if isinstance(records, Sequence) else list(records)
    columns: dict[str, list[Any]] = {
        name: [record.values.get(name) for record in rows] for name in stream.column_names
    }
    columns["record_file"] = [record.file for record in rows]
    columns["record_line"] = [record.line for record in rows]
    _write_table(path, pa.table(columns, schema=stream.arrow_schema()))


def _quarantine_table(problems: Sequence[RowProblem]) -> pa.Table:
    if not problems:
        return QUARANTINE_SCHEMA.empty_table()
    # Imported only now: compiling the redaction patterns costs an extract process ~0.15 CPU-s, and
    # most extracts have no bad row.
    from transforms.privacy import redact

    return pa.table(
        {
            "record_file": [p.file for p in problems],
            "record_line": [p.line for p in problems],
            "reason": [p.reason for p in problems],
            # The raw record is kept for the fix, never its PII: redacted before it is written anywhere.
            "raw": [None if p.raw is None else redact(_shortened(p.raw)) for p in problems],
        },
        schema=QUARANTINE_SCHEMA,
    )


def _shortened(raw: str) -> str:
    """A raw record cut to RAW_LIMIT characters: enough to find and fix the row (a 5 MB field is not)."""
    if len(raw) <= RAW_LIMIT:
        return raw
    return f"{raw[:RAW_LIMIT]}... [{len(raw) - RAW_LIMIT:,} more characters not kept]"


def _write_table(path: Path, table: pa.Table) -> None:
    # No dictionary pages: a day's file holds tens of rows, read once by the load; building the
    # dictionaries was a third of the write's CPU (zstd still takes the repeated values).
    pq.write_table(table, path, compression="zstd", use_dictionary=False)


def _replace_folder(new: Path, final: Path) -> None:
    if final.exists():
        retired = final.parent / f".{final.name}.old-{uuid.uuid4().hex}"
        os.rename(final, retired)
        crash_point("landing.between_renames")
        os.rename(new, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(new, final)


def complete_days(landing: Path, source: str, start: dt.date, end: dt.date) -> list[Path]:
    """Folders of the days in [start, end) whose extract finished (manifest present)."""
    folders = []
    day = start
    while day < end:
        folder = day_folder(landing, source, day)
        if (folder / MANIFEST).is_file():
            folders.append(folder)
        day += dt.timedelta(days=1)
    return folders
