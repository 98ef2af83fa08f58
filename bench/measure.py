"""One child process, timed: CPU seconds and peak RSS from its rusage (os.wait4), wall from perf_counter."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class BenchError(RuntimeError):
    """A measured command failed; the message names it and ends with its last output lines."""


@dataclass(frozen=True)
class Timing:
    cpu_s: float
    wall_s: float
    peak_rss_mib: float


def run_timed(
    command: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Timing:
    """Run `command` to completion. CPU is user+system of the child and every descendant it waited for
    (sentiment workers included); peak RSS is the largest resident set among them, not their sum."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env) if env is not None else None, stdout=output, stderr=output
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            tail = output.read().decode("utf-8", "replace").strip().splitlines()[-15:]
            raise BenchError(f"`{' '.join(command)}` exited with {process.returncode}:\n" + "\n".join(tail))
    return Timing(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


@dataclass(frozen=True)
class Summary:
    """Min and median over repetitions; peak RSS is the largest seen."""

    cpu_min: float
    cpu_median: float
    wall_min: float
    wall_median: float
    peak_rss_mib: float
    repeats: int

    @classmethod
    def of(cls, timings: Sequence[Timing]) -> Summary:
        cpu = [t.cpu_s for t in timings]
        wall = [t.wall_s for t in timings]
        return cls(
            min(cpu),
            statistics.median(cpu),
            min(wall),
            statistics.median(wall),
            max(t.peak_rss_mib for t in timings),
            len(timings),
        )


def best_wall(command: Sequence[str], times: int, **kwargs: object) -> float:
    """The fastest wall time of `times` runs (start-up measurements: the minimum is the signal)."""
    return min(run_timed(command, **kwargs).wall_s for _ in range(times))  # type: ignore[arg-type]


def code_roots_parser(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """The arguments of a tool that times one phase of a built warehouse under several code roots."""
    parser = argparse.ArgumentParser(prog=prog, description=(doc or "").splitlines()[0])
    parser.add_argument("warehouse", type=Path, help="a built warehouse (var/warehouse/<name>.duckdb)")
    parser.add_argument("roots", type=Path, nargs="*", help="code roots to compare (default: this checkout)")
    parser.add_argument("--repeat", type=int, default=3)
    return parser


def warehouse_missing(warehouse: Path) -> bool:
    """True, with the fix printed, when `warehouse` is not a file."""
    if warehouse.is_file():
        return False
    print(f"{warehouse}: no such warehouse file; run `civicpulse run` first", file=sys.stderr)
    return True
