"""An api-mode source against a local server: config, a session with a fake clock, warehouse queries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from civicpulse.config import Config, load_config
from civicpulse.credentials import credentials_of, env_names
from civicpulse.http import ApiSession, RetryPolicy
from civicpulse.pipeline import load
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.state import Cursor, read_state_file
from civicpulse.warehouse.connection import writer
from tests.conftest import write_project_config
from tests.http.fakes import FakeClock

TOKEN = "test-token-not-a-secret"
MakeConfig = Callable[..., Config]


@pytest.fixture
def make_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeConfig:
    def make(name: str, connector: str, **api: Any) -> Config:
        monkeypatch.setenv(env_names(name)[0], TOKEN)
        source = {
            "name": name,
            "connector": connector,
            "mode": "api",
            "api": api,
            "service_map": {"general_311": {"keywords": ["city hall", "pothole"]}},
        }
        config = load_config(write_project_config(tmp_path, sources=[source]))
        ensure_demo_key(config)
        return config

    return make


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def session_for(config: Config, clock: FakeClock, attempts: int = 4) -> ApiSession:
    source = config.sources[0]
    return ApiSession(
        credentials_of(source, config.api_settings(source).conn_id, "password: token"),
        policy=RetryPolicy(max_attempts=attempts, timeout=(2.0, 5.0)),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )


def load_all(config: Config, start: dt.date, end: dt.date) -> None:
    load(config, start, end)


def query(config: Config, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with writer(config) as con:
        return con.execute(sql, params or []).fetchall()


def committed(config: Config) -> Cursor | None:
    return read_state_file(config.landing_path, config.sources[0].name)


def warehouse_cursor(config: Config) -> dict[str, Any] | None:
    rows = query(config, "select cursor_json from ops.source_state")
    return json.loads(rows[0][0]) if rows else None
