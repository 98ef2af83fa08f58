"""File-mode extract with the file manifest (civicpulse/manifest.py): a rerun reads only new or changed
inbox files and the days they need, and lands exactly what reading every file would land."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from civicpulse.config import Config, load_config
from civicpulse.demo import generate
from civicpulse.extract import extract_source
from civicpulse.landing import MANIFEST, day_folder
from civicpulse.manifest import FILE_MANIFEST, FileEntry, FileManifest, LandedDay
from tests.conftest import write_project_config

START = dt.date(2026, 6, 1)
DAYS = 14
END = START + dt.timedelta(days=DAYS)
SOURCE = "touchpoints"  # daily and weekly exports: a file covers one day or seven


def _project(tmp_path: Path) -> Config:
    config = load_config(write_project_config(tmp_path))
    generate(tmp_path / "var" / "demo-exports", start=START, days=DAYS, seed=5, scale=0.5)
    return config


def _inbox(config: Config) -> list[Path]:
    return sorted(p for p in config.inbox(config.source(SOURCE)).rglob("*.csv"))


def _manifest(config: Config) -> FileManifest:
    return FileManifest.load(config.landing_path, SOURCE, config.inbox(config.source(SOURCE)))


def _landing(config: Config) -> dict[str, object]:
    """Every landed day's records, quarantined rows and counts per stream."""
    landed: dict[str, object] = {}
    day = START
    while day < END:
        folder = day_folder(config.landing_path, SOURCE, day)
        tables = {
            path.stem: sorted(map(str, pq.read_table(path).to_pylist())) for path in folder.glob("*.parquet")
        }
        # Not its `files`: the first day an extract writes also lists every file it read (the loader
        # replaces those files' unused fields), whichever day that is.
        manifest = json.loads((folder / MANIFEST).read_text())
        landed[day.isoformat()] = (tables, manifest["streams"])
        day += dt.timedelta(days=1)
    return landed


def _full_read(config: Config, tmp_path: Path) -> dict[str, object]:
    """What an extract reading every inbox file lands, in a copy of the project without landing."""
    other = tmp_path / "full"
    shutil.rmtree(other, ignore_errors=True)
    settings = yaml.safe_load(config.path.read_text())
    for source in settings["sources"]:
        source["inbox"] = str(config.inbox(config.source(source["name"])))
    other.mkdir()
    (other / "civicpulse.yml").write_text(yaml.safe_dump(settings, sort_keys=False))
    full = load_config(other / "civicpulse.yml")
    extract_source(full, SOURCE, START, END)
    return _landing(full)


def _extracted_at(config: Config, day: dt.date) -> str:
    data = json.loads((day_folder(config.landing_path, SOURCE, day) / MANIFEST).read_text())
    return str(data["extracted_at"])


def test_a_rerun_reads_no_unchanged_file_and_keeps_the_landing(tmp_path: Path) -> None:
    config = _project(tmp_path)
    first = extract_source(config, SOURCE, START, END)
    files = _inbox(config)
    assert first.files == len(files) and first.files_skipped == 0 and first.days == DAYS
    stamps = {day: _extracted_at(config, day) for day in (START, END - dt.timedelta(days=1))}

    again = extract_source(config, SOURCE, START, END)
    assert (again.files, again.files_skipped, again.days, again.days_current) == (0, len(files), 0, DAYS)
    assert f"{len(files)} file(s) unchanged, skipped" in str(again)
    assert {day: _extracted_at(config, day) for day in stamps} == stamps
    assert _landing(config) == _full_read(config, tmp_path)

    # A copy that keeps the content but not the modified time is hashed, found unchanged, not parsed.
    touched = files[0]
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    after_touch = extract_source(config, SOURCE, START, END)
    assert (after_touch.files, after_touch.days) == (0, 0)
    entry = _manifest(config).files[str(touched)]
    assert entry.mtime_ns == touched.stat().st_mtime_ns


def test_a_changed_file_relands_its_days_and_a_removed_file_leaves_them(tmp_path: Path) -> None:
    config = _project(tmp_path)
    extract_source(config, SOURCE, START, END)
    manifest = _manifest(config)
    weekly = max(manifest.files.values(), key=lambda entry: len(entry.days))
    assert len(weekly.days) > 1, "the demo city has a multi-day export"
    path = Path(weekly.path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # the vendor re-sent it without its last row

    changed = extract_source(config, SOURCE, START, END)
    covering = {e.path for e in manifest.files.values() if set(e.covers) & set(weekly.covers)}
    assert changed.files == len(covering), "the changed file and the others covering its days"
    assert changed.days == len(weekly.covers)
    assert changed.files_skipped == len(_inbox(config)) - len(covering)
    assert _landing(config) == _full_read(config, tmp_path)

    daily = min(manifest.files.values(), key=lambda entry: (len(entry.days), entry.path))
    Path(daily.path).unlink()
    removed = extract_source(config, SOURCE, START, END)
    assert removed.days == len(daily.covers)
    assert daily.path not in _manifest(config).files
    assert _landing(config) == _full_read(config, tmp_path)


def test_a_missing_landing_day_is_read_again_and_a_new_file_is_read(tmp_path: Path) -> None:
    config = _project(tmp_path)
    extract_source(config, SOURCE, START, END)
    lost = START + dt.timedelta(days=3)
    shutil.rmtree(day_folder(config.landing_path, SOURCE, lost))
    again = extract_source(config, SOURCE, START, END)
    assert again.days == 1 and again.files >= 1
    assert _landing(config) == _full_read(config, tmp_path)

    # A new export beside the old ones (the next night's) is the only file read when its days are current.
    newest = max(_inbox(config), key=lambda p: p.name)
    copy = newest.with_name("copy-" + newest.name)
    copy.write_bytes(newest.read_bytes())
    with_copy = extract_source(config, SOURCE, START, END)
    assert str(copy) in _manifest(config).files
    assert with_copy.files_skipped < len(_inbox(config))
    assert _landing(config) == _full_read(config, tmp_path)


def test_changed_parse_settings_read_every_file_again(tmp_path: Path) -> None:
    config = _project(tmp_path)
    extract_source(config, SOURCE, START, END)
    settings = yaml.safe_load(config.path.read_text())
    for source in settings["sources"]:
        if source["name"] == SOURCE:
            source["timezone"] = "Pacific/Auckland"
    config.path.write_text(yaml.safe_dump(settings, sort_keys=False))
    moved = load_config(config.path)
    again = extract_source(moved, SOURCE, START, END)
    assert again.files == len(_inbox(moved)) and again.files_skipped == 0


@pytest.mark.parametrize("content", ["{not json", json.dumps({"layout": 999, "files": [], "landed": {}})])
def test_an_unreadable_or_foreign_manifest_means_every_file_is_read(tmp_path: Path, content: str) -> None:
    config = _project(tmp_path)
    extract_source(config, SOURCE, START, END)
    (config.landing_path / SOURCE / FILE_MANIFEST).write_text(content)
    again = extract_source(config, SOURCE, START, END)
    assert again.files == len(_inbox(config)) and again.days == DAYS
    assert _landing(config) == _full_read(config, tmp_path)


def test_a_saved_manifest_reads_back_equal(tmp_path: Path) -> None:
    manifest = FileManifest()
    for day, anchor in (("2026-06-01", ""), ("2026-06-02", "2026-06-02")):
        path = str(tmp_path / f"export-{day}.csv")
        manifest.files[path] = FileEntry(
            path, 120, 1_750_000_000_000_000_000, "ab" * 32, (day,), anchor, "p" * 16
        )
        manifest.landed[day] = LandedDay(((path, "ab" * 32),), "p" * 16, "cd" * 32)
    manifest.save(tmp_path, SOURCE, tmp_path)
    again = FileManifest.load(tmp_path, SOURCE, tmp_path)
    assert (again.files, again.landed) == (manifest.files, manifest.landed)
    stored = json.loads((tmp_path / SOURCE / FILE_MANIFEST).read_text())
    assert [item["path"] for item in stored["files"]] == ["export-2026-06-01.csv", "export-2026-06-02.csv"]


def test_a_project_copied_elsewhere_reads_no_file_again(tmp_path: Path) -> None:
    (tmp_path / "here").mkdir()
    config = _project(tmp_path / "here")
    extract_source(config, SOURCE, START, END)
    shutil.copytree(tmp_path / "here", tmp_path / ".hidden" / "there")
    copied = load_config(tmp_path / ".hidden" / "there" / "civicpulse.yml")
    again = extract_source(copied, SOURCE, START, END)
    assert (again.files, again.days, again.files_skipped) == (0, 0, len(_inbox(copied)))
    assert _landing(copied) == _landing(config)
