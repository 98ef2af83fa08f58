"""The shared HTTP layer against a local server: retries, rate limits, budgets, credentials, bad JSON."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.http import (
    ApiSession,
    BadResponse,
    Credentials,
    CredentialsError,
    HttpError,
    RetryBudgetExceeded,
    RetryPolicy,
    link_pages,
    numbered_pages,
    offset_pages,
    safe_url,
)
from tests.http.fakes import FakeClock

CREDENTIALS = Credentials("zendesk_city", "CIVICPULSE_ZENDESK_TOKEN", "password: API token")


def _session(clock: FakeClock, attempts: int = 4, read_timeout: float = 5.0) -> ApiSession:
    return ApiSession(
        CREDENTIALS,
        policy=RetryPolicy(max_attempts=attempts, timeout=(2.0, read_timeout)),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )


def test_429_waits_as_long_as_retry_after_says(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    httpserver.expect_oneshot_request("/items").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "17"}
    )
    httpserver.expect_oneshot_request("/items").respond_with_json({"items": [1]})
    assert _session(clock).get_json(httpserver.url_for("/items")) == {"items": [1]}
    assert clock.sleeps == [17.0]


def test_429_with_x_rate_limit_reset_epoch_waits_until_the_reset(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    reset = int(clock.now()) + 42
    httpserver.expect_oneshot_request("/2/x").respond_with_data(
        "", status=429, headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"}
    )
    httpserver.expect_oneshot_request("/2/x").respond_with_json({"data": []})
    _session(clock).get_json(httpserver.url_for("/2/x"))
    assert clock.sleeps == [pytest.approx(42.0)]


def test_exhausted_remaining_waits_for_the_reset_before_the_next_call_only(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    httpserver.expect_oneshot_request("/p").respond_with_json(
        {"page": 1}, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"}
    )
    httpserver.expect_oneshot_request("/p").respond_with_json({"page": 2})
    session = _session(clock)
    session.get_json(httpserver.url_for("/p"))
    assert clock.sleeps == []
    session.get_json(httpserver.url_for("/p"))
    assert clock.sleeps == [30.0]


def test_mastodon_iso_reset_time_is_understood(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    reset = dt.datetime.fromtimestamp(clock.now() + 90, dt.UTC).isoformat().replace("+00:00", "Z")
    httpserver.expect_oneshot_request("/m").respond_with_json(
        [], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    )
    httpserver.expect_oneshot_request("/m").respond_with_json([])
    session = _session(clock)
    session.get_json(httpserver.url_for("/m"))
    session.get_json(httpserver.url_for("/m"))
    assert clock.sleeps == [pytest.approx(90.0)]


def test_a_run_of_5xx_backs_off_exponentially_then_succeeds(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    for status in (500, 502, 503):
        httpserver.expect_oneshot_request("/r").respond_with_data("oops", status=status)
    httpserver.expect_oneshot_request("/r").respond_with_json({"ok": True})
    assert _session(clock).get_json(httpserver.url_for("/r")) == {"ok": True}
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_the_retry_budget_names_the_url_without_secrets_attempts_and_last_status(
    httpserver: HTTPServer,
) -> None:
    clock = FakeClock()
    httpserver.expect_request("/down").respond_with_data("", status=503)
    with pytest.raises(RetryBudgetExceeded) as caught:
        _session(clock, attempts=3).get(httpserver.url_for("/down"), params={"api_key": "s3cret", "q": "a"})
    message = str(caught.value)
    assert "/down?api_key=***&q=a" in message and "3 attempts" in message and "HTTP 503" in message
    assert "s3cret" not in message and len(clock.sleeps) == 2


def test_a_timeout_is_retried(httpserver: HTTPServer) -> None:
    calls: list[float] = []

    def slow_then_fast(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            time.sleep(0.6)
        return Response(json.dumps({"ok": len(calls)}), content_type="application/json")

    httpserver.expect_request("/t").respond_with_handler(slow_then_fast)
    clock = FakeClock()
    # The test server answers one request at a time, so a retry can queue behind the slow one.
    answered = _session(clock, read_timeout=0.2).get_json(httpserver.url_for("/t"))["ok"]
    assert answered >= 2 and len(clock.sleeps) == answered - 1


def test_connection_refused_exhausts_the_budget_with_the_error_kind() -> None:
    clock = FakeClock()
    with pytest.raises(RetryBudgetExceeded, match="ConnectionError"):
        _session(clock, attempts=2).get("http://127.0.0.1:9/nothing")


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_credentials_name_the_connection_and_what_to_set(
    httpserver: HTTPServer, status: int
) -> None:
    httpserver.expect_request("/me").respond_with_json({"error": "expired"}, status=status)
    with pytest.raises(CredentialsError) as caught:
        _session(FakeClock()).get(httpserver.url_for("/me"), params={"access_token": "tok"})
    message = str(caught.value)
    assert f"HTTP {status}" in message and "zendesk_city" in message and "CIVICPULSE_ZENDESK_TOKEN" in message
    assert "tok&" not in message and "access_token=***" in message


def test_other_client_errors_fail_at_once_with_the_body(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/bad").respond_with_json({"error": "unknown field foo"}, status=400)
    clock = FakeClock()
    with pytest.raises(HttpError, match=r"HTTP 400.*unknown field foo"):
        _session(clock).get(httpserver.url_for("/bad"))
    assert clock.sleeps == []


def test_truncated_json_names_the_url_and_page(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cut").respond_with_data(
        '{"data": [{"id": "1"', content_type="application/json"
    )
    with pytest.raises(BadResponse) as caught:
        _session(FakeClock()).get_json(httpserver.url_for("/cut"), {"token": "abc"}, page=3)
    message = str(caught.value)
    assert "/cut?token=***" in message and "page 3" in message and "cut off" in message


def test_malformed_json_is_named_as_such(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/html").respond_with_data("<html>maintenance</html>")
    with pytest.raises(BadResponse, match="not valid JSON"):
        _session(FakeClock()).get_json(httpserver.url_for("/html"))


def test_requests_are_logged_without_secrets(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/q").respond_with_json({})
    session = _session(FakeClock())
    session.headers["Authorization"] = "Bearer very-secret"
    with caplog.at_level(logging.DEBUG):
        session.get(httpserver.url_for("/q"), params={"apikey": "k1", "token_auth": "k2", "period": "day"})
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "/q?apikey=***&token_auth=***&period=day -> 200" in logged
    assert "k1" not in logged and "k2" not in logged and "very-secret" not in logged


def test_safe_url_keeps_paging_parameters() -> None:
    url = safe_url("https://h/x?page%5Bnumber%5D=2&api_key=z", {"page[size]": 50})
    assert url == "https://h/x?page[number]=2&api_key=***&page[size]=50"


def test_link_pages_follow_rel_next(httpserver: HTTPServer) -> None:
    second = httpserver.url_for("/tl") + "?max_id=5"
    httpserver.expect_oneshot_request("/tl", query_string="limit=2").respond_with_json(
        [{"id": "7"}, {"id": "6"}], headers={"Link": f'<{second}>; rel="next"'}
    )
    httpserver.expect_oneshot_request("/tl", query_string="max_id=5").respond_with_json([{"id": "5"}])
    pages = [page for page, _ in link_pages(_session(FakeClock()), httpserver.url_for("/tl"), {"limit": 2})]
    assert pages == [[{"id": "7"}, {"id": "6"}], [{"id": "5"}]]


def test_numbered_and_offset_pages_stop_at_short_or_empty_pages() -> None:
    data = list(range(7))
    by_number = list(numbered_pages(lambda n: data[(n - 1) * 3 : n * 3], 3))
    assert by_number == [[0, 1, 2], [3, 4, 5], [6]]
    exact = list(numbered_pages(lambda n: data[:6][(n - 1) * 3 : n * 3], 3))
    assert exact == [[0, 1, 2], [3, 4, 5]]
    by_offset = list(offset_pages(lambda o: (data[o : o + 4], len(data)), 4))
    assert by_offset == [[0, 1, 2, 3], [4, 5, 6]]


def test_tweepy_style_callers_get_a_context_manager_response(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/c").respond_with_json({"a": 1})
    with _session(FakeClock()).request("GET", httpserver.url_for("/c")) as response:
        assert isinstance(response, requests.Response) and response.json() == {"a": 1}
