"""Mastodon hashtag timelines against a local server: real recorded statuses, Link paging, the cursor."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from civicpulse.extract import extract_source
from civicpulse.http import BadResponse
from tests.connectors.api.conftest import MakeConfig, committed, load_all, query, session_for
from tests.connectors.api.fakes import FakeMastodon, status_at
from tests.connectors.conftest import FIXTURES
from tests.http.fakes import FakeClock

DAY = dt.date(2026, 8, 1)
NEXT = DAY + dt.timedelta(days=1)
TAG = "/api/v1/timelines/tag/riverton"


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
