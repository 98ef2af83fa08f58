"""What the nightly DAG's final `check` task reports about the range it processed: rows and quarantine
in the range, and the sources stale on its last day (relative to the run, never the wall clock, so an
old range checks the same any day). Read from the published copy; the note is one line for the run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from civicpulse.config import Config
from civicpulse.freshness import range_totals, source_freshness
from civicpulse.warehouse.connection import reader


@dataclass(frozen=True)
class RunCheck:
    start: dt.date
    end: dt.date
    rows_loaded: int
    rows_quarantined: int
    stale: tuple[str, ...]

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def note(self) -> str:
        """The run's note, e.g. `processed 2026-06-01..2026-06-28: 5,471 rows, 0 quarantined, stale: none`."""
        stale = ", ".join(line.split(" ", 1)[0] for line in self.stale) or "none"
        return (
            f"processed {self.start}..{self.last_day}: {self.rows_loaded:,} rows, "
            f"{self.rows_quarantined:,} quarantined, stale: {stale}"
        )

    def failure(self) -> str | None:
        """One line for a failed check naming every stale source, else None."""
        if not self.stale:
            return None
        return (
            f"civicpulse: stale source(s) on {self.last_day}: {'; '.join(self.stale)}. "
            "Check their exports or API access, or raise stale_after_days for the source in civicpulse.yml"
        )


def check_range(
    config: Config, start: dt.date, end: dt.date, con: duckdb.DuckDBPyConnection | None = None
) -> RunCheck:
    """Totals of [start, end) and every configured source stale on the range's last day, judged on
    the loads up to that day (a source never loaded up to then counts as stale)."""
    if con is None:
        with reader(config) as published:
            return check_range(config, start, end, published)
    last_day = end - dt.timedelta(days=1)
    freshness = {f.source: f for f in source_freshness(con, config.stale_after_days(), until=last_day)}
    stale = []
    for source in config.sources:
        found = freshness.get(source.name)
        if found is None:
            stale.append(f"{source.name} (never loaded)")
        elif line := found.stale_until(last_day):
            stale.append(line)
    loaded, quarantined = range_totals(con, start, end)
    return RunCheck(start, end, loaded, quarantined, tuple(stale))
