"""One new day after N days of history: `civicpulse run` for day N+1 on a project holding days 1..N,
against the full N-day run that built it (CPU seconds; wall beside it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import city
from bench.measure import Timing

Run = Callable[[Path, str, str], Timing]


@dataclass(frozen=True)
class IncrementalShare:
    history_days: int
    scale: float
    full: Timing
    one_day: Timing

    @property
    def cpu_share(self) -> float:
        return self.one_day.cpu_s / self.full.cpu_s

    @property
    def wall_share(self) -> float:
        return self.one_day.wall_s / self.full.wall_s


def incremental_share(work: Path, history_days: int, scale: float, run: Run) -> IncrementalShare:
    """`run(config, start, end)` runs civicpulse; exports hold N+1 days ending yesterday, the full run
    reads the first N."""
    start = city.ending_yesterday(history_days + 1)
    exports = city.exports(work / f"exports-{history_days + 1}d-{scale:g}", history_days + 1, scale, start)
    config = city.project(work / f"incremental-{history_days}d", exports)
    full = run(config, city.day(0, start), city.day(history_days, start))
    return next_day(work, config, full, history_days, scale, run, start)


def next_day(
    work: Path,
    config: Path,
    full: Timing,
    history_days: int,
    scale: float,
    run: Run,
    start: dt.date = city.START,
) -> IncrementalShare:
    """Day N+1 on a project a timed N-day run (`full`) built; its inboxes move to exports with N+1 days,
    as a new night's exports arrive beside the old ones."""
    exports = work / f"exports-{history_days + 1}d-{scale:g}"
    if not exports.exists():
        city.exports(exports, history_days + 1, scale, start)
    city.point(config, exports)
    one_day = run(config, city.day(history_days, start), city.day(history_days + 1, start))
    return IncrementalShare(history_days, scale, full, one_day)
