"""Local stand-ins for X API v2 and Mastodon: real recorded entities, paged and filtered like the services.

Faults are queued per path and served before the normal answer: `(status, body, headers)`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import defaultdict, deque
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

SNOWFLAKE_EPOCH_MS = 1288834974657
Fault = tuple[int, str, dict[str, str]]


def snowflake(moment: dt.datetime) -> int:
    return (int(moment.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22


def snowflake_time(tweet_id: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(((tweet_id >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, dt.UTC)


def _rfc3339(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


class FakeService:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []

    def fail_next(self, path: str, *faults: Fault) -> None:
        self.faults[path].extend(faults)

    def _fault(self, request: Request) -> Response | None:
        self.requests.append((request.path, dict(request.args), dict(request.headers)))
        queue = self.faults.get(request.path)
        if queue:
            status, body, headers = queue.popleft()
            return Response(body, status=status, headers=headers, content_type="application/json")
        return None


class FakeX(FakeService):
    """GET /2/tweets/search/recent and /2/users/:id/mentions over a list of tweets, newest first."""

    def __init__(self, server: HTTPServer, tweets: list[dict[str, Any]], users: list[dict[str, Any]]) -> None:
        super().__init__(server)
        self.tweets = tweets
        self.users = {user["id"]: user for user in users}
        self.mentions: list[dict[str, Any]] = []
        self.duplicate_across_pages = False
        server.expect_request("/2/tweets/search/recent").respond_with_handler(self._search)
        server.expect_request("/2/users/783214/mentions").respond_with_handler(self._mentions)

    def _search(self, request: Request) -> Response:
        return self._fault(request) or self._page(request, self.tweets, "next_token")

    def _mentions(self, request: Request) -> Response:
        return self._fault(request) or self._page(request, self.mentions, "pagination_token")

    def _page(self, request: Request, tweets: list[dict[str, Any]], token_name: str) -> Response:
        args = request.args
        chosen = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
        if "since_id" in args:
            chosen = [t for t in chosen if int(t["id"]) > int(args["since_id"])]
        elif "start_time" in args:
            chosen = [t for t in chosen if snowflake_time(int(t["id"])) >= _rfc3339(args["start_time"])]
        if "end_time" in args:
            chosen = [t for t in chosen if snowflake_time(int(t["id"])) < _rfc3339(args["end_time"])]
        size = int(args.get("max_results", "10"))
        offset = int(args.get(token_name, "0"))
        page = chosen[offset : offset + size]
        if self.duplicate_across_pages and offset and page:
            page = [chosen[offset - 1], *page]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if offset + size < len(chosen):
            meta["next_token"] = str(offset + size)
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
            authors = {t.get("author_id") for t in page} & self.users.keys()
            if "author_id" in args.get("expansions", "") and authors:
                body["includes"] = {"users": [self.users[a] for a in sorted(authors)]}
        headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449", "x-rate-limit-reset": "0"}
        return Response(json.dumps(body), headers=headers, content_type="application/json")


class FakeMastodon(FakeService):
    """GET /api/v1/timelines/tag/:tag, newest first, `limit`/`max_id`/`since_id`, Link rel=next."""

    def __init__(self, server: HTTPServer, statuses: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__(server)
        self.statuses = statuses
        for tag in statuses:
            server.expect_request(f"/api/v1/timelines/tag/{tag}").respond_with_handler(self._timeline)

    def _timeline(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault:
            return fault
        tag = request.path.rsplit("/", 1)[1]
        chosen = sorted(self.statuses[tag], key=lambda s: int(s["id"]), reverse=True)
        if "max_id" in request.args:
            chosen = [s for s in chosen if int(s["id"]) < int(request.args["max_id"])]
        if "since_id" in request.args:
            chosen = [s for s in chosen if int(s["id"]) > int(request.args["since_id"])]
        page = chosen[: int(request.args.get("limit", "20"))]
        headers = {}
        if page:
            base = request.base_url
            headers["Link"] = f'<{base}?limit={len(page)}&max_id={page[-1]["id"]}>; rel="next"'
        return Response(json.dumps(page), headers=headers, content_type="application/json")


def status_at(template: dict[str, Any], moment: dt.datetime, text: str) -> dict[str, Any]:
    """A copy of a real Status with a new id (Mastodon ids are time-ordered), time and content."""
    status = copy.deepcopy(template)
    status["id"] = str(snowflake(moment))
    status["created_at"] = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    status["content"] = f"<p>{text}</p>"
    status["url"] = f"https://mastodon.example/@civic/{status['id']}"
    return status
