"""`civicpulse forget`: one person's records leave every layer and landing file; the log keeps no identity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml

from civicpulse import pipeline
from civicpulse.cli import main
from civicpulse.config import Config, load_config
from civicpulse.erasure import ErasureError, forget
from civicpulse.landing import Manifest, day_folder
from civicpulse.paths import DEFAULT_CONFIG
from civicpulse.warehouse.connection import published_path
from tests.conftest import write_project_config
from transforms.privacy import pseudonymize

DAY = dt.date(2024, 5, 6)
NEXT = DAY + dt.timedelta(days=1)
KEY = "erasure-test-key-0123456789abcdef"
CALLER = "C-CRM-000777"
OTHER = "C-CRM-000123"
SECRET_NOTE = "Caller upset that the Zanzibar Lane hydrant kept leaking for weeks"

HEADER = (
    "call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    "caller_number,agent_id,notes\n"
)


def _call(call_id: str, hour: int, caller: str, notes: str) -> str:
    return f"{call_id},2024-05-06 {hour:02d}:00:00,PERMITS,10,20,resolved,Y,N,{caller},A1,{notes}\n"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", KEY)
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    sources = [s for s in settings["sources"] if s["name"] in ("contact_center", "city_website")]
    paths = dict(settings["paths"], pseudonym_key_file=None)
    config = load_config(write_project_config(tmp_path, sources=sources, paths=paths))
    for source in config.sources:
        config.inbox(source).mkdir(parents=True)
    inbox = config.inbox(config.source("contact_center"))
    (inbox / "calls_2024-05-06.csv").write_text(
        HEADER
        + _call("C-1", 8, CALLER, SECRET_NOTE)
        + _call("C-2", 9, CALLER, "Called again about the same hydrant")
        + _call("C-3", 10, OTHER, "Asked how to renew a permit online")
        + _call("C-4", 11, OTHER, "Thanked the inspector for coming early")
    )
    # A quarantined row of the same caller (bad timestamp): its raw record holds the caller id.
    with (inbox / "calls_2024-05-06.csv").open("a") as handle:
        handle.write(_call("C-5", 25, CALLER, "bad time"))
    pipeline.run_interval(config, DAY, NEXT)
    return config


def _dump(path: Path) -> str:
    """Every value of every table, as text."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        return "\n".join(
            str(con.execute(f'select * from "{schema}"."{table}"').fetchall()) for schema, table in tables
        )


def test_forget_removes_the_person_everywhere_and_logs_only_the_pseudonym(config: Config) -> None:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.contact_call").fetchone() == (4,)
        assert con.execute("select count(*) from ops.quarantine").fetchone() == (1,)
    assert CALLER in _dump(config.warehouse_path) and SECRET_NOTE in _dump(config.warehouse_path)

    summary = forget(config, "contact_center", CALLER)

    key = pseudonymize(KEY.encode(), CALLER, "contact_center")
    assert summary.author_key == key
    assert summary.rows_removed["raw.contact_call"] == 2
    assert summary.rows_removed["ops.quarantine"] == 1
    assert summary.landing_rows_removed == 3  # two records and the quarantined row
    for path in (config.warehouse_path, published_path(config)):
        dump = _dump(path)
        assert CALLER not in dump
        # The pseudonym only in ops.erasures, which stays in the writer's file.
        assert (key in dump) == (path == config.warehouse_path)
        assert SECRET_NOTE not in dump and "same hydrant" not in dump
        assert "Asked how to renew a permit online" in dump, "other callers are untouched"
        assert SECRET_NOTE.encode() not in path.read_bytes(), "no trace left in free blocks of the file"
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from core.fact_contact").fetchone() == (2,)
        assert con.execute(
            "select count(*) from core.fact_feedback where author_key = ?", [key]
        ).fetchone() == (0,)
        volumes = con.execute(
            "select sum(volume) from marts.service_sentiment_trend where grain = 'day' and channel = 'all'"
        ).fetchone()
        assert volumes == (2,), "marts are recomputed without the person"
        erasure = con.execute("select * from ops.erasures").fetchall()
        assert len(erasure) == 1 and CALLER not in str(erasure)

    folder = day_folder(config.landing_path, "contact_center", DAY)
    landed = pq.read_table(folder / "contact_call.parquet").to_pylist()
    assert [row["call_id"] for row in landed] == ["C-3", "C-4"]
    assert pq.read_table(folder / "quarantine.parquet").num_rows == 0
    manifest = Manifest.read(folder)
    assert (manifest.rows_read, manifest.rows_quarantined, manifest.streams) == (2, 0, {"contact_call": 2})

    # Reloading the landing reconciles and does not bring the person back.
    (result,) = pipeline.load(config, DAY, NEXT, ["contact_center"])
    assert result.is_reconciled and result.rows_loaded == 2


def _assert_absent(config: Config, key: str) -> None:
    for path in (config.warehouse_path, published_path(config)):
        dump = _dump(path)
        assert CALLER not in dump and SECRET_NOTE not in dump and "same hydrant" not in dump
        assert "Asked how to renew a permit online" in dump, "other callers are untouched"
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        for table in ("raw.contact_call", "staging.stg_contact_calls", "core.fact_contact"):
            assert con.execute(f"select count(*) from {table}").fetchone() == (2,), table
        assert con.execute("select count(*) from ops.quarantine").fetchone() == (0,)
        for table in ("staging.stg_contact_calls", "core.fact_feedback"):
            column = "caller_key" if table.startswith("staging") else "author_key"
            assert con.execute(f"select count(*) from {table} where {column} = ?", [key]).fetchone() == (0,)
        volumes = con.execute(
            "select sum(volume) from marts.service_sentiment_trend where grain = 'day' and channel = 'all'"
        ).fetchone()
        assert volumes == (2,), "marts without the person"
    for parquet in config.landing_path.rglob("*.parquet"):
        text = str(pq.read_table(parquet).to_pylist())
        assert CALLER not in text and SECRET_NOTE not in text, parquet


def test_erasure_sticks_when_the_unchanged_inbox_is_extracted_again(config: Config) -> None:
    key = pseudonymize(KEY.encode(), CALLER, "contact_center")
    forget(config, "contact_center", CALLER)
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        erased = {row[0] for row in con.execute("select person_key from ops.erased_keys").fetchall()}
    assert key in erased and CALLER not in str(erased)

    # The vendor export still holds the caller: the nightly run re-reads it.
    summary = pipeline.run_interval(config, DAY, NEXT)
    _assert_absent(config, key)
    (result,) = [r for r in summary.loads if r.source == "contact_center"]
    # Read: 5 lines; the 2 calls and the quarantined line of the caller are erased at extract.
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_erased) == (5, 2, 0, 3)
    assert result.is_reconciled
    manifest = Manifest.read(day_folder(config.landing_path, "contact_center", DAY))
    assert (manifest.rows_read, manifest.rows_erased, manifest.streams) == (5, 3, {"contact_call": 2})
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        loads = con.execute(
            "select rows_read, rows_loaded, rows_duplicate, rows_quarantined, rows_erased, is_reconciled "
            "from ops.loads where source = 'contact_center' order by loaded_at desc limit 1"
        ).fetchone()
    assert loads == (5, 2, 0, 0, 3, True)


def test_the_loader_leaves_out_erased_people_landed_before_the_erasure(config: Config) -> None:
    """A landing folder written by an extract that did not know of the erasure (e.g. running at the time)."""
    key = pseudonymize(KEY.encode(), CALLER, "contact_center")
    folder = day_folder(config.landing_path, "contact_center", DAY)
    kept = {p.name: p.read_bytes() for p in folder.iterdir()}
    forget(config, "contact_center", CALLER)
    for name, data in kept.items():
        (folder / name).write_bytes(data)
    assert CALLER in str(pq.read_table(folder / "contact_call.parquet").to_pylist())

    (result,) = pipeline.load(config, DAY, NEXT, ["contact_center"])
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_erased) == (5, 2, 0, 3)
    assert result.is_reconciled
    pipeline.build(config)
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.contact_call").fetchone() == (2,)
        assert con.execute("select count(*) from ops.quarantine").fetchone() == (0,)
        assert con.execute(
            "select count(*) from staging.stg_contact_calls where caller_key = ?", [key]
        ).fetchone() == (0,)


def test_staging_leaves_out_erased_people_even_if_raw_held_them(config: Config) -> None:
    """The last guard: a raw row of an erased person (written by an older loader) never reaches staging."""
    from civicpulse.warehouse.connection import writer

    key = pseudonymize(KEY.encode(), CALLER, "contact_center")
    with writer(config) as con:
        con.execute("insert into ops.erased_keys values ('contact_center', ?, 'test')", [key])
    pipeline.build(config)
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.contact_call").fetchone() == (4,)
        assert con.execute("select count(*) from staging.stg_contact_calls").fetchone() == (2,)
        assert con.execute("select count(*) from core.fact_contact").fetchone() == (2,)


def test_quarantined_records_keep_no_person_id(tmp_path: Path, config: Config) -> None:
    """A record that fails its stream's checks is quarantined with its person columns pseudonymised."""
    from civicpulse.extract import _PersonFields
    from civicpulse.sources import Record

    hide = _PersonFields(config, "contact_center")
    values = hide(Record("contact_call", {"caller_id": CALLER, "notes": "x"}, "f.csv", 3))
    assert values == {"caller_id": pseudonymize(KEY.encode(), CALLER, "contact_center"), "notes": "x"}


def test_forget_from_the_command_line_and_for_a_source_without_people(config: Config) -> None:
    assert (
        main(["--config", str(config.path), "-q", "forget", "--source", "contact_center", "--author", OTHER])
        == 0
    )
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.contact_call").fetchone() == (2,)
    with pytest.raises(ErasureError, match="holds no records about a person"):
        forget(config, "city_website", OTHER)
