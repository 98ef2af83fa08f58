"""Load status per source for data engineers: freshness, partitions, rows, quarantine, reconciliation."""

from __future__ import annotations

import duckdb

_STATUS = """
select
    source,
    any_value(connector) as connector,
    count(*) as partitions,
    min(partition_day) as first_day,
    max(partition_day) as last_day,
    sum(rows_read) as rows_read,
    sum(rows_loaded) as rows_loaded,
    sum(rows_duplicate) as rows_duplicate,
    sum(rows_quarantined) as rows_quarantined,
    sum(coalesce(rows_erased, 0)) as rows_erased,
    bool_and(is_reconciled) as is_reconciled,
    max(loaded_at) as last_loaded_at
from ops.loads
group by source
order by source
"""


def render_status(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(_STATUS).fetchall()
    if not rows:
        return "No loads yet: run `civicpulse run --start D --end D` or the Airflow DAG."
    header = (
        f"{'source':<20} {'connector':<20} {'days':>5} {'first':>10} {'last':>10} "
        f"{'read':>8} {'loaded':>8} {'dupes':>6} {'quarant.':>8} {'erased':>6} {'ok':>3}  last load (UTC)"
    )
    lines = [header]
    for source, connector, days, first, last, read, loaded, dupes, quarantined, erased, ok, loaded_at in rows:
        lines.append(
            f"{source:<20} {connector:<20} {days:>5} {first!s:>10} {last!s:>10} "
            f"{read:>8,} {loaded:>8,} {dupes:>6,} {quarantined:>8,} {erased:>6,} {'yes' if ok else 'NO':>3}  "
            f"{loaded_at:%Y-%m-%d %H:%M}"
        )
    return "\n".join(lines)
