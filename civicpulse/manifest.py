"""The file manifest of a file-mode source: which inbox files were read, and what each landed day was
landed from, so that a run reads only the files it needs.

<landing>/<source>/_files.json holds, per inbox file, its size, modified time, content hash, the days
its records and dated bad rows cover and the day its undated bad rows were reported on (its anchor day;
none when it has none), under the parser version that read it; and per landed day, the (file, hash)
pairs and parser version it was landed from and the hash of the landing manifest written then. A day
is current when its landing manifest is the one written then (not rewritten since, e.g. by an erasure,
which changes its counts) and the files covering the day now are exactly the ones it was landed from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from civicpulse.landing import MANIFEST, day_folder
from civicpulse.paths import PROJECT_ROOT, SCHEMAS_DIR

FILE_MANIFEST = "_files.json"
# Bumped when the manifest's layout changes: an older or newer layout is ignored (every file is read).
# 2: inbox files are stored relative to the source's inbox, so a copied or moved project keeps them.
LAYOUT = 2
_HASH_CHUNK = 1 << 20
# Code that decides what a file's records are: a change to any of it re-reads every file.
_PARSER_CODE = ("civicpulse/filereaders.py", "civicpulse/sources.py", "civicpulse/streams.py")


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    mtime_ns: int
    sha256: str
    days: tuple[str, ...]
    # The day its undated bad rows were reported on ("" when it has none).
    anchor: str
    parser: str

    @property
    def covers(self) -> frozenset[str]:
        """The days whose landing holds something of this file: its records' and dated bad rows' days
        and its anchor day."""
        return frozenset({*self.days, self.anchor} - {""})


@dataclass(frozen=True)
class LandedDay:
    files: tuple[tuple[str, str], ...]
    parser: str
    # sha256 of the day's landing manifest as the extract wrote it
    landing: str


@dataclass
class FileManifest:
    files: dict[str, FileEntry] = field(default_factory=dict)
    landed: dict[str, LandedDay] = field(default_factory=dict)

    @classmethod
    def load(cls, landing: Path, source: str, inbox: Path) -> FileManifest:
        """The source's manifest, or an empty one (nothing known: every file is read) when there is
        none or it cannot be used. Its files come back as paths under `inbox`."""
        path = landing / source / FILE_MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("layout") != LAYOUT:
                return cls()
            files = {}
            for item in data["files"]:
                file = str(inbox / item["path"])
                files[file] = FileEntry(**{**item, "path": file, "days": tuple(item["days"])})
            landed = {
                day: LandedDay(
                    tuple((str(inbox / p), str(h)) for p, h in item["files"]),
                    item["parser"],
                    item.get("landing", ""),
                )
                for day, item in data["landed"].items()
            }
        except (OSError, ValueError, KeyError, TypeError):
            return cls()
        return cls(files, landed)

    def save(self, landing: Path, source: str, inbox: Path) -> None:
        """Write temp-then-rename, after the landing folders it describes (a crash in between leaves
        the old manifest, whose landing hashes no longer match: those days are read again). Files are
        written relative to `inbox` (`load` takes them back under the inbox it is given)."""
        path = landing / source / FILE_MANIFEST
        path.parent.mkdir(parents=True, exist_ok=True)
        root = str(inbox) + os.sep

        def under_inbox(file: str) -> str:
            return file.removeprefix(root)

        # Plain dicts and no indent: it is rewritten whole every run, and `asdict` (a deep copy) and
        # the indenting encoder (pure Python) grew with history; the layout read back is the same.
        data = {
            "layout": LAYOUT,
            "files": [
                {**vars(entry), "path": under_inbox(entry.path)} for _, entry in sorted(self.files.items())
            ],
            "landed": {
                day: {
                    "files": [(under_inbox(file), sha) for file, sha in item.files],
                    "parser": item.parser,
                    "landing": item.landing,
                }
                for day, item in sorted(self.landed.items())
            },
        }
        temp = path.parent / f".{FILE_MANIFEST}.tmp-{uuid.uuid4().hex}"
        temp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(temp, path)

    def covering(self, day: str) -> tuple[tuple[str, str], ...]:
        """The (file, hash) pairs whose records or reported rows belong to `day`, in path order."""
        return tuple(sorted((e.path, e.sha256) for e in self.files.values() if day in e.covers))

    def is_current(self, landing: Path, source: str, day: dt.date, parser: str) -> bool:
        landed = self.landed.get(day.isoformat())
        if landed is None or landed.parser != parser or landed.files != self.covering(day.isoformat()):
            return False
        return landing_hash(day_folder(landing, source, day)) == landed.landing


def landing_hash(folder: Path) -> str | None:
    """The hash of a landing folder's manifest (None: the folder is incomplete or missing)."""
    try:
        return hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
    except OSError:
        return None


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def parser_version(connector_files: Iterable[Path], context: str) -> str:
    """A hash of the connector's code, the shared parsing code, the landing schemas and the source's
    parse settings (`context`)."""
    digest = hashlib.sha256(context.encode("utf-8"))
    shared = [PROJECT_ROOT / name for name in _PARSER_CODE] + sorted((SCHEMAS_DIR / "landing").glob("*.yml"))
    for path in sorted({*connector_files, *shared}):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
