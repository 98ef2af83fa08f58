"""End to end: an api-mode source through `run_interval` twice; the second night fetches only new posts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
from pytest_httpserver import HTTPServer

from civicpulse.pipeline import run_interval
from civicpulse.warehouse.connection import reader, state_path
from tests.connectors.api.conftest import MakeConfig
from tests.connectors.api.fakes import FakeX
from tests.connectors.api.test_x_api import AGENCY, DAY, NEXT, SEARCH, new_tweet, recorded_search


def test_two_nights_in_api_mode_pick_up_only_new_records(
    make_config: MakeConfig, httpserver: HTTPServer
) -> None:
    fake = FakeX(httpserver, recorded_search(), [AGENCY])
    config = make_config(
        "x_api", "x", conn_id="x_riverton", base_url=httpserver.url_for("/").rstrip("/"), queries=["riverton"]
    )
    run_interval(config, DAY, NEXT)
    first_night = [args for path, args, _ in fake.requests if path == SEARCH]
    fresh = [
        new_tweet(
            dt.datetime(2022, 10, 8, 8, tzinfo=dt.UTC), "The pothole on 5th is fixed, thanks city hall!"
        ),
        new_tweet(dt.datetime(2022, 10, 8, 9, tzinfo=dt.UTC), "City hall phone line kept me waiting an hour"),
    ]
    fake.tweets += fresh
    fake.requests.clear()
    run_interval(config, NEXT, NEXT + dt.timedelta(days=1))
    second_night = [args for path, args, _ in fake.requests if path == SEARCH]
    assert "start_time" in first_night[0] and "since_id" not in first_night[0]
    assert second_night[0]["since_id"] == max((t["id"] for t in recorded_search()), key=int)
    with reader(config) as con:
        loads = con.execute("select partition_day, rows_loaded from ops.loads order by 1").fetchall()
        feedback: list[Any] = con.execute(
            "select service_id, count(*) from core.fact_feedback where source = 'x_api' group by 1 order by 1"
        ).fetchall()
    assert loads == [(DAY, 10), (NEXT, 2)]
    assert feedback == [("general_311", 2), ("unmapped", 10)]
    # The cursor is in the extract's state copy, never in the published one.
    with duckdb.connect(str(state_path(config)), read_only=True) as con:
        state = con.execute("select source, connector from ops.source_state").fetchall()
    assert state == [("x_api", "x")]
