"""Zendesk incremental ticket export against a local server: real recorded cursor pages (read from the
shared folder, GPL-3.0, not copied), after_cursor chains, end_of_stream, the 10 requests/minute pacing."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.extract import extract_source
from civicpulse.sources import ParseContext, Record, load_connector
from tests.conftest import SHARED_REAL
from tests.connectors.api.conftest import TOKEN, MakeConfig, committed, load_all, query, session_for
from tests.http.fakes import FakeClock

RECORDED = SHARED_REAL / "api_samples" / "zendesk"
EXPORT = "/api/v2/incremental/tickets/cursor.json"
DAY = dt.date(2023, 9, 18)
NEXT = DAY + dt.timedelta(days=1)


def recorded(name: str) -> dict[str, Any]:
    page: dict[str, Any] = json.loads((RECORDED / name).read_text())
    return page


class FakeZendesk:
    """Answers the first request (start_time) with pages[0] and `cursor=<after_cursor of page n>` with n+1."""

    def __init__(self, server: HTTPServer, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.requests: list[tuple[dict[str, str], str]] = []
        self.faults: list[tuple[int, dict[str, str]]] = []
        server.expect_request(EXPORT).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        self.requests.append((dict(request.args), request.headers.get("Authorization", "")))
        if self.faults:
            status, headers = self.faults.pop(0)
            return Response('{"error": "APIRateLimitExceeded"}', status=status, headers=headers)
        if "start_time" in request.args:
            index = 0
        else:
            cursors = [page["after_cursor"] for page in self.pages]
            index = cursors.index(request.args["cursor"]) + 1
        return Response(json.dumps(self.pages[index]), content_type="application/json")


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CIVICPULSE_ZENDESK_API_LOGIN", "agent@riverton.gov")
    return make_config(
        "zendesk_api",
        "zendesk",
        conn_id="zendesk_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        page_size=1,
    )


def test_cursor_pages_are_chained_to_end_of_stream_at_the_export_pace(
    httpserver: HTTPServer, config: Any, clock: FakeClock
) -> None:
    last = {"tickets": [], "after_cursor": "MTY5NTA1MjY2NC4wfHwzMHw=", "end_of_stream": True}
    pages = [recorded(f"incremental_tickets_cursor__chain_page_{n}.json") for n in (1, 2, 3)] + [last]
    fake = FakeZendesk(httpserver, pages)
    fake.faults.append((429, {"Retry-After": "7"}))
    extract_source(config, "zendesk_api", DAY, NEXT, http=session_for(config, clock))
    args = [a for a, _ in fake.requests]
    assert args[0] == {"start_time": "1694995200", "per_page": "1"}
    assert [a.get("cursor") for a in args[1:]] == [None, *(p["after_cursor"] for p in pages[:3])]
    basic = base64.b64encode(f"agent@riverton.gov/token:{TOKEN}".encode()).decode()
    assert {auth for _, auth in fake.requests} == {f"Basic {basic}"}
    assert clock.sleeps == [7.0, 6.0, 6.0, 6.0]
    load_all(config, DAY, NEXT)
    rows = query(
        config, "select call_id, queue, disposition, is_resolved, notes from raw.contact_call order by 1"
    )
    assert rows == [(str(n), "api", "new", False, "test") for n in (28, 29, 30)]
    assert committed(config) is not None


def test_the_same_ticket_on_two_pages_loads_once_and_other_days_wait(
    httpserver: HTTPServer, config: Any, clock: FakeClock
) -> None:
    full = recorded("incremental_tickets_cursor__start_time_0__end_of_stream_true.json")
    first = {**full, "end_of_stream": False, "after_cursor": "again"}
    FakeZendesk(httpserver, [first, full])
    summary = extract_source(config, "zendesk_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records == 140
    load_all(config, DAY, NEXT)
    assert query(config, "select count(*), count(distinct call_id) from raw.contact_call") == [(70, 70)]
    assert query(config, "select sum(rows_duplicate) from ops.loads") == [(70,)]


def test_file_mode_reads_a_saved_export_page_with_the_same_parser() -> None:
    connector = load_connector("zendesk")
    path = RECORDED / "incremental_tickets_cursor__start_time_0__end_of_stream_true.json"
    rows = list(connector.parse_file(path, ParseContext(source="zendesk_files")))
    records = [row for row in rows if isinstance(row, Record)]
    assert len(records) == len(rows) == 87
    statuses = {r.values["disposition"] for r in records}
    assert statuses == {"new", "pending", "deleted", "open"}
