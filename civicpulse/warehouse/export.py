"""Export every marts table to Parquet for BI tools."""

from __future__ import annotations

import os

import duckdb

from civicpulse.config import Config
from civicpulse.crashpoints import crash_point
from civicpulse.warehouse.connection import export_path, temp_beside


def export_marts(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Write every marts table to its export file (temp file, then rename).

    Only marts: they hold no raw record, handle or caller number (a temp file a killed run leaves is
    removed by the next writer session, see connection.remove_orphans)."""
    config.exports_path.mkdir(parents=True, exist_ok=True)
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    for (table,) in tables:
        final = export_path(config, str(table))
        temp = temp_beside(final)
        literal = str(temp).replace("'", "''")
        con.execute(f"copy (select * from marts.{table}) to '{literal}' (format parquet, compression zstd)")
        crash_point("export.mid_write")
        os.replace(temp, final)
