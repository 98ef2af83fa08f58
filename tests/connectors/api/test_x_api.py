"""X API v2 through tweepy against a local server: real recorded tweets, paging, faults, the cursor."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from civicpulse.extract import extract_source
from civicpulse.http import BadResponse, CredentialsError, RetryBudgetExceeded
from civicpulse.landing import day_folder
from tests.conftest import SHARED_REAL
from tests.connectors.api.conftest import (
    MakeConfig,
    committed,
    load_all,
    query,
    session_for,
    warehouse_cursor,
)
from tests.connectors.api.fakes import FakeX, snowflake
from tests.connectors.conftest import FIXTURES
from tests.http.fakes import FakeClock

DAY = dt.date(2022, 10, 7)
NEXT = DAY + dt.timedelta(days=1)
SEARCH = "/2/tweets/search/recent"
AGENCY = {"id": "2244994945", "name": "Riverton 311", "username": "Riverton311"}


def recorded_search() -> list[dict[str, Any]]:
    tweets: list[dict[str, Any]] = json.loads(
        (FIXTURES / "x/x_recent_search_20221007_page01.json").read_text()
    )["data"]
    for tweet in tweets[:3]:
        tweet["author_id"] = AGENCY["id"]
    return tweets


def recorded_mentions() -> list[dict[str, Any]]:
    recording = SHARED_REAL / "twitter_cassettes/decoded/test_client_get_users_mentions.json"
    data: list[dict[str, Any]] = json.loads(recording.read_text())[0]["body"]["data"]
    return data


def new_tweet(moment: dt.datetime, text: str) -> dict[str, Any]:
    tweet_id = str(snowflake(moment))
    return {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id], "author_id": AGENCY["id"]}


@pytest.fixture
def fake_x(httpserver: HTTPServer) -> FakeX:
    service = FakeX(httpserver, recorded_search(), [AGENCY])
    service.mentions = recorded_mentions()
    return service


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "x_api",
        "x",
        conn_id="x_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        queries=["riverton"],
        mentions_user_id="783214",
        page_size=10,
    )


def raw_ids(config: Any) -> list[str]:
    return [row[0] for row in query(config, "select native_id from raw.social_post order by native_id")]


def test_search_and_mentions_land_every_tweet_exactly_once(
    fake_x: FakeX, config: Any, clock: FakeClock
) -> None:
    fake_x.duplicate_across_pages = True
    fake_x.tweets += [new_tweet(dt.datetime(2022, 10, 7, 23, 0, tzinfo=dt.UTC), "city hall line is long")] * 2
    summary = extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records >= 21 and summary.quarantined == 0
    searches = [args for path, args, _ in fake_x.requests if path == SEARCH]
    assert len(searches) == 2 and searches[1]["next_token"] == "10"
    assert searches[0]["expansions"] == "author_id" and "start_time" in searches[0]
    assert all(
        headers["Authorization"] == "Bearer test-token-not-a-secret" for _, _, headers in fake_x.requests
    )
    assert committed(config) is None
    load_all(config, DAY, NEXT)
    ids = raw_ids(config)
    assert len(ids) == len(set(ids)) == 21
    handles = query(config, "select count(*) from raw.social_post where author_handle = 'Riverton311'")
    assert handles == [(4,)]
    cursor = committed(config)
    assert cursor is not None and cursor.values["since_id"] == max(ids, key=int)
    assert warehouse_cursor(config) == cursor.to_json()


def test_rate_limits_and_server_errors_are_waited_out_and_retried(
    fake_x: FakeX, config: Any, clock: FakeClock
) -> None:
    fake_x.fail_next(
        SEARCH,
        (429, '{"title": "Too Many Requests"}', {"x-rate-limit-reset": str(int(clock.now()) + 60)}),
        (503, '{"title": "Service Unavailable"}', {}),
        (500, "", {}),
    )
    extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock, attempts=5))
    load_all(config, DAY, NEXT)
    assert clock.sleeps[0] == pytest.approx(60.0) and clock.sleeps[1:] == [1.0, 2.0]
    assert len(raw_ids(config)) == 20


def test_a_failed_night_leaves_the_cursor_and_the_rerun_resumes_from_it(
    fake_x: FakeX, config: Any, clock: FakeClock
) -> None:
    extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    before = committed(config)
    assert before is not None
    later = dt.datetime(2022, 10, 8, 9, 0, tzinfo=dt.UTC)
    fake_x.tweets += [
        new_tweet(later + dt.timedelta(minutes=m), f"pothole on Elm, report {m}") for m in range(12)
    ]
    fake_x.fail_next(SEARCH, *[(503, "", {})] * 4)
    with pytest.raises(RetryBudgetExceeded, match="4 attempts"):
        extract_source(config, "x_api", NEXT, NEXT + dt.timedelta(days=1), http=session_for(config, clock))
    assert committed(config) == before and warehouse_cursor(config) == before.to_json()
    assert not day_folder(config.landing_path, "x_api", NEXT).exists()
    fake_x.requests.clear()
    extract_source(config, "x_api", NEXT, NEXT + dt.timedelta(days=1), http=session_for(config, clock))
    load_all(config, NEXT, NEXT + dt.timedelta(days=1))
    resumed = [args for path, args, _ in fake_x.requests if path == SEARCH]
    assert resumed[0]["since_id"] == before.values["since_id"] and "start_time" not in resumed[0]
    assert len(raw_ids(config)) == 32 and len(set(raw_ids(config))) == 32
    after = committed(config)
    assert after is not None and int(after.values["since_id"]) > int(before.values["since_id"])


def test_rerunning_a_loaded_interval_refetches_it_whole_and_keeps_the_cursor(
    fake_x: FakeX, config: Any, clock: FakeClock
) -> None:
    extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    first = committed(config)
    fake_x.requests.clear()
    extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    assert "start_time" in fake_x.requests[0][1] and "since_id" not in fake_x.requests[0][1]
    assert len(raw_ids(config)) == 20 and committed(config) == first


def test_a_gap_after_a_failed_night_is_fetched_and_loaded_with_the_next_interval(
    fake_x: FakeX, config: Any, clock: FakeClock
) -> None:
    extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    missed = dt.datetime(2022, 10, 8, 12, 0, tzinfo=dt.UTC)
    fake_x.tweets += [
        new_tweet(missed, "missed night: 311 app down"),
        new_tweet(missed.replace(day=9), "today"),
    ]
    third = NEXT + dt.timedelta(days=1)
    summary = extract_source(
        config, "x_api", third, third + dt.timedelta(days=1), http=session_for(config, clock)
    )
    assert summary.days == 2 and summary.records == 2
    load_all(config, third, third + dt.timedelta(days=1))
    days = query(config, "select partition_day, count(*) from raw.social_post group by 1 order by 1")
    assert days == [(DAY, 20), (NEXT, 1), (third, 1)]


def test_an_expired_token_names_the_connection_and_keeps_the_cursor(
    fake_x: FakeX, config: Any, clock: FakeClock
) -> None:
    fake_x.fail_next(SEARCH, (401, '{"title": "Unauthorized", "status": 401}', {}))
    with pytest.raises(CredentialsError) as caught:
        extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock))
    assert "x_riverton" in str(caught.value) and "CIVICPULSE_X_API_TOKEN" in str(caught.value)
    assert "test-token" not in str(caught.value) and committed(config) is None


def test_a_truncated_page_fails_with_its_url_and_page_and_moves_nothing(
    fake_x: FakeX, config: Any, clock: FakeClock
) -> None:
    fake_x.fail_next(SEARCH, (200, '{"data": [{"id": "157851606830979', {}))
    with pytest.raises(BadResponse, match=r"search/recent\?.*\(page 1\).*cut off"):
        extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock))
    assert committed(config) is None and not day_folder(config.landing_path, "x_api", DAY).exists()


def test_an_empty_window_lands_empty_days_and_keeps_the_since_id(
    fake_x: FakeX, config: Any, clock: FakeClock, tmp_path: Path
) -> None:
    extract_source(config, "x_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    before = committed(config)
    assert before is not None
    extract_source(config, "x_api", NEXT, NEXT + dt.timedelta(days=1), http=session_for(config, clock))
    load_all(config, NEXT, NEXT + dt.timedelta(days=1))
    after = committed(config)
    assert after is not None and after.values == before.values and after.through > before.through
