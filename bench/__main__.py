"""Side-by-side measurements in one run, printed as ratios (absolute seconds vary by machine; ratios don't).

1. sentiment: all cores vs one process on the same distinct texts;
2. incremental build: a rebuild with warm sentiment/theme caches vs the first (cold) build;
3. rerun: re-running one loaded day vs loading it the first time (idempotent replace, not append);
4. extract memory: peak Python memory extracting a scale-K city vs a scale-1 city, beside the volume ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

from civicpulse.config import Config, load_config
from civicpulse.demo import generate
from civicpulse.extract import extract_source
from civicpulse.paths import CONFIG_DIR, DEFAULT_CONFIG
from civicpulse.pipeline import build, load
from civicpulse.warehouse import ensure_demo_key, writer

T = TypeVar("T")
START = dt.date(2026, 6, 1)


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _city(root: Path, days: int, scale: float) -> Config:
    root.mkdir(parents=True)
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    settings["themes"] = str(CONFIG_DIR / "themes.yml")
    (root / "civicpulse.yml").write_text(yaml.safe_dump(settings, sort_keys=False))
    config = load_config(root / "civicpulse.yml")
    generate(root / "var" / "demo-exports", start=START, days=days, seed=5, scale=scale)
    ensure_demo_key(config)
    return config


def _extract_all(config: Config, end: dt.date) -> int:
    return sum(extract_source(config, s.name, START, end).records for s in config.sources)


def _peak_extract_memory(config: Config, end: dt.date) -> tuple[int, float]:
    tracemalloc.start()
    try:
        records = _extract_all(config, end)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return records, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--scale", type=float, default=5.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    end = START + dt.timedelta(days=args.days)
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="civicpulse-bench-") as tmp:
        small = _city(Path(tmp) / "small", args.days, 1.0)
        large = _city(Path(tmp) / "large", args.days, args.scale)

        _extract_all(small, end)  # warm-up: imports and parser caches are not per-record memory
        small_records, small_peak = _peak_extract_memory(small, end)
        large_records, large_peak = _peak_extract_memory(large, end)
        rows.append(
            (
                f"extract peak memory, scale {args.scale:g} vs 1",
                f"{small_peak:.1f} MiB ({small_records:,} rec)",
                f"{large_peak:.1f} MiB ({large_records:,} rec)",
                f"{large_peak / small_peak:.2f}x memory for {large_records / small_records:.2f}x records",
            )
        )

        _, first_load = _timed(lambda: load(large, START, end))
        one_day = START + dt.timedelta(days=7)
        _, reload_day = _timed(lambda: load(large, one_day, one_day + dt.timedelta(days=1)))
        rows.append(
            (
                "load: all days vs one day again",
                f"{first_load:.2f}s ({args.days} days)",
                f"{reload_day:.2f}s (1 day)",
                f"{first_load / reload_day:.1f}x faster per rerun",
            )
        )

        _, cold = _timed(lambda: build(large))
        _, warm = _timed(lambda: build(large))
        rows.append(
            ("build: cold caches vs warm", f"{cold:.2f}s", f"{warm:.2f}s", f"{cold / warm:.1f}x faster")
        )

        from transforms.sentiment import score_texts

        with writer(large) as con:
            texts = [t for (t,) in con.execute("select distinct text from core.fact_feedback").fetchall()]
        cores = os.cpu_count() or 1
        _, one = _timed(lambda: score_texts(texts, workers=1))
        _, many = _timed(lambda: score_texts(texts, workers=cores))
        rows.append(
            (
                f"sentiment: {cores} workers vs 1 ({len(texts):,} texts)",
                f"{one:.2f}s ({len(texts) / one:,.0f}/s)",
                f"{many:.2f}s ({len(texts) / many:,.0f}/s)",
                f"{one / many:.2f}x speed-up",
            )
        )

    table = [("measure", "baseline", "candidate", "ratio"), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
