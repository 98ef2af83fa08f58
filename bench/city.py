"""The demo city the benchmark runs on: exports generated once per size, and a fresh project folder
(config copy pointing at those exports, empty var/) for every measured run."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import yaml

from civicpulse.demo import generate
from civicpulse.paths import CONFIG_DIR, DEFAULT_CONFIG

START = dt.date(2026, 5, 1)
SEED = 7


def exports(out: Path, days: int, scale: float, start: dt.date = START) -> Path:
    """The demo city's vendor exports for `days` days from `start`, written once under `out`."""
    generate(out, start=start, days=days, seed=SEED, scale=scale)
    return out


def project(root: Path, exports_dir: Path) -> Path:
    """A fresh project folder: its own civicpulse.yml (inboxes on `exports_dir`, themes from the repo)
    and nothing under var/, so a run starts with an empty warehouse, landing and caches."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    settings: dict[str, Any] = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    settings["themes"] = str(CONFIG_DIR / "themes.yml")
    config = root / "civicpulse.yml"
    _write(config, settings, exports_dir)
    return config


def point(config: Path, exports_dir: Path) -> None:
    """Point a project's inboxes at other exports (the same city with more days), keeping its var/."""
    _write(config, yaml.safe_load(config.read_text(encoding="utf-8")), exports_dir)


def _write(config: Path, settings: dict[str, Any], exports_dir: Path) -> None:
    for source in settings["sources"]:
        source["inbox"] = str(exports_dir / Path(source["inbox"]).name)
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")


def day(offset: int, start: dt.date = START) -> str:
    return (start + dt.timedelta(days=offset)).isoformat()


def ending_yesterday(days: int) -> dt.date:
    """The start of `days` days that end yesterday: the checks refuse records dated in the future."""
    return dt.date.today() - dt.timedelta(days=days)
