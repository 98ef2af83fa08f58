"""`civicpulse rotate-key`: move every pseudonym in the warehouse from the current key to a new one.

Pseudonyms are HMACs of ids, so re-keying needs the ids. Raw keeps them (staging pseudonymises), and
so do the landing Parquet files and the vendor exports in the inbox of file-mode sources. From
every id found there (a handle also with and without '@', as `forget` erases it) the rotation
builds the map old pseudonym -> new pseudonym, then, in ONE transaction of the writer (which checks
that the current key is the warehouse's):

* replaces every varchar value of every table (raw, staging, core, marts, ops) that is an old
  pseudonym, or holds one as a token (quarantined raw records hold their person fields as
  pseudonyms), by the new one: author, caller and respondent keys, `ops.erased_keys`,
  `ops.erasures.author_key` and `ops.quarantine.raw_record` alike;
* refuses (rolls back) when a staging, core or marts key matches no known id (run
  `civicpulse build` first), or when an erased person's pseudonym matches no id any more: their
  records left raw and landing with the erasure, so only the inbox can still name them; without
  it the erasure would no longer stick, unless the operator accepts that explicitly;
* records the new key's fingerprint in `ops.pseudonym_key`.

The quarantine files in landing are re-keyed too (written beside, renamed after the commit), the
file is compacted (no old pseudonym left in free blocks), the marts are re-exported and the
read-only copy republished. Afterwards only the new key opens the warehouse for writing.

Unlike a build, an erasure or a response this does not go through `warehouse.lifecycle`: a rebuild
in this process would pseudonymise with the old key again, and re-keying changes values, never rows,
so the tables the last gate passed are exported and published as they are.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from civicpulse.config import Config, ConfigError
from civicpulse.erasure import DERIVED_SCHEMAS, KEY_COLUMNS, PERSON_COLUMNS, TOKEN_SEPARATORS, identities
from civicpulse.landing import QUARANTINE
from civicpulse.pseudonym_key import ResolvedKey, key_from_env, resolve_key
from civicpulse.sources import FileProblem, Record, load_connector
from transforms.pseudonym import pseudonymize

log = logging.getLogger(__name__)

PSEUDONYM_TOKEN = re.compile(r"(?<![0-9a-f])[0-9a-f]{24}(?![0-9a-f])")
_SCHEMAS = ("raw", "staging", "core", "marts", "ops")


class RotationError(ConfigError):
    pass


@dataclass
class RotationSummary:
    old_fingerprint: str
    new_fingerprint: str
    ids: int = 0
    rows_rekeyed: dict[str, int] = field(default_factory=dict)
    erased_unmatched: int = 0
    landing_files_rewritten: int = 0

    def __str__(self) -> str:
        kept = (
            f"; {self.erased_unmatched} erased pseudonym(s) matched no id and were kept as they are"
            if self.erased_unmatched
            else ""
        )
        return (
            f"key {self.old_fingerprint} -> {self.new_fingerprint}: {sum(self.rows_rekeyed.values()):,} "
            f"value(s) in {len(self.rows_rekeyed)} column(s) re-keyed from {self.ids:,} known id(s), "
            f"{self.landing_files_rewritten} landing quarantine file(s) rewritten{kept}; now set the new key "
            "where the old one was (CIVICPULSE_PSEUDONYM_KEY or the Airflow connection civicpulse_pseudonym)"
        )


def rotate_key(config: Config, new_key_env: str, *, keep_unmatched_erasures: bool = False) -> RotationSummary:
    """Re-key the warehouse from the resolved key to the key in $`new_key_env`; see the module docstring."""
    from civicpulse.warehouse.connection import compact, exists, writer
    from civicpulse.warehouse.export import export_marts
    from civicpulse.warehouse.publish import publish

    old = resolve_key(config)
    new = key_from_env(new_key_env)
    if new.key == old.key:
        raise RotationError(f"{new_key_env} holds the current key (from {old.origin}): nothing to rotate")
    if not exists(config):
        raise RotationError(
            f"{config.warehouse_path} does not exist yet: no pseudonyms to re-key; just use the new key"
        )
    summary = RotationSummary(old.fingerprint, new.fingerprint)
    with writer(config) as con:
        ids = known_ids(con, config)
        summary.ids = len(ids)
        mapping = {pseudonymize(old.key, i, s): pseudonymize(new.key, i, s) for s, i in ids}
        pending = _prepare_landing(config, mapping)
        try:
            _rekey_warehouse(con, mapping, old, new, summary, keep_unmatched_erasures)
        except BaseException:
            for temp, _ in pending:
                temp.unlink(missing_ok=True)
            raise
        for temp, final in pending:
            os.replace(temp, final)
        summary.landing_files_rewritten = len(pending)
        export_marts(con, config)
    # As after an erasure: the old pseudonyms must not linger in the file's free blocks.
    compact(config)
    publish(config)
    log.info("%s", summary)
    return summary


def known_ids(con: duckdb.DuckDBPyConnection, config: Config) -> set[tuple[str, str]]:
    """Every (source, person id) still readable: raw, landing Parquet files, file-mode inboxes."""
    found: set[tuple[str, str]] = set()
    for stream, columns in PERSON_COLUMNS.items():
        for column in columns:
            rows = con.execute(
                f"select distinct source, {column}::varchar from raw.{stream} where {column} is not null"
            ).fetchall()
            found.update((str(s), str(v)) for s, v in rows)
    landing = config.landing_path
    for path in sorted(landing.glob("*/day=*/*.parquet")) if landing.is_dir() else []:
        columns = PERSON_COLUMNS.get(path.stem, ())
        present = [c for c in columns if c in pq.read_schema(path).names]
        if present:
            table = pq.read_table(path, columns=present)
            source_name = path.parent.parent.name
            for column in present:
                found.update((source_name, str(v)) for v in table[column].to_pylist() if v is not None)
    for source in config.sources:
        if source.mode != "api":
            found.update((source.name, i) for i in _inbox_ids(config, source.name))
    # Erasure records the pseudonyms of handles with and without '@': re-key both spellings.
    return {(s, variant) for s, i in found if i.strip() for variant in identities(i)}


def _inbox_ids(config: Config, source_name: str) -> Iterable[str]:
    from civicpulse.extract import inbox_files
    from civicpulse.sources import ParseContext

    source = config.source(source_name)
    if not config.inbox(source).is_dir():
        return
    connector = load_connector(source.connector)
    if not any(s in PERSON_COLUMNS for s in connector.STREAMS):
        return
    context = ParseContext(
        source=source.name, timezone=config.timezone(source), options=config.parse_options(source)
    )
    for path in inbox_files(config, source, connector.FILE_PATTERNS):
        try:
            for row in connector.parse_file(path, context):
                if isinstance(row, Record):
                    for column in PERSON_COLUMNS.get(row.stream, ()):
                        if row.values.get(column) is not None:
                            yield str(row.values[column])
                else:
                    yield from (t for t in re.split(TOKEN_SEPARATORS, row.raw) if t)
        except FileProblem as problem:
            log.warning("%s: not read for ids: %s", path, problem)


def rekey_text(text: str, mapping: dict[str, str]) -> str:
    return PSEUDONYM_TOKEN.sub(lambda m: mapping.get(m.group(), m.group()), text)


def _prepare_landing(config: Config, mapping: dict[str, str]) -> list[tuple[Path, Path]]:
    """Re-keyed copies of the landing quarantine files that hold an old pseudonym, not yet renamed."""
    pending: list[tuple[Path, Path]] = []
    landing = config.landing_path
    for path in sorted(landing.glob(f"*/day=*/{QUARANTINE}.parquet")) if landing.is_dir() else []:
        table = pq.read_table(path)
        raw = table["raw"].to_pylist()
        rekeyed = [rekey_text(v, mapping) if isinstance(v, str) else v for v in raw]
        if rekeyed != raw:
            index = table.schema.get_field_index("raw")
            table = table.set_column(index, table.schema.field(index), pa.array(rekeyed, pa.string()))
            temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
            pq.write_table(table, temp, compression="zstd")
            pending.append((temp, path))
    return pending


def _varchar_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    rows = con.execute(
        """
        select c.table_schema, c.table_name, c.column_name
        from information_schema.columns as c
        join information_schema.tables as t
            on t.table_catalog = c.table_catalog
            and t.table_schema = c.table_schema
            and t.table_name = c.table_name
        where c.table_catalog = current_database()
            and t.table_type = 'BASE TABLE'
            and c.table_schema in ('raw', 'staging', 'core', 'marts', 'ops')
            and c.data_type = 'VARCHAR'
        order by 1, 2, 3
        """
    ).fetchall()
    # Names come from the catalog, and are checked before they are put into SQL.
    return [(s, t, c) for s, t, c in rows if all(_plain(n) for n in (s, t, c))]


def _plain(name: object) -> bool:
    return isinstance(name, str) and name.replace("_", "").isalnum() and name.isascii()


def _rekey_warehouse(
    con: duckdb.DuckDBPyConnection,
    mapping: dict[str, str],
    old: ResolvedKey,
    new: ResolvedKey,
    summary: RotationSummary,
    keep_unmatched_erasures: bool,
) -> None:
    con.execute("begin transaction")
    try:
        con.execute("create or replace temp table rekey (old varchar primary key, new varchar not null)")
        pairs = pa.table({"old": list(mapping), "new": list(mapping.values())})
        con.register("rekey_pairs", pairs)
        con.execute("insert into rekey select old, new from rekey_pairs")
        con.unregister("rekey_pairs")

        def _rekey(text: str) -> str:
            return rekey_text(text, mapping)

        con.create_function("rekey_text", _rekey, ["VARCHAR"], "VARCHAR", side_effects=False)
        for schema, table, column in _varchar_columns(con):
            name = f"{schema}.{table}"
            exact = con.execute(
                f"update {name} as t set {column} = rekey.new from rekey where t.{column} = rekey.old"
            ).fetchone()
            tokens = con.execute(
                f"update {name} set {column} = rekey_text({column}) "
                f"where length({column}) > 24 and regexp_matches({column}, '[0-9a-f]{{24}}') "
                f"and rekey_text({column}) <> {column}"
            ).fetchone()
            count = (int(exact[0]) if exact else 0) + (int(tokens[0]) if tokens else 0)
            if count:
                summary.rows_rekeyed[f"{name}.{column}"] = count
            if schema in DERIVED_SCHEMAS and column in KEY_COLUMNS:
                stale = _unmatched(con, name, column)
                if stale:
                    raise RotationError(
                        f"{name}.{column}: {stale} pseudonym(s) match no id in raw, landing or inbox; run "
                        "`civicpulse build` (it rebuilds staging, core and marts from raw), then rotate again"
                    )
        unmatched = _unmatched(con, "ops.erased_keys", "person_key")
        if unmatched and not keep_unmatched_erasures:
            raise RotationError(
                f"ops.erased_keys: {unmatched} pseudonym(s) of erased people match no id in raw, landing or "
                "the inbox, so under the new key their erasure would no longer hold: put the vendor exports "
                "that name them back in the inbox and rotate again, or pass --keep-unmatched-erasures "
                "to keep them unchanged (they then match nothing)"
            )
        summary.erased_unmatched = unmatched
        con.execute(
            "insert into ops.pseudonym_key values (?, ?, ?)",
            [new.fingerprint, dt.datetime.now(dt.UTC), old.fingerprint],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop table if exists temp.rekey")


def _unmatched(con: duckdb.DuckDBPyConnection, name: str, column: str) -> int:
    row = con.execute(
        f"select count(distinct {column}) from {name} "
        f"where {column} is not null and {column} not in (select new from rekey)"
    ).fetchone()
    return int(row[0]) if row else 0
