"""The HTTP safety settings of an `api:` section reach the session the extract builds, against a
fault-injecting server: cross-origin redirects (Touchpoints' X-Api-Key), the body cap, the deadline, and
a Zendesk export that repeats its cursor."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from civicpulse.config import Config
from civicpulse.extract import extract_source
from civicpulse.http import BadResponse, BodyTooLarge, RedirectRefused, RetryBudgetExceeded
from tests.conftest import SHARED_REAL
from tests.connectors.api.conftest import TOKEN, MakeConfig, session_for
from tests.http.fakes import FakeClock, FaultServer, answer, drip, redirect

DAY = dt.date(2024, 5, 6)
NEXT = DAY + dt.timedelta(days=1)
RESPONSES = "/api/v1/forms/d3a7c5b8/responses"
EMPTY = {"data": [], "meta": {"total_pages": 0}}


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


@pytest.fixture
def elsewhere() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


def touchpoints(make_config: MakeConfig, server: FaultServer, **api: Any) -> Config:
    return make_config(
        "touchpoints_api",
        "touchpoints",
        conn_id="touchpoints_gsa",
        base_url=server.url(""),
        form_ids=["d3a7c5b8"],
        max_attempts=1,
        **api,
    )


def test_touchpoints_key_does_not_follow_a_redirect_to_another_origin(
    make_config: MakeConfig, faults: FaultServer, elsewhere: FaultServer
) -> None:
    elsewhere.routes[RESPONSES] = answer(EMPTY)
    faults.routes[RESPONSES] = redirect(302, elsewhere.url(RESPONSES, host="localhost"))
    with pytest.raises(RedirectRefused, match=r"connection 'touchpoints_gsa'.*allow_cross_origin_redirects"):
        extract_source(touchpoints(make_config, faults), "touchpoints_api", DAY, NEXT)
    assert faults.seen[0][2]["X-Api-Key"] == TOKEN and elsewhere.seen == []


def test_an_allowed_cross_origin_redirect_lands_without_the_key(
    make_config: MakeConfig, faults: FaultServer, elsewhere: FaultServer
) -> None:
    elsewhere.routes[RESPONSES] = answer(EMPTY)
    faults.routes[RESPONSES] = redirect(302, elsewhere.url(RESPONSES, host="localhost"))
    config = touchpoints(make_config, faults, allow_cross_origin_redirects=True)
    assert extract_source(config, "touchpoints_api", DAY, NEXT).records == 0
    [(_, _, headers)] = elsewhere.seen
    assert TOKEN not in json.dumps(headers) and "x-api-key" not in {name.lower() for name in headers}


def test_max_response_mb_caps_the_body(make_config: MakeConfig, faults: FaultServer) -> None:
    faults.routes[RESPONSES] = answer({"data": [], "meta": {"padding": "x" * 20_000}})
    config = touchpoints(make_config, faults, max_response_mb=0.01)
    with pytest.raises(BodyTooLarge, match=r"larger than 0\.01 MB.*api\.max_response_mb"):
        extract_source(config, "touchpoints_api", DAY, NEXT)


def test_timeout_seconds_bounds_the_whole_request(make_config: MakeConfig, faults: FaultServer) -> None:
    faults.routes[RESPONSES] = drip(faults, every=0.3)
    config = touchpoints(make_config, faults, timeout_seconds=1)
    began = time.monotonic()
    with pytest.raises(RetryBudgetExceeded, match=r"1 s deadline \(api.timeout_seconds\)"):
        extract_source(config, "touchpoints_api", DAY, NEXT)
    assert time.monotonic() - began < 2.5


def test_a_zendesk_export_repeating_its_cursor_stops_naming_the_connection_and_path(
    make_config: MakeConfig, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CIVICPULSE_ZENDESK_API_LOGIN", "agent@riverton.gov")
    recorded = SHARED_REAL / "api_samples/zendesk/incremental_tickets_cursor__chain_page_1.json"
    page = {**json.loads(recorded.read_text()), "end_of_stream": False}
    export = "/api/v2/incremental/tickets/cursor.json"
    httpserver.expect_request(export).respond_with_json(page)
    config = make_config(
        "zendesk_api", "zendesk", conn_id="zendesk_riverton", base_url=httpserver.url_for("").rstrip("/")
    )
    with pytest.raises(BadResponse) as caught:
        extract_source(
            config,
            "zendesk_api",
            dt.date(2023, 9, 18),
            dt.date(2023, 9, 19),
            http=session_for(config, FakeClock()),
        )
    message = str(caught.value)
    assert "connection 'zendesk_riverton'" in message and export in message and "page 2" in message
    assert len(httpserver.log) == 2
