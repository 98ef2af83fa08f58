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
from civicpulse.warehouse import published_path
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
        assert CALLER not in dump and key in dump  # only in ops.erasures
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


def test_forget_from_the_command_line_and_for_a_source_without_people(config: Config) -> None:
    assert (
        main(["--config", str(config.path), "-q", "forget", "--source", "contact_center", "--author", OTHER])
        == 0
    )
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.contact_call").fetchone() == (2,)
    with pytest.raises(ErasureError, match="holds no records about a person"):
        forget(config, "city_website", OTHER)
