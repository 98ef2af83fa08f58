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

A model whose output rows belong to periods (marts.anomaly_tests, emerging_terms, service_theme_trend,
core.feedback_periods) declares instead which column dates each of its inputs and how far past its start
a period reads (`-- incremental periods: <column> reach <n> days`, one `-- incremental input: <table> by
<day column>` per dated input). An input without a day column of its own is dated by another table's,
joined on a key: `-- incremental input: core.fact_feedback_theme by occurred_on of core.fact_feedback on
feedback_id` (the model must read it only joined to that table on that key: a row without a match is
left out). Its inputs are digested per day before the build and again when its turn comes; the periods
from the earliest changed day - n on are deleted and selected again with `periods_from()` set to the
first of them, the older rows stay. Looking back (a baseline, the previous period) needs no declaration,
as every later period is recomputed too; the model's SQL reads the inputs those periods need. A change
in an undated input, or of a row without a day, rebuilds it in full. So does a change in the result of a
query the model declares it depends on as a whole (`-- incremental whole: <query>`, continued on lines
that start with `--` and four spaces), such as the latest week behind marts.emerging_terms'
is_latest_week.
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


def _declared(header: re.Match[str] | None, lines: Sequence[object], where: str, needs: str) -> bool:
    """Whether a model declares a header and its lines; one without the other names the file and what
    it needs."""
    if header is None and not lines:
        return False
    if header is None or not lines:
        raise ValueError(f"{where}: {needs}")
    return True


def parse_incremental(sql: str, where: str) -> IncrementalKey | None:
    """The model's `-- incremental` header, or None; `where` names the file in an error."""
    header = _HEADER.search(sql)
    matches = _MATCH.findall(sql)
    needs = (
        "an incremental model needs both '-- incremental: raw.<table> by <key columns>' and "
        "'-- incremental match: <condition on t (output) and k (raw key)>' in its header"
    )
    if not _declared(header, matches, where, needs) or header is None:
        return None
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
        f"create or replace temp table _cp_gone as select t.rowid as _cp_row, t.* from {table} as t "
        "where t.load_id in (select load_id from _cp_loads) "
        f"or exists (select 1 from _cp_keys0 as k where {spec.match})"
    )
    con.execute(
        f"create or replace temp table _cp_keys as select {key} from _cp_keys0 union "
        f"select distinct {key} from {spec.raw} as k "
        f"where exists (select 1 from _cp_gone as t where {spec.match})"
    )
    # The gone rows by row id (their condition is not evaluated again), and the rows of the keys that
    # only the gone rows brought in.
    con.execute(
        f"create or replace temp table _cp_more as "
        f"select {key} from _cp_keys except select {key} from _cp_keys0"
    )
    con.execute(
        f"delete from {table} as t where t.rowid in (select _cp_row from _cp_gone) "
        f"or exists (select 1 from _cp_more as k where {spec.match})"
    )
    same_key = " and ".join(f"k.{column} is not distinct from r.{column}" for column in spec.key)
    con.execute(
        f"create or replace temp table _cp_rows as select * from {spec.raw} as r "
        f"where exists (select 1 from _cp_keys as k where {same_key})"
    )
    restricted = re.sub(rf"\b{re.escape(spec.raw)}\b", "_cp_rows", sql)
    con.execute(f"insert into {table}\n{restricted}")
    for temp in ("_cp_changed", "_cp_loads", "_cp_keys0", "_cp_gone", "_cp_keys", "_cp_more", "_cp_rows"):
        con.execute(f"drop table {temp}")


_PERIODS = re.compile(
    r"^--\s*incremental periods:\s*([a-z_][a-z0-9_]*)\s+reach\s+(\d+)\s+days\s*$", re.MULTILINE
)
_DATED = re.compile(
    r"^--\s*incremental input:\s*((?:staging|core|marts|ops)\.[a-z_][a-z0-9_]*)\s+by\s+([a-z_][a-z0-9_]*)"
    r"(?:\s+of\s+((?:staging|core|marts)\.[a-z_][a-z0-9_]*)\s+on\s+([a-z_][a-z0-9_]*))?\s*$",
    re.MULTILINE,
)
_WHOLE = re.compile(r"^--\s*incremental whole:\s*(.+(?:\n-- {4,}.+)*)$", re.MULTILINE)
# The model's SQL reads it: null in a full build, else the first period to recompute.
PERIODS_FROM = "cp_periods_from"


@dataclass(frozen=True)
class DatedInput:
    """An input whose rows are dated by its column `day`, or by `day` of the rows of `via` with the same
    `key` (an input keyed by feedback_id dated by core.fact_feedback.occurred_on): the model reads such
    an input only joined to `via` on `key`, so its rows without a match (a cache's texts of records a
    re-sent day lost) change nothing and are not digested."""

    table: str
    day: str
    via: str | None = None
    key: str | None = None

    def digest_sql(self) -> str:
        """(input, day, row count, sum of row hashes) per day of this input's rows."""
        dates = f"inner join {self.via} as d on t.{self.key} = d.{self.key} " if self.via else ""
        day = f"{'d' if self.via else 't'}.{self.day}"
        return (
            f"select '{self.table}' as input, cast({day} as date) as day, count(*) as n, "
            f"sum(hash(t)::hugeint) as digest from {self.table} as t {dates}group by all"
        )


@dataclass(frozen=True)
class IncrementalPeriods:
    """An output row whose `column` is day P depends only on its inputs' rows dated up to P + `reach`
    (by each dated input's day) and on the whole of its other inputs."""

    column: str
    reach: int
    dated: tuple[DatedInput, ...]
    # queries whose whole result the model depends on: a change rebuilds it in full
    whole: tuple[str, ...] = ()


def parse_periods(sql: str, where: str) -> IncrementalPeriods | None:
    """The model's `-- incremental periods` header, or None; `where` names the file in an error."""
    header = _PERIODS.search(sql)
    dated = tuple(
        DatedInput(table, day, via or None, key or None) for table, day, via, key in _DATED.findall(sql)
    )
    needs = (
        "a model incremental by period needs '-- incremental periods: <column> reach <n> days' "
        "and one '-- incremental input: <schema>.<table> by <day column> [of <schema>.<table> on <key>]' "
        "line per dated input"
    )
    if not _declared(header, dated, where, needs) or header is None:
        return None
    whole = tuple(
        " ".join(line.removeprefix("--").strip() for line in query.splitlines())
        for query in _WHOLE.findall(sql)
    )
    return IncrementalPeriods(header.group(1), int(header.group(2)), dated, whole)


def digest_inputs(
    con: duckdb.DuckDBPyConnection, into: str, spec: IncrementalPeriods, reads: Sequence[str]
) -> None:
    """A temp table `into` of (input, day, row count, sum of row hashes): one row per day of each dated
    input, one row (day null) per other input and per query the model depends on as a whole."""
    dated = {entry.table: entry for entry in spec.dated}
    undated = [(table, table) for table in sorted(reads) if table not in dated]
    undated += [(f"whole {i}", f"({query})") for i, query in enumerate(spec.whole)]
    parts = [dated[table].digest_sql() for table in sorted(reads) if table in dated] + [
        f"select '{name}' as input, cast(null as date) as day, count(*) as n, "
        f"sum(hash(t)::hugeint) as digest from {relation} as t"
        for name, relation in undated
    ]
    con.execute(f"create or replace temp table {into} as " + " union all ".join(parts))


def first_changed_period(con: duckdb.DuckDBPyConnection, before: str, after: str, reach: int) -> str:
    """'none' when no input changed, 'all' when an undated input (or a row without a day) did, else
    the ISO day of the first period to recompute: the earliest changed input day - `reach`."""
    row = con.execute(
        f"select count(*), count(*) filter (where coalesce(a.day, b.day) is null), "
        f"min(coalesce(a.day, b.day)) from {before} as b full join {after} as a "
        "on a.input = b.input and a.day is not distinct from b.day "
        "where a.n is distinct from b.n or a.digest is distinct from b.digest"
    ).fetchone()
    assert row is not None
    changed, undated, first = row
    if not changed:
        return "none"
    if undated:
        return "all"
    earliest: dt.date = first
    return (earliest - dt.timedelta(days=reach)).isoformat()


def update_periods(
    con: duckdb.DuckDBPyConnection, table: str, sql: str, spec: IncrementalPeriods, first: str
) -> None:
    """Replace the rows of `table` from period `first` on by those `sql` gives, with the variable
    PERIODS_FROM set so that the model computes those periods only."""
    con.execute(f"delete from {table} where {spec.column} >= cast(? as date)", [first])
    con.execute(f"set variable {PERIODS_FROM} = cast(? as date)", [first])
    try:
        con.execute(
            f"insert into {table} select * from ({sql}) where {spec.column} >= cast(? as date)", [first]
        )
    finally:
        con.execute(f"reset variable {PERIODS_FROM}")
