"""No secret ever appears in logs, the warehouse, landing, exports or the report.

The pipeline runs on a small demo city with known fake secrets (the pseudonym key, API tokens and
logins in the environment) and every output is searched for them: captured logs and output, every
value of every table of the warehouse and its published copy (SQL dump), and every file written
under the project folder (landing Parquet, quality results, Data Docs, exports, report).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import duckdb
import pytest

from civicpulse import pipeline
from civicpulse.config import Config, load_config
from civicpulse.report import write_report
from civicpulse.warehouse.connection import published_path
from tests.conftest import write_project_config

START = dt.date(2026, 6, 10)
DAYS = 4
KEY = "fake-pseudonym-key-7Qz9RwXv3Lp2Tn8K"
SECRETS = {
    "CIVICPULSE_PSEUDONYM_KEY": KEY,
    "CIVICPULSE_X_RIVERTON_TOKEN": "fake-x-bearer-AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid",
    "CIVICPULSE_MASTODON_RIVERTON_TOKEN": "fake-mastodon-token-ZmFrZS1tYXN0b2Rvbg",
    "CIVICPULSE_CITY_WEBSITE_TOKEN": "fake-ga4-service-account-key-MIIEvQIBADANBgkqhkiG9w0",
    "CIVICPULSE_CITY_WEBSITE_LOGIN": "fake-svc@riverton-analytics.iam.example.com",
}


def _dump(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        text = [
            str(con.execute(f'select * from "{schema}"."{table}"').fetchall()) for schema, table in tables
        ]
        macros = con.execute("select * from duckdb_functions() where not internal").fetchall()
        settings = con.execute("select name, value from duckdb_settings()").fetchall()
    return "\n".join([*text, str(macros), str(settings)])


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    from civicpulse.demo import generate

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    config = load_config(write_project_config(tmp_path))
    generate(tmp_path / "var" / "demo-exports", start=START, days=DAYS, seed=5, scale=0.2)
    return config


def test_no_secret_reaches_logs_warehouse_landing_exports_or_report(
    city: Config, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    for name in ("civicpulse", "connectors", "transforms"):
        caplog.set_level(logging.DEBUG, logger=name)
    end = START + dt.timedelta(days=DAYS)
    for source in city.sources:
        pipeline.extract(city, source.name, START, end)  # landing checks run inside
    pipeline.load(city, START, end)
    pipeline.build(city)  # layer checks run inside, then publish
    write_report(city)
    outputs = {"logs": caplog.text + "\n".join(str(r.args) for r in caplog.records)}
    captured = capsys.readouterr()
    outputs["stdout/stderr"] = captured.out + captured.err
    outputs["warehouse (SQL dump)"] = _dump(city.warehouse_path)
    outputs["published warehouse (SQL dump)"] = _dump(published_path(city))
    files = [p for p in city.root.rglob("*") if p.is_file() and "demo-exports" not in p.parts]
    assert any(p.suffix == ".parquet" for p in files) and any(p.suffix == ".html" for p in files)
    for path in files:
        outputs[str(path)] = path.read_bytes().decode("utf-8", "replace")

    assert int(outputs["warehouse (SQL dump)"].count("contact_center")) > 0, "the dump holds the data"
    for name, secret in SECRETS.items():
        leaks = [where for where, text in outputs.items() if secret in text]
        assert not leaks, f"{name} leaked into {leaks}"
