"""Erasure: remove one person's records from every layer and from landing (`civicpulse forget`).

A person is named by the id the source system knows them by (an author id or handle, a caller
number, a survey respondent id). `forget` finds their records in raw by that id, and removes:

* raw rows of the source whose person columns hold the id;
* staging, core and marts rows keyed by the person's pseudonym (author_key, caller_key,
  respondent_key) or by the feedback ids of their records, then rebuilds staging, core and marts
  from raw so every aggregate is recomputed without them;
* ops rows about their feedback (keyed by feedback_id) and cache rows of texts only they wrote
  (keyed by text_hash); quarantined rows of the source whose redacted raw record still holds the id;
* the rows in every landing Parquet file of the source (manifest counts adjusted so later loads
  still reconcile), rewritten temp-then-rename;

then compacts the warehouse file (so deleted rows do not linger in free blocks), records the erasure
in `ops.erasures` (the person's keyed pseudonym (HMAC) and counts only, never the id itself) and goes
through the warehouse lifecycle like a nightly build (`warehouse.lifecycle.rebuild_and_publish`:
models, the quality gate, marts exports, the published copy). Should the rebuilt warehouse fail the
gate, the erasure stays applied and the published copy and exports, which still hold the person, are
withdrawn until a build passes (see the lifecycle's docstring).

The erasure sticks: `ops.erased_keys` keeps the pseudonyms of every id of the person (the id as
given, with and without '@', and the other person columns of their records, e.g. the author id
when the handle was given). The vendor exports in the inbox are re-read every night, so

* the extract (`ErasedPeople`, from the state copy `publish` writes beside the published one) lands
  none of their records and no quarantined record holding one of their ids, counting them as
  `rows_erased` in the manifest;
* the loader leaves out the same records still in landing files written before the erasure
  (`ops.loads.rows_erased`), so raw never holds them again;
* the staging models exclude any record whose pseudonym is erased (a last guard).

Deleting the person in the source system too is still the right thing to do.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from civicpulse.config import Config
from civicpulse.crashpoints import crash_point
from civicpulse.landing import MANIFEST, QUARANTINE
from civicpulse.pseudonym_key import pseudonym_key
from civicpulse.sources import Record, load_connector
from transforms.pseudonym import pseudonymize

log = logging.getLogger(__name__)

# The columns of each landing stream that identify a person, and the pseudonym columns downstream.
PERSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "social_post": ("author_id", "author_handle"),
    "contact_call": ("caller_id",),
    "survey_response": ("respondent_id",),
}
KEY_COLUMNS = ("author_key", "caller_key", "respondent_key")
DERIVED_SCHEMAS = ("staging", "core", "marts")
MANIFESTS = (MANIFEST, "_manifest.rejected.json")
# A quarantined raw record (a CSV line, a JSON object or a Python repr) split into its values.
TOKEN_SEPARATORS = r"[\s,;:\"'{}()\[\]=]+"


class ErasureError(ValueError):
    pass


@dataclass
class ErasureSummary:
    erasure_id: str
    source: str
    author_key: str
    rows_removed: dict[str, int] = field(default_factory=dict)
    landing_rows_removed: int = 0
    landing_files_rewritten: int = 0

    def __str__(self) -> str:
        total = sum(self.rows_removed.values())
        return (
            f"erasure {self.erasure_id}: {total} warehouse row(s) in {len(self.rows_removed)} table(s), "
            f"{self.landing_rows_removed} landing row(s) in {self.landing_files_rewritten} file(s) removed "
            f"for pseudonym {self.author_key} of {self.source}"
        )


def identities(author: str) -> list[str]:
    """The id as given and, for handles, with and without the leading '@'."""
    author = author.strip()
    if not author:
        raise ErasureError("--author is empty")
    variants = [author]
    if author.startswith("@"):
        variants.append(author[1:])
    else:
        variants.append(f"@{author}")
    return variants


def person_streams(config: Config, source_name: str) -> list[str]:
    source = config.source(source_name)
    streams = [s for s in load_connector(source.connector).STREAMS if s in PERSON_COLUMNS]
    if not streams:
        raise ErasureError(f"source '{source_name}' ({source.connector}) holds no records about a person")
    return streams


def forget(config: Config, source_name: str, author: str) -> ErasureSummary:
    """Erase one person of one source everywhere; see the module docstring."""
    from civicpulse.warehouse.connection import compact, exists, writer
    from civicpulse.warehouse.lifecycle import rebuild_and_publish

    streams = person_streams(config, source_name)
    ids = identities(author)
    key = pseudonym_key(config)
    summary = ErasureSummary(
        uuid.uuid4().hex[:16], source_name, pseudonymize(key, author.strip(), source_name)
    )
    id_keys = {pseudonymize(key, i, source_name) for i in ids}
    landing_rows, landing_files = erase_landing(config, source_name, streams, [*ids, *sorted(id_keys)])
    summary.landing_rows_removed, summary.landing_files_rewritten = landing_rows, landing_files
    existed = exists(config)
    with writer(config) as con:  # removes orphan temp copies first
        if existed:
            summary.rows_removed = _erase_warehouse(
                con, source_name, streams, ids, id_keys, summary.erasure_id
            )
        else:
            _record_keys(con, source_name, id_keys, summary.erasure_id)
        con.execute("checkpoint")
    crash_point("forget.before_compaction")
    if existed:
        compact(config)
    crash_point("forget.after_compaction")
    with writer(config) as con:
        # Logged before the rebuild: the erasure is applied whether or not the rebuild passes the gate.
        con.execute(
            "insert into ops.erasures values (?, ?, ?, ?, ?, ?, now())",
            [
                summary.erasure_id,
                source_name,
                summary.author_key,
                json.dumps(summary.rows_removed, sort_keys=True),
                summary.landing_rows_removed,
                summary.landing_files_rewritten,
            ],
        )
        rebuild_and_publish(con, config, reason="erasure")
    log.info("%s", summary)
    return summary


def _record_keys(con: duckdb.DuckDBPyConnection, source: str, keys: set[str], erasure_id: str) -> None:
    """Remember the person's pseudonyms, so later extracts, loads and builds leave them out."""
    new = sorted(keys - erased_keys(con, source))
    if new:
        con.executemany(
            "insert into ops.erased_keys values (?, ?, ?)", [[source, k, erasure_id] for k in new]
        )


def erased_keys(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    rows = con.execute("select person_key from ops.erased_keys where source = ?", [source]).fetchall()
    return {str(row[0]) for row in rows}


@dataclass(frozen=True)
class ErasedPeople:
    """The erased people of one source, for the extract (which never opens the warehouse)."""

    source: str
    key: bytes
    keys: frozenset[str]

    @classmethod
    def of(cls, config: Config, source: str) -> ErasedPeople | None:
        """From the state copy (`forget` republishes it); None when nobody of the source was erased."""
        from civicpulse.warehouse.connection import state_path

        keys = _erased_in_state_copy(state_path(config)).get(source)
        return cls(source, pseudonym_key(config), keys) if keys else None

    def _is_erased(self, value: object) -> bool:
        return value is not None and pseudonymize(self.key, str(value), self.source) in self.keys

    def holds(self, record: Record) -> bool:
        """Whether a record's person columns hold an erased person."""
        return any(self._is_erased(record.values.get(c)) for c in PERSON_COLUMNS.get(record.stream, ()))

    def mentioned_in(self, raw: str | None) -> bool:
        """Whether a (quarantined) raw record holds an erased person's id or pseudonym."""
        tokens = [t for t in re.split(TOKEN_SEPARATORS, raw or "") if t]
        return any(t in self.keys or self._is_erased(t) for t in tokens)


# The state copy's erased keys by source, read once per copy: a run extracts every source in one
# process, and opening the copy (and binding a parameter, which makes DuckDB import pandas) cost ~1 CPU-s
# a night. `publish` replaces the copy by a rename, so a new copy has a new inode and modified time.
_STATE_COPY_READ: dict[tuple[str, int, int, int], dict[str, frozenset[str]]] = {}


def _erased_in_state_copy(path: Path) -> dict[str, frozenset[str]]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    stamp = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if stamp not in _STATE_COPY_READ:
        by_source: dict[str, set[str]] = {}
        with duckdb.connect(str(path), read_only=True) as con:
            found = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'ops' and table_name = 'erased_keys'"
            ).fetchone()
            rows = (
                con.execute("select source, person_key from ops.erased_keys").fetchall()
                if found and found[0]
                else []
            )
        for source, person_key in rows:
            by_source.setdefault(str(source), set()).add(str(person_key))
        _STATE_COPY_READ.clear()
        _STATE_COPY_READ[stamp] = {source: frozenset(keys) for source, keys in by_source.items()}
    return _STATE_COPY_READ[stamp]


def _erase_warehouse(
    con: duckdb.DuckDBPyConnection,
    source: str,
    streams: list[str],
    ids: list[str],
    id_keys: set[str],
    erasure_id: str,
) -> dict[str, int]:
    removed: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        keys: set[str] = set(id_keys)
        person_keys: set[str] = set(id_keys)
        feedback_ids: set[str] = set()
        for stream in streams:
            person = PERSON_COLUMNS[stream]
            match = " or ".join(f"list_contains(?, {c})" for c in person)
            identity = "coalesce(author_id, author_handle)" if stream == "social_post" else person[0]
            every = ", ".join(f"pseudonymize(source, {c})" for c in person)
            rows = con.execute(
                f"select distinct pseudonymize(source, {identity}), [{every}] from raw.{stream} "
                f"where source = ? and ({match})",
                [source, *([ids] * len(person))],
            ).fetchall()
            keys.update(str(row[0]) for row in rows if row[0] is not None)
            person_keys.update(str(k) for row in rows for k in row[1] if k is not None)
        _record_keys(con, source, person_keys, erasure_id)
        tables = _tables(con)
        for schema, table, columns in tables:
            if schema in DERIVED_SCHEMAS and "feedback_id" in columns:
                for key_column in set(columns) & set(KEY_COLUMNS):
                    found = con.execute(
                        f"select distinct feedback_id from {schema}.{table} "
                        f"where list_contains(?, {key_column})",
                        [sorted(keys)],
                    ).fetchall()
                    feedback_ids.update(str(row[0]) for row in found)
        hashes = _private_hashes(con, tables, feedback_ids)
        for stream in streams:
            match = " or ".join(f"list_contains(?, {c})" for c in PERSON_COLUMNS[stream])
            _delete(
                con,
                removed,
                f"raw.{stream}",
                f"source = ? and ({match})",
                [source, *([ids] * len(PERSON_COLUMNS[stream]))],
            )
        for schema, table, columns in tables:
            name = f"{schema}.{table}"
            if schema == "raw" or name in ("ops.erasures", "ops.erased_keys"):
                continue
            conditions: list[str] = []
            params: list[object] = []
            for key_column in sorted(set(columns) & set(KEY_COLUMNS)):
                conditions.append(f"list_contains(?, {key_column})")
                params.append(sorted(keys))
            if "feedback_id" in columns:
                conditions.append("list_contains(?, feedback_id)")
                params.append(sorted(feedback_ids))
            if "text_hash" in columns and hashes:
                conditions.append("list_contains(?, text_hash)")
                params.append(sorted(hashes))
            if conditions:
                _delete(con, removed, name, " or ".join(conditions), params)
        _delete(
            con,
            removed,
            "ops.quarantine",
            "source = ? and list_has_any(?, string_split_regex(raw_record, ?))",
            [source, [*ids, *sorted(person_keys)], TOKEN_SEPARATORS],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return removed


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[str]]]:
    rows = con.execute(
        """
        select table_schema, table_name, list(column_name order by ordinal_position)
        from information_schema.columns
        where table_catalog = current_database()
            and table_schema in ('raw', 'staging', 'core', 'marts', 'ops')
            and table_name in (
                select table_name from information_schema.tables as t
                where t.table_schema = columns.table_schema and t.table_type = 'BASE TABLE'
            )
        group by table_schema, table_name
        order by 1, 2
        """
    ).fetchall()
    # Names come from the catalog, and are checked before they are put into SQL.
    return [(str(s), str(t), list(c)) for s, t, c in rows if _plain(s) and _plain(t) and all(map(_plain, c))]


def _plain(name: object) -> bool:
    return isinstance(name, str) and name.replace("_", "").isalnum() and name.isascii()


def _private_hashes(
    con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str, list[str]]], feedback_ids: set[str]
) -> set[str]:
    """Text hashes of the person's feedback that no one else's feedback shares (caches keyed by text)."""
    if not feedback_ids:
        return set()
    hashes: set[str] = set()
    for schema, table, columns in tables:
        if schema in DERIVED_SCHEMAS and {"feedback_id", "text_hash"} <= set(columns):
            rows = con.execute(
                f"""
                select text_hash from {schema}.{table}
                group by text_hash
                having bool_and(list_contains(?, feedback_id))
                """,
                [sorted(feedback_ids)],
            ).fetchall()
            hashes.update(str(row[0]) for row in rows if row[0] is not None)
    return hashes


def _delete(
    con: duckdb.DuckDBPyConnection, removed: dict[str, int], table: str, where: str, params: list[object]
) -> None:
    row = con.execute(f"delete from {table} where {where}", params).fetchone()
    count = int(row[0]) if row else 0
    if count:
        removed[table] = removed.get(table, 0) + count


def erase_landing(config: Config, source: str, streams: Iterable[str], ids: list[str]) -> tuple[int, int]:
    """Drop the person's rows from every landing Parquet file of the source; manifests keep reconciling."""
    root = config.landing_path / source
    removed_total = files = 0
    for folder in sorted(root.glob("day=*")) if root.is_dir() else []:
        manifest_name = next((m for m in MANIFESTS if (folder / m).is_file()), None)
        if manifest_name is None:
            continue
        data = json.loads((folder / manifest_name).read_text(encoding="utf-8"))
        removed_here = 0
        for stream in streams:
            path = folder / f"{stream}.parquet"
            if not path.is_file():
                continue
            table = pq.read_table(path)
            mask = None
            for column in PERSON_COLUMNS[stream]:
                hit = pc.fill_null(pc.is_in(table[column], value_set=pa.array(ids)), False)
                mask = hit if mask is None else pc.or_(mask, hit)
            count = int(pc.sum(mask).as_py() or 0) if mask is not None else 0
            if count:
                _rewrite(path, table.filter(pc.invert(mask)))
                data["streams"][stream] = data["streams"].get(stream, 0) - count
                removed_here += count
                files += 1
        quarantine = folder / f"{QUARANTINE}.parquet"
        if quarantine.is_file():
            table = pq.read_table(quarantine)
            raw = table["raw"].to_pylist()
            keep = [not any(_holds(value, i) for i in ids) for value in raw]
            dropped = keep.count(False)
            if dropped:
                _rewrite(quarantine, table.filter(pa.array(keep)))
                data["rows_quarantined"] -= dropped
                removed_here += dropped
                files += 1
        if removed_here:
            data["rows_read"] -= removed_here
            temp = folder / f".{manifest_name}.{uuid.uuid4().hex}"
            temp.write_text(json.dumps(data, indent=2), encoding="utf-8")
            os.replace(temp, folder / manifest_name)
            removed_total += removed_here
    return removed_total, files


def _holds(raw: object, identity: str) -> bool:
    return isinstance(raw, str) and identity in re.split(TOKEN_SEPARATORS, raw)


def _rewrite(path: Path, table: pa.Table) -> None:
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    pq.write_table(table, temp, compression="zstd")
    os.replace(temp, path)
