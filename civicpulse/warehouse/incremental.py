"""Partition-level update of a staging model: only the keys the changed (source, day) partitions touch.

A staging model that deduplicates one raw table by a key declares it in its header:

    -- incremental: raw.contact_call by source, call_id
    -- incremental match: t.source = k.source and t.call_id = k.call_id

(several `match` lines are joined with `and`). `match` says which output rows (`t`) a raw key (`k`)
produces; it must be an equality on the output row's key, so that each output row depends only on the
raw rows of the keys that match it. Then deleting every output row of the touched keys and selecting
the model again over those keys' raw rows gives the table a full build gives. Touched keys: those of
the raw rows in the changed partitions, and those matching an output row a load of a changed partition
wrote (a re-sent day may have lost a record that lives on in an older partition, or in no partition at
all: then its row goes). Erasures, responses, hand edits and model or config changes rebuild in full.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

_HEADER = re.compile(r"^--\s*incremental:\s*(raw\.[a-z_][a-z0-9_]*)\s+by\s+(.+?)\s*$", re.MULTILINE)
_MATCH = re.compile(r"^--\s*incremental match:\s*(.+?)\s*$", re.MULTILINE)
_COLUMN = re.compile(r"^[a-z_][a-z0-9_]*$")

Partition = tuple[str, dt.date]


@dataclass(frozen=True)
class IncrementalKey:
    raw: str
    key: tuple[str, ...]
    match: str


def parse_incremental(sql: str, where: str) -> IncrementalKey | None:
    """The model's `-- incremental` header, or None; `where` names the file in an error."""
    header = _HEADER.search(sql)
    matches = _MATCH.findall(sql)
    if header is None and not matches:
        return None
    if header is None or not matches:
        raise ValueError(
            f"{where}: an incremental model needs both '-- incremental: raw.<table> by <key columns>' and "
            "'-- incremental match: <condition on t (output) and k (raw key)>' in its header"
        )
    key = tuple(column.strip() for column in header.group(2).split(","))
    bad = [column for column in key if not _COLUMN.match(column)]
    if bad:
        raise ValueError(f"{where}: incremental key columns must be plain column names, not {bad}")
    return IncrementalKey(header.group(1), key, " and ".join(f"({m})" for m in matches))


def update_partitions(
    con: duckdb.DuckDBPyConnection, table: str, sql: str, spec: IncrementalKey, changed: Sequence[Partition]
) -> None:
    """Bring `table` (built before from `sql`) up to date with the raw rows of `changed`."""
    key = ", ".join(spec.key)
    in_changed = (
        "exists (select 1 from _cp_changed as c where c.source = r.source and c.day = r.partition_day)"
    )
    con.execute("create or replace temp table _cp_changed (source varchar, day date)")
    con.executemany("insert into _cp_changed values (?, ?)", [[source, day] for source, day in changed])
    con.execute(
        "create or replace temp table _cp_loads as select l.load_id from ops.loads as l "
        "semi join _cp_changed as c on l.source = c.source and l.partition_day = c.day"
    )
    con.execute(
        f"create or replace temp table _cp_keys0 as "
        f"select distinct {key} from {spec.raw} as r where {in_changed}"
    )
    con.execute(
        f"create or replace temp table _cp_gone as select * from {table} as t "
        "where t.load_id in (select load_id from _cp_loads) "
        f"or exists (select 1 from _cp_keys0 as k where {spec.match})"
    )
    con.execute(
        f"create or replace temp table _cp_keys as select {key} from _cp_keys0 union "
        f"select distinct {key} from {spec.raw} as k "
        f"where exists (select 1 from _cp_gone as t where {spec.match})"
    )
    con.execute(
        f"delete from {table} as t where t.load_id in (select load_id from _cp_loads) "
        f"or exists (select 1 from _cp_keys as k where {spec.match})"
    )
    same_key = " and ".join(f"k.{column} is not distinct from r.{column}" for column in spec.key)
    con.execute(
        f"create or replace temp table _cp_rows as select * from {spec.raw} as r "
        f"where exists (select 1 from _cp_keys as k where {same_key})"
    )
    restricted = re.sub(rf"\b{re.escape(spec.raw)}\b", "_cp_rows", sql)
    con.execute(f"insert into {table}\n{restricted}")
    for temp in ("_cp_changed", "_cp_loads", "_cp_keys0", "_cp_gone", "_cp_keys", "_cp_rows"):
        con.execute(f"drop table {temp}")
