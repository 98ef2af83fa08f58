"""Facebook Graph API comments against a local server: the recorded comments page of
sns-sdks/python-facebook (tests/fixtures/facebook/, Apache-2.0) served newest first, paged by cursors."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.extract import extract_source
from civicpulse.http import BadResponse, CredentialsError
from civicpulse.sources import ParseContext, Record, load_connector
from tests.connectors.api.conftest import TOKEN, MakeConfig, committed, load_all, query, session_for
from tests.connectors.api.fakes import FakeService
from tests.http.fakes import FakeClock

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "facebook" / "comments_p1.json"
PAGE = "19292868552"
POST = f"{PAGE}_10158407654328553"
POSTS = f"/v19.0/{PAGE}/posts"
COMMENTS = f"/v19.0/{POST}/comments"
DAY = dt.date(2021, 8, 11)
NEXT = DAY + dt.timedelta(days=1)
EXPIRED = json.dumps(
    {
        "error": {
            "message": "Error validating access token: Session has expired on Tuesday, 10-Aug-21.",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
            "fbtrace_id": "A1b2C3d4E5f",
        }
    }
)


def recorded_comments() -> list[dict[str, Any]]:
    comments: list[dict[str, Any]] = json.loads(RECORDED.read_text())["data"]
    return comments


def _created(comment: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(comment["created_time"])


class FakeGraph(FakeService):
    """GET /<page>/posts (one post), /<post>/comments newest first: `limit`, `after` cursors, paging.next."""

    def __init__(self, server: HTTPServer, comments: list[dict[str, Any]]) -> None:
        super().__init__(server)
        self.comments = comments
        self.duplicate_across_pages = False
        server.expect_request(POSTS).respond_with_handler(self.posts)
        server.expect_request(COMMENTS).respond_with_handler(self.handle)

    def posts(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault:
            return fault
        body = {"data": [{"id": POST, "created_time": "2021-08-10T17:00:00+0000"}], "paging": {}}
        return Response(json.dumps(body), content_type="application/json")

    def handle(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault:
            return fault
        chosen = sorted(self.comments, key=_created, reverse=True)
        limit = int(request.args["limit"])
        offset = int(request.args.get("after", "0").removeprefix("QVFIU"))
        data = chosen[offset : offset + limit]
        if self.duplicate_across_pages and offset:
            data = [chosen[offset - 1], *data]
        paging: dict[str, Any] = {"cursors": {"before": f"QVFIU{offset}", "after": f"QVFIU{offset + limit}"}}
        if offset + limit < len(chosen):
            paging["next"] = f"{request.base_url}?limit={limit}&after=QVFIU{offset + limit}"
        body = {"data": data, "paging": paging}
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeGraph:
    return FakeGraph(httpserver, recorded_comments())


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "facebook_api",
        "facebook_pages",
        conn_id="facebook_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        page_id=PAGE,
        page_size=3,
    )


def comment_requests(fake: FakeGraph) -> list[dict[str, str]]:
    return [args for path, args, _ in fake.requests if path == COMMENTS]


def test_comments_are_paged_newest_first_until_before_the_window(
    fake: FakeGraph, config: Any, clock: FakeClock
) -> None:
    summary = extract_source(config, "facebook_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records == 5
    assert [args.get("after") for args in comment_requests(fake)] == [None, "QVFIU3", "QVFIU6"]
    first = comment_requests(fake)[0]
    assert first["filter"] == "stream" and first["order"] == "reverse_chronological"
    assert {headers["Authorization"] for _, _, headers in fake.requests} == {f"Bearer {TOKEN}"}
    load_all(config, DAY, NEXT)
    rows = query(
        config, "select native_id, reply_to_id, platform, text from raw.social_post order by occurred_at"
    )
    assert rows[0] == (
        "10158408729028553",
        "10158407654328553",
        "facebook",
        "Wow that's great thank you very much",
    )
    assert rows[2][:2] == ("10158409983033553", "10158407903973553")
    assert len(rows) == 5 and committed(config) is not None


def test_throttling_server_errors_and_a_repeated_comment_are_survived(
    fake: FakeGraph, config: Any, clock: FakeClock
) -> None:
    fake.duplicate_across_pages = True
    fake.fail_next(COMMENTS, (429, "", {"Retry-After": "11"}), (500, "", {}), (503, "", {}))
    extract_source(config, "facebook_api", DAY, NEXT, http=session_for(config, clock, attempts=5))
    assert clock.sleeps[0] == 11.0
    load_all(config, DAY, NEXT)
    assert query(config, "select count(*), count(distinct native_id) from raw.social_post") == [(5, 5)]


def test_a_post_without_comments_is_one_empty_page(fake: FakeGraph, config: Any, clock: FakeClock) -> None:
    fake.comments = []
    summary = extract_source(config, "facebook_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records == 0 and len(comment_requests(fake)) == 1


def test_a_failed_night_keeps_the_cursor_and_the_next_night_fetches_the_gap(
    fake: FakeGraph, config: Any, clock: FakeClock
) -> None:
    extract_source(config, "facebook_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    before = committed(config)
    assert before is not None
    third = NEXT + dt.timedelta(days=1)
    fake.fail_next(COMMENTS, (200, '{"data": [{"comment_count": 1, "created_time": "2021-08-12T04:1', {}))
    with pytest.raises(BadResponse, match="cut off"):
        extract_source(config, "facebook_api", NEXT, third, http=session_for(config, clock))
    assert committed(config) == before
    late = copy.deepcopy(recorded_comments()[3])
    late.update(created_time="2021-08-13T09:00:00+0000", message="Library hours on #Riverton site are wrong")
    late["permalink_url"] = late["permalink_url"].replace("10158408729028553", "10158499999999553")
    fake.comments.append(late)
    summary = extract_source(
        config, "facebook_api", third, third + dt.timedelta(days=1), http=session_for(config, clock)
    )
    assert summary.days == 2 and summary.records == 3
    load_all(config, third, third + dt.timedelta(days=1))
    days = query(config, "select partition_day, count(*) from raw.social_post group by 1 order by 1")
    assert days == [(DAY, 5), (NEXT, 2), (third, 1)]
    assert query(config, "select hashtags from raw.social_post where partition_day = ?", [third]) == [
        (["riverton"],)
    ]


def test_an_expired_token_answered_with_code_190_names_the_connection(
    fake: FakeGraph, config: Any, clock: FakeClock
) -> None:
    fake.fail_next(POSTS, (400, EXPIRED, {}))
    with pytest.raises(CredentialsError, match="facebook_riverton") as caught:
        extract_source(config, "facebook_api", DAY, NEXT, http=session_for(config, clock))
    assert TOKEN not in str(caught.value) and committed(config) is None


def test_the_pages_own_replies_are_not_feedback(fake: FakeGraph, config: Any, clock: FakeClock) -> None:
    for comment in fake.comments:
        if comment["message"].startswith("Hi,"):
            comment["from"] = {"id": PAGE, "name": "Facebook for Developers"}
    summary = extract_source(config, "facebook_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records == 3


def test_file_mode_reads_a_saved_comments_page() -> None:
    rows = list(load_connector("facebook_pages").parse_file(RECORDED, ParseContext(source="facebook_files")))
    assert len(rows) == 10 and all(isinstance(r, Record) for r in rows)
    assert isinstance(rows[0], Record) and rows[0].values["reply_to_id"] == "10158407654328553"
