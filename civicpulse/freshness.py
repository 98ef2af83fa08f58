"""Freshness per source from the data as it stands: partitions, the newest record, the last day with data.

Reruns replace partitions, so every figure is taken from each (source, day)'s latest load, never summed
over load history. A source whose last day with data lies `stale_after_days` (per source, config) or more
before the last day loaded is stale: a warning in `status` and the report, a failed check in Airflow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

DEFAULT_STALE_AFTER_DAYS = 2

# Each (source, day)'s latest load up to a day (the first parameter): the figures of both queries below.
_CURRENT_LOADS = """
with current_loads as (
    select *
    from ops.loads
    where partition_day <= ?
    qualify row_number() over (
        partition by source, partition_day order by loaded_at desc, load_id desc
    ) = 1
)
"""

_FRESHNESS = (
    _CURRENT_LOADS
    + """
select
    source,
    any_value(connector) as connector,
    count(*) as partitions,
    min(partition_day) as first_day,
    max(partition_day) as last_day,
    max(partition_day) filter (where rows_loaded > 0) as last_day_with_data,
    max(newest_record_at) as newest_record_at,
    sum(rows_read) as rows_read,
    sum(rows_loaded) as rows_loaded,
    sum(rows_duplicate) as rows_duplicate,
    sum(rows_quarantined) as rows_quarantined,
    sum(coalesce(rows_erased, 0)) as rows_erased,
    sum(coalesce(rows_outside_interval, 0)) as rows_outside_interval,
    sum(coalesce(rows_conflicting, 0)) as rows_conflicting,
    bool_and(is_reconciled) as is_reconciled,
    max(loaded_at) as last_loaded_at,
    arg_max(files, loaded_at) as last_files,
    max(extracted_at) as last_extracted_at
from current_loads
group by source
order by source
"""
)

_RANGE_TOTALS = (
    _CURRENT_LOADS
    + """
select
    coalesce(sum(rows_loaded), 0) as rows_loaded,
    coalesce(sum(rows_quarantined), 0) as rows_quarantined
from current_loads
where partition_day >= ? and partition_day < ?
"""
)


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    connector: str
    partitions: int
    first_day: dt.date
    last_day: dt.date
    last_day_with_data: dt.date | None
    newest_record_at: dt.datetime | None
    rows_read: int
    rows_loaded: int
    rows_duplicate: int
    rows_quarantined: int
    rows_erased: int
    rows_outside_interval: int
    rows_conflicting: int
    is_reconciled: bool
    last_loaded_at: dt.datetime
    last_file: str | None
    last_extracted_at: dt.datetime | None
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS

    @property
    def days_without_data(self) -> int:
        """Days loaded after the last one that held any record (all of them when none did)."""
        if self.last_day_with_data is None:
            return (self.last_day - self.first_day).days + 1
        return (self.last_day - self.last_day_with_data).days

    @property
    def is_stale(self) -> bool:
        return self.days_without_data >= self.stale_after_days

    def days_without_data_until(self, last_day: dt.date) -> int:
        """Days from the last one with any record to `last_day` (a run's last day), whatever today is."""
        since = self.last_day_with_data or self.first_day - dt.timedelta(days=1)
        return max(0, (last_day - since).days)

    def stale_until(self, last_day: dt.date) -> str | None:
        """The Airflow check's rule: stale when the run's last day lies `stale_after_days` or more
        after the last day with data. One line naming the newest record and the threshold, else None."""
        days = self.days_without_data_until(last_day)
        if days < self.stale_after_days:
            return None
        newest = f"{self.newest_record_at:%Y-%m-%d %H:%M} UTC" if self.newest_record_at else "none"
        last = self.last_day_with_data.isoformat() if self.last_day_with_data else "never"
        return (
            f"{self.source} (newest record {newest}, last day with data {last}: {days} day(s) without "
            f"data up to {last_day.isoformat()}, threshold stale_after_days {self.stale_after_days})"
        )

    def warning(self) -> str | None:
        if not self.is_stale:
            return None
        since = (
            f"since {self.last_day_with_data.isoformat()}"
            if self.last_day_with_data
            else f"in any of its {self.partitions} day(s)"
        )
        return (
            f"{self.source}: no new data {since} ({self.days_without_data} day(s) loaded empty up to "
            f"{self.last_day.isoformat()}, threshold {self.stale_after_days}); "
            "check its exports or API access"
        )


def source_freshness(
    con: duckdb.DuckDBPyConnection,
    stale_after_days: Mapping[str, int] | None = None,
    until: dt.date | None = None,
) -> list[SourceFreshness]:
    """Freshness per source; with `until`, as of that day (later partitions ignored), so a check of
    an old range does not depend on what was loaded after it."""
    thresholds = stale_after_days or {}
    result = []
    cursor = con.execute(_FRESHNESS, [until or dt.date.max])
    names = [d[0] for d in cursor.description or ()]
    for row in cursor.fetchall():
        values: dict[str, Any] = dict(zip(names, row, strict=True))
        files = values.pop("last_files")
        values["last_file"] = str(files[-1]).rsplit("/", 1)[-1] if files else None
        values["stale_after_days"] = thresholds.get(values["source"], DEFAULT_STALE_AFTER_DAYS)
        result.append(SourceFreshness(**values))
    return result


def range_totals(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> tuple[int, int]:
    """Rows loaded and quarantined in [start, end), from each (source, day)'s latest load."""
    row = con.execute(_RANGE_TOTALS, [end, start, end]).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def stale_warnings(
    con: duckdb.DuckDBPyConnection, stale_after_days: Mapping[str, int] | None = None
) -> list[str]:
    return [w for f in source_freshness(con, stale_after_days) if (w := f.warning())]
