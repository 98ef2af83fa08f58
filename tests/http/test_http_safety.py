"""The HTTP layer against servers that misbehave: redirects to another origin, bodies that drip, are cut
off or inflate without end, and paging that comes back to a page already read."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import time
import tracemalloc
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from civicpulse.http import (
    MB,
    ApiSession,
    BadResponse,
    BodyTooLarge,
    Credentials,
    RedirectRefused,
    RetryBudgetExceeded,
    RetryPolicy,
    cursor_pages,
    link_pages,
    response_json,
)
from tests.http.fakes import FakeClock, FaultHandler, FaultServer, answer, cut_off, drip, gzip_bomb, redirect

CREDENTIALS = Credentials("touchpoints_gsa", "CIVICPULSE_TOUCHPOINTS_TOKEN", "password: API key")
SECRETS = ("k-123", "t-456", "s-789", "Basic ", "Bearer b-000", "sid=c-111")


def _session(
    clock: FakeClock,
    *,
    attempts: int = 3,
    deadline: float = 5.0,
    max_body_bytes: int = 50 * MB,
    cross_origin: bool = False,
) -> ApiSession:
    return ApiSession(
        CREDENTIALS,
        policy=RetryPolicy(
            max_attempts=attempts, timeout=(2.0, 5.0), deadline=deadline, max_body_bytes=max_body_bytes
        ),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
        cross_origin_redirects=cross_origin,
    )


def _with_credentials(session: ApiSession) -> ApiSession:
    session.headers["X-Api-Key"] = "k-123"
    session.headers["X-API-TOKEN"] = "t-456"
    session.auth = ("agent@city.gov/token", "s-789")
    return session


# Redirects


def test_a_redirect_to_another_origin_is_refused_by_default_and_never_reaches_it(
    faults: FaultServer, elsewhere: FaultServer
) -> None:
    elsewhere.routes["/land"] = answer({"stolen": True})
    faults.routes["/start"] = redirect(302, elsewhere.url("/land", host="localhost"))
    session = _with_credentials(_session(FakeClock()))
    with pytest.raises(RedirectRefused) as caught:
        session.get(faults.url("/start"), params={"api_key": "k-123"})
    message = str(caught.value)
    assert f"http://127.0.0.1:{faults.port}" in message and f"http://localhost:{elsewhere.port}" in message
    assert "touchpoints_gsa" in message and "api.allow_cross_origin_redirects: true" in message
    assert "k-123" not in message
    assert elsewhere.seen == []


def test_an_allowed_cross_origin_redirect_carries_no_credential_header_auth_cookie_or_secret_param(
    faults: FaultServer, elsewhere: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    elsewhere.routes["/land"] = answer({"page": 2})
    target = elsewhere.url("/land", host="localhost") + "?page=2&access_token=t-456"
    faults.routes["/start"] = redirect(307, target)
    session = _with_credentials(_session(FakeClock(), cross_origin=True))
    session.headers["Cookie"] = "sid=c-111"
    headers = {"Accept": "application/json", "X-Session-Signature": "Bearer b-000"}
    with caplog.at_level(logging.INFO, logger="civicpulse.http"):
        response = session.get(faults.url("/start"), params={"api_key": "k-123"}, headers=headers)
    assert response.json() == {"page": 2}
    [(_, _, first_headers)] = faults.seen
    assert first_headers["X-Api-Key"] == "k-123" and first_headers["Authorization"].startswith("Basic ")
    [(method, path, landed)] = elsewhere.seen
    assert method == "GET" and path == "/land?page=2"
    assert landed["Accept"] == "application/json"
    sent = json.dumps(landed)
    assert not any(secret in sent for secret in SECRETS)
    assert not {"x-api-key", "x-api-token", "authorization", "cookie", "x-session-signature"} & {
        name.lower() for name in landed
    }
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "-> 307, redirected to" in logged and "credentials not sent" in logged
    assert not any(secret in logged for secret in ("k-123", "t-456"))


def test_a_same_origin_redirect_keeps_the_credentials_and_a_303_becomes_a_get(faults: FaultServer) -> None:
    faults.routes["/old"] = redirect(301, "/new?page=1")
    faults.routes["/new"] = answer({"moved": True})
    faults.routes["/export"] = redirect(303, faults.url("/new"))
    session = _with_credentials(_session(FakeClock()))
    assert session.get(faults.url("/old")).json() == {"moved": True}
    assert session.post(faults.url("/export"), json={"survey": 1}).json() == {"moved": True}
    methods = [(method, path, headers.get("X-Api-Key")) for method, path, headers in faults.seen]
    assert methods == [
        ("GET", "/old", "k-123"),
        ("GET", "/new?page=1", "k-123"),
        ("POST", "/export", "k-123"),
        ("GET", "/new", "k-123"),
    ]


def test_a_redirect_loop_stops_with_a_clear_error(faults: FaultServer) -> None:
    faults.routes["/a"] = redirect(302, "/b")
    faults.routes["/b"] = redirect(302, "/a")
    with pytest.raises(RedirectRefused, match="more than 10 redirects"):
        _session(FakeClock()).get(faults.url("/a"))
    assert len(faults.seen) == 11


# Bodies: deadline, broken, oversized


@pytest.mark.parametrize("chunked", [False, True])
def test_a_dripping_body_fails_at_the_deadline_is_retried_then_one_clear_error(
    faults: FaultServer, chunked: bool
) -> None:
    faults.routes["/slow"] = drip(faults, every=0.4, chunked=chunked)
    clock = FakeClock()
    began = time.monotonic()
    with pytest.raises(RetryBudgetExceeded) as caught:
        _session(clock, attempts=2, deadline=1.0).get(faults.url("/slow"), params={"api_key": "k-123"})
    elapsed = time.monotonic() - began
    message = str(caught.value)
    assert "/slow?api_key=***" in message and "gave up after 2 attempts" in message
    assert "not complete within the 1 s deadline (api.timeout_seconds)" in message
    assert len(faults.seen) == 2 and len(clock.sleeps) == 1
    # Two attempts of one second each, plus scheduling slack on a loaded machine; not 2 x 40 s of drip.
    assert 2.0 <= elapsed < 3.5


def test_a_silent_server_after_the_headers_is_cut_at_the_deadline_not_the_read_timeout(
    faults: FaultServer,
) -> None:
    faults.routes["/silent"] = drip(faults, every=30.0)
    began = time.monotonic()
    with pytest.raises(RetryBudgetExceeded, match="deadline"):
        _session(FakeClock(), attempts=1, deadline=0.5).get(faults.url("/silent"))
    assert time.monotonic() - began < 1.5


def test_a_cut_off_body_is_retried_like_a_503(faults: FaultServer) -> None:
    calls = []

    def flaky(handler: FaultHandler) -> None:
        calls.append(1)
        if len(calls) == 1:
            cut_off(100, b'{"data": [1')(handler)
        else:
            handler.json({"data": [1, 2]})

    faults.routes["/flaky"] = flaky
    clock = FakeClock()
    assert _session(clock).get_json(faults.url("/flaky")) == {"data": [1, 2]}
    assert len(calls) == 2 and clock.sleeps == [0.5]


def test_a_body_cut_off_every_time_names_what_happened(faults: FaultServer) -> None:
    faults.routes["/cut"] = cut_off(100, b'{"data": [1')
    with pytest.raises(RetryBudgetExceeded) as caught:
        _session(FakeClock(), attempts=3).get(faults.url("/cut"), params={"token": "t-456"})
    message = str(caught.value)
    assert "/cut?token=***" in message and "gave up after 3 attempts" in message and "cut off" in message
    assert len(faults.seen) == 3


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_in_memory(faults: FaultServer) -> None:
    bomb, inflated = gzip_bomb(members=200)
    assert len(bomb) < 5 * MB and inflated > 3000 * MB

    def route(handler: FaultHandler) -> None:
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        with contextlib.suppress(OSError):  # the client stops reading at its cap
            handler.reply(200, bomb, headers)

    faults.routes["/bomb"] = route
    session = _session(FakeClock(), max_body_bytes=1 * MB)
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge) as caught:
            session.get(faults.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MB
    message = str(caught.value)
    assert "larger than 1 MB once decompressed" in message and "api.max_response_mb" in message
    assert "touchpoints_gsa" in message
    assert len(faults.seen) == 1  # not retried


def test_a_compressed_body_under_the_cap_reads_as_usual(faults: FaultServer) -> None:
    value = {"data": [{"id": str(n), "text": "pothole on Main St"} for n in range(5000)]}
    body = gzip.compress(json.dumps(value).encode())

    def route(handler: FaultHandler) -> None:
        handler.reply(200, body, {"Content-Encoding": "gzip", "Content-Type": "application/json"})

    faults.routes["/gz"] = route
    response = _session(FakeClock(), max_body_bytes=1 * MB).get(faults.url("/gz"))
    assert len(body) < len(response.content) < MB and response_json(response) == value


# Paging that comes back


def test_a_next_link_back_to_a_page_already_read_stops_after_the_second_page(httpserver: HTTPServer) -> None:
    second = httpserver.url_for("/api/v1/timelines/tag/pothole") + "?max_id=5"
    httpserver.expect_request("/api/v1/timelines/tag/pothole", query_string="limit=2").respond_with_json(
        [{"id": "7"}, {"id": "6"}], headers={"Link": f'<{second}>; rel="next"'}
    )
    httpserver.expect_request("/api/v1/timelines/tag/pothole", query_string="max_id=5").respond_with_json(
        [{"id": "5"}], headers={"Link": f'<{second}>; rel="next"'}
    )
    session = _session(FakeClock())
    pages: list[Any] = []
    with pytest.raises(BadResponse) as caught:
        for page, _ in link_pages(session, httpserver.url_for("/api/v1/timelines/tag/pothole"), {"limit": 2}):
            pages.append(page)
    assert pages == [[{"id": "7"}, {"id": "6"}], [{"id": "5"}]]
    assert len(httpserver.log) == 2
    message = str(caught.value)
    assert "connection 'touchpoints_gsa'" in message and "/api/v1/timelines/tag/pothole" in message
    assert "page 2" in message and "already read" in message


def test_a_link_to_the_first_page_itself_stops_after_one_request(httpserver: HTTPServer) -> None:
    first = httpserver.url_for("/feed") + "?limit=2"
    httpserver.expect_request("/feed").respond_with_json(
        [{"id": "1"}], headers={"Link": f'<{first}>; rel="next"'}
    )
    with pytest.raises(BadResponse, match="already read"):
        list(link_pages(_session(FakeClock()), httpserver.url_for("/feed"), {"limit": 2}))
    assert len(httpserver.log) == 1


def test_a_repeating_cursor_stops_after_the_second_page(httpserver: HTTPServer) -> None:
    export = "/api/v2/incremental/tickets/cursor.json"
    httpserver.expect_request(export, query_string="start_time=1").respond_with_json(
        {"tickets": [1], "after_cursor": "MTcxNTA0"}
    )
    httpserver.expect_request(export, query_string="cursor=MTcxNTA0").respond_with_json(
        {"tickets": [2], "after_cursor": "MTcxNTA0"}
    )
    session = _session(FakeClock())

    def fetch(cursor: str | None) -> tuple[list[int], str | None]:
        params = {"cursor": cursor} if cursor else {"start_time": 1}
        page = response_json(session.get(httpserver.url_for(export), params=params))
        return page["tickets"], page["after_cursor"]

    pages: list[list[int]] = []
    with pytest.raises(BadResponse) as caught:
        pages.extend(cursor_pages(fetch, max_pages=1000, session=session))
    assert pages == [[1], [2]] and len(httpserver.log) == 2
    message = str(caught.value)
    assert "connection 'touchpoints_gsa'" in message and export in message and "'MTcxNTA0'" in message
    assert "narrow the interval" not in message
