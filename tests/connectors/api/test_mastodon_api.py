"""Mastodon hashtag timelines and mentions against a local server: real recorded statuses, Link paging,
the cursor."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.config import ConfigError
from civicpulse.extract import extract_source
from civicpulse.http import BadResponse, CredentialsError, RetryBudgetExceeded
from civicpulse.state import Cursor, midnight, write_state_file
from tests.connectors.api.conftest import MakeConfig, committed, load_all, query, session_for
from tests.connectors.api.fakes import FakeMastodon, status_at
from tests.connectors.conftest import FIXTURES
from tests.http.fakes import FakeClock

DAY = dt.date(2026, 8, 1)
NEXT = DAY + dt.timedelta(days=1)
TAG = "/api/v1/timelines/tag/riverton"
NOTIFICATIONS = "/api/v1/notifications"
HOOT = "117020593741189701"
JEEP = "117020588169351887"


def recorded_statuses() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (FIXTURES / "mastodon/mastodon_public_20260801_page01.json").read_text()
    )
    return data


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeMastodon:
    return FakeMastodon(httpserver, {"riverton": recorded_statuses(), "riverton311": []})


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "mastodon_api",
        "mastodon",
        conn_id="mastodon_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        hashtags=["riverton", "riverton311"],
        page_size=2,
    )


def raw_ids(config: Any) -> list[str]:
    return [row[0] for row in query(config, "select native_id from raw.social_post order by native_id")]


def test_timelines_are_paged_through_link_headers_and_land_once(
    fake: FakeMastodon, config: Any, clock: FakeClock
) -> None:
    fake.statuses["riverton311"] = [recorded_statuses()[0]]
    extract_source(config, "mastodon_api", DAY, NEXT, http=session_for(config, clock))
    pages = [args for path, args, _ in fake.requests if path == TAG]
    assert [p.get("max_id") for p in pages] == [
        None,
        "117020592137523525",
        "117020588242324937",
        "117020588169351887",
    ]
    load_all(config, DAY, NEXT)
    ids = raw_ids(config)
    assert len(ids) == len(set(ids)) == 5
    cursor = committed(config)
    assert cursor is not None
    assert cursor.values["since_ids"] == {
        "riverton": "117020593378945190",
        "riverton311": "117020593378945190",
    }


def test_statuses_after_the_window_wait_for_the_next_run_and_are_not_skipped(
    fake: FakeMastodon, config: Any, clock: FakeClock
) -> None:
    template = recorded_statuses()[0]
    early = status_at(template, dt.datetime(2026, 8, 2, 0, 30, tzinfo=dt.UTC), "Pothole on Main St since May")
    fake.statuses["riverton"].append(early)
    extract_source(config, "mastodon_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    assert early["id"] not in raw_ids(config)
    fake.requests.clear()
    extract_source(config, "mastodon_api", NEXT, NEXT + dt.timedelta(days=1), http=session_for(config, clock))
    load_all(config, NEXT, NEXT + dt.timedelta(days=1))
    assert fake.requests[0][1]["since_id"] == "117020593378945190"
    assert early["id"] in raw_ids(config) and len(raw_ids(config)) == 6


def test_a_malformed_page_fails_naming_it_and_the_rerun_lands_everything(
    fake: FakeMastodon, config: Any, clock: FakeClock
) -> None:
    fake.fail_next(TAG, (200, '[{"id": "1", "content": "<p>cut', {}))
    with pytest.raises(BadResponse, match=r"timelines/tag/riverton\?limit=2 \(page 1\)"):
        extract_source(config, "mastodon_api", DAY, NEXT, http=session_for(config, clock))
    assert committed(config) is None
    extract_source(config, "mastodon_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    assert len(raw_ids(config)) == 5


def test_html_content_becomes_text_like_in_file_mode(
    fake: FakeMastodon, config: Any, clock: FakeClock
) -> None:
    fake.statuses["riverton"] = [
        status_at(
            recorded_statuses()[0], dt.datetime(2026, 8, 1, 9, tzinfo=dt.UTC), "Trash <br>pickup &amp; bins"
        )
    ]
    extract_source(config, "mastodon_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    assert query(config, "select text from raw.social_post") == [("Trash\npickup & bins",)]


def recorded_mentions() -> list[dict[str, Any]]:
    """Real recorded statuses in Notification envelopes: mentions 31 and 28, a favourite, a follow."""
    data: list[dict[str, Any]] = json.loads(
        (FIXTURES / "mastodon/mastodon_notifications_20260801_page01.json").read_text()
    )
    return data


def mention_at(
    notification_id: str, received: dt.datetime, created: dt.datetime, text: str, visibility: str = "public"
) -> dict[str, Any]:
    mention = copy.deepcopy(recorded_mentions()[0])
    mention["id"] = notification_id
    mention["created_at"] = received.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    mention["status"] = {**status_at(mention["status"], created, text), "visibility": visibility}
    return mention


class FakeMentions(FakeMastodon):
    """Also GET /api/v1/notifications, newest first by notification id: `limit`, `max_id`, `since_id`
    and `types[]` unless `ignore_types`; like Mastodon, Link rel=next keeps `types[]` and `limit` only."""

    def __init__(
        self, server: HTTPServer, statuses: dict[str, list[dict[str, Any]]], mentions: list[dict[str, Any]]
    ) -> None:
        super().__init__(server, statuses)
        self.notifications = mentions
        self.ignore_types = False
        server.expect_request(NOTIFICATIONS).respond_with_handler(self._notifications)

    def _notifications(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault:
            return fault
        args = request.args
        types = args.getlist("types[]")
        chosen = sorted(self.notifications, key=lambda n: int(n["id"]), reverse=True)
        if types and not self.ignore_types:
            chosen = [n for n in chosen if n["type"] in types]
        if "max_id" in args:
            chosen = [n for n in chosen if int(n["id"]) < int(args["max_id"])]
        if "since_id" in args:
            chosen = [n for n in chosen if int(n["id"]) > int(args["since_id"])]
        limit = args.get("limit", "40")
        page = chosen[: int(limit)]
        headers = {}
        if page:
            query = urlencode(
                [*(("types[]", t) for t in types), ("limit", limit), ("max_id", page[-1]["id"])]
            )
            headers["Link"] = f'<{request.base_url}?{query}>; rel="next"'
        return Response(json.dumps(page), headers=headers, content_type="application/json")

    def calls(self) -> list[dict[str, str]]:
        return [args for path, args, _ in self.requests if path == NOTIFICATIONS]


@pytest.fixture
def mentions_fake(httpserver: HTTPServer) -> FakeMentions:
    return FakeMentions(httpserver, {"riverton": recorded_statuses()}, recorded_mentions())


@pytest.fixture
def mentions_config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "mastodon_api",
        "mastodon",
        conn_id="mastodon_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        hashtags=["riverton"],
        mentions=True,
        page_size=2,
    )


def count_of(config: Any, native_id: str) -> int:
    rows = query(config, "select count(*) from raw.social_post where native_id = ?", [native_id])
    return int(rows[0][0])


def test_mentions_are_paged_through_link_headers_and_a_status_also_on_a_timeline_lands_once(
    mentions_fake: FakeMentions, mentions_config: Any, clock: FakeClock
) -> None:
    later = dt.datetime(2026, 8, 1, 15, tzinfo=dt.UTC)
    mentions_fake.notifications.append(mention_at("32", later, later, "Streetlight out on Oak Ave"))
    extract_source(mentions_config, "mastodon_api", DAY, NEXT, http=session_for(mentions_config, clock))
    calls = mentions_fake.calls()
    assert [c.get("max_id") for c in calls] == [None, "31", "28"]
    assert all(c["types[]"] == "mention" and c["limit"] == "2" for c in calls)
    headers = [h for path, _, h in mentions_fake.requests if path == NOTIFICATIONS]
    assert headers[0]["Authorization"] == "Bearer test-token-not-a-secret"
    load_all(mentions_config, DAY, NEXT)
    ids = raw_ids(mentions_config)
    assert len(ids) == len(set(ids)) == 7 and HOOT in ids
    assert count_of(mentions_config, JEEP) == 1
    cursor = committed(mentions_config)
    assert cursor is not None
    assert cursor.values == {"since_ids": {"riverton": "117020593378945190"}, "mentions_since_id": "32"}


def test_the_next_run_asks_for_mentions_since_the_newest_notification_id(
    mentions_fake: FakeMentions, mentions_config: Any, clock: FakeClock
) -> None:
    extract_source(mentions_config, "mastodon_api", DAY, NEXT, http=session_for(mentions_config, clock))
    load_all(mentions_config, DAY, NEXT)
    morning = dt.datetime(2026, 8, 2, 9, tzinfo=dt.UTC)
    fresh = mention_at("33", morning, morning, "Thanks for fixing the pothole on Elm St")
    mentions_fake.notifications.append(fresh)
    mentions_fake.requests.clear()
    after = NEXT + dt.timedelta(days=1)
    extract_source(mentions_config, "mastodon_api", NEXT, after, http=session_for(mentions_config, clock))
    load_all(mentions_config, NEXT, after)
    assert mentions_fake.calls()[0]["since_id"] == "31"
    assert fresh["status"]["id"] in raw_ids(mentions_config)
    cursor = committed(mentions_config)
    assert cursor is not None and cursor.values["mentions_since_id"] == "33"


def test_a_cursor_written_before_mentions_were_read_still_resumes_the_hashtags(
    mentions_fake: FakeMentions, mentions_config: Any, clock: FakeClock
) -> None:
    old = Cursor(through=midnight(DAY), values={"since_ids": {"riverton": "117020592137523525"}})
    write_state_file(mentions_config.landing_path, "mastodon_api", old)
    extract_source(mentions_config, "mastodon_api", DAY, NEXT, http=session_for(mentions_config, clock))
    tag_calls = [args for path, args, _ in mentions_fake.requests if path == TAG]
    assert tag_calls[0]["since_id"] == "117020592137523525"
    assert "since_id" not in mentions_fake.calls()[0]
    load_all(mentions_config, DAY, NEXT)
    assert set(raw_ids(mentions_config)) == {"117020593378945190", HOOT, JEEP}
    cursor = committed(mentions_config)
    assert cursor is not None
    assert cursor.values == {"since_ids": {"riverton": "117020593378945190"}, "mentions_since_id": "31"}


def test_mentions_after_the_window_wait_and_a_failed_run_leaves_the_cursor(
    mentions_fake: FakeMentions, mentions_config: Any, clock: FakeClock
) -> None:
    early = dt.datetime(2026, 8, 2, 0, 30, tzinfo=dt.UTC)
    waiting = mention_at("33", early, early, "Bus 12 skipped our stop again")
    late_arrival = mention_at(
        "34",
        dt.datetime(2026, 8, 2, 0, 40, tzinfo=dt.UTC),
        dt.datetime(2026, 8, 1, 23, 50, tzinfo=dt.UTC),
        "Pool closed?",
    )
    mentions_fake.notifications += [waiting, late_arrival]
    extract_source(mentions_config, "mastodon_api", DAY, NEXT, http=session_for(mentions_config, clock))
    load_all(mentions_config, DAY, NEXT)
    ids = raw_ids(mentions_config)
    assert late_arrival["status"]["id"] in ids and waiting["status"]["id"] not in ids
    first = committed(mentions_config)
    assert first is not None and first.values["mentions_since_id"] == "31"

    after = NEXT + dt.timedelta(days=1)
    mentions_fake.fail_next(NOTIFICATIONS, *[(503, "", {})] * 4)
    with pytest.raises(RetryBudgetExceeded, match="cursor has not moved"):
        extract_source(mentions_config, "mastodon_api", NEXT, after, http=session_for(mentions_config, clock))
    assert committed(mentions_config) == first

    mentions_fake.requests.clear()
    extract_source(mentions_config, "mastodon_api", NEXT, after, http=session_for(mentions_config, clock))
    load_all(mentions_config, NEXT, after)
    assert mentions_fake.calls()[0]["since_id"] == "31"
    assert count_of(mentions_config, waiting["status"]["id"]) == 1
    assert count_of(mentions_config, late_arrival["status"]["id"]) == 1
    cursor = committed(mentions_config)
    assert cursor is not None and cursor.values["mentions_since_id"] == "34"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (403, "This action is outside the authorized scopes"),
        (422, "This method requires an authenticated user"),
    ],
)
def test_a_token_that_cannot_read_notifications_fails_naming_the_connection_and_the_scope(
    mentions_fake: FakeMentions, mentions_config: Any, clock: FakeClock, status: int, error: str
) -> None:
    mentions_fake.fail_next(NOTIFICATIONS, (status, json.dumps({"error": error}), {}))
    with pytest.raises(CredentialsError) as failure:
        extract_source(mentions_config, "mastodon_api", DAY, NEXT, http=session_for(mentions_config, clock))
    message = str(failure.value)
    assert f"HTTP {status}" in message and "connection 'mastodon_riverton'" in message
    assert "agency's own account (not an app token) with the scope read:notifications" in message
    assert committed(mentions_config) is None


def test_other_notifications_and_direct_mentions_are_skipped_not_quarantined(
    make_config: MakeConfig, httpserver: HTTPServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeMentions(httpserver, {}, recorded_mentions())
    fake.ignore_types = True
    noon = dt.datetime(2026, 8, 1, 12, tzinfo=dt.UTC)
    fake.notifications.append(mention_at("35", noon, noon, "My account number is ...", visibility="direct"))
    config = make_config(
        "mastodon_api",
        "mastodon",
        conn_id="mastodon_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        mentions=True,
    )
    caplog.set_level(logging.INFO, logger="connectors.mastodon.helpers")
    summary = extract_source(config, "mastodon_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records == 2 and summary.quarantined == 0
    assert (
        "skipped, not landed: 1 direct status, 1 favourite notification, 1 follow notification" in caplog.text
    )
    load_all(config, DAY, NEXT)
    assert set(raw_ids(config)) == {HOOT, JEEP}
    cursor = committed(config)
    assert cursor is not None and cursor.values == {"mentions_since_id": "35"}


@pytest.mark.parametrize("hashtags", [[], None])
def test_a_source_with_no_hashtags_and_no_mentions_is_a_config_error(
    make_config: MakeConfig, httpserver: HTTPServer, hashtags: list[str] | None
) -> None:
    extra = {} if hashtags is None else {"hashtags": hashtags}
    with pytest.raises(ConfigError) as failure:
        make_config(
            "mastodon_api", "mastodon", conn_id="mastodon_riverton", base_url=httpserver.url_for("/"), **extra
        )
    assert "sources.0.api: Value error, nothing to read" in str(failure.value)
    assert "mentions: true" in str(failure.value)
