"""Load status per source for data engineers: freshness, partitions, rows, quarantine, reconciliation,
and the export fields no column loads (ops.unused_fields)."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from civicpulse.freshness import source_freshness


def render_status(con: duckdb.DuckDBPyConnection, stale_after_days: Mapping[str, int] | None = None) -> str:
    sources = source_freshness(con, stale_after_days)
    if not sources:
        return "No loads yet: run `civicpulse run --start D --end D` or the Airflow DAG."
    header = (
        f"{'source':<20} {'connector':<20} {'days':>5} {'first':>10} {'last':>10} {'last data':>10} "
        f"{'read':>8} {'loaded':>8} {'dupes':>6} {'conflict':>8} {'quarant.':>8} {'erased':>6} "
        f"{'outside':>7} {'ok':>3}  newest record (UTC)  last load (UTC)"
    )
    lines = [header]
    for s in sources:
        newest = f"{s.newest_record_at:%Y-%m-%d %H:%M}" if s.newest_record_at else "-"
        last_data = s.last_day_with_data.isoformat() if s.last_day_with_data else "never"
        lines.append(
            f"{s.source:<20} {s.connector:<20} {s.partitions:>5} {s.first_day!s:>10} {s.last_day!s:>10} "
            f"{last_data:>10} {s.rows_read:>8,} {s.rows_loaded:>8,} {s.rows_duplicate:>6,} "
            f"{s.rows_conflicting:>8,} {s.rows_quarantined:>8,} {s.rows_erased:>6,} "
            f"{s.rows_outside_interval:>7,} {'yes' if s.is_reconciled else 'NO':>3}  {newest:<19}  "
            f"{s.last_loaded_at:%Y-%m-%d %H:%M}"
        )
    warnings = [w for s in sources if (w := s.warning())]
    lines.extend(f"STALE {w}" for w in warnings)
    lines.extend(unused_field_lines(con))
    return "\n".join(lines)


def unused_field_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per source and unused field, over the files that carry it (ops.unused_fields)."""
    rows = con.execute(
        """
        select source, field, count(*), sum(rows_with_field), max(last_seen_at), any_value(reason)
        from ops.unused_fields
        group by source, field
        order by source, field
        """
    ).fetchall()
    return [
        f"UNUSED {source}: {field} in {files:,} file(s), {count:,} row(s), last seen "
        f"{seen:%Y-%m-%d %H:%M}: not loaded, {reason}"
        for source, field, files, count, seen, reason in rows
    ]
