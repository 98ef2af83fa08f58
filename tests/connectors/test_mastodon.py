from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from civicpulse.htmltext import html_to_text
from civicpulse.sources import FileProblem, Record, RowProblem

Parse = Callable[..., tuple[list[Record], list[RowProblem]]]
Problem = Callable[..., FileProblem]
PUBLIC = "mastodon/mastodon_public_20260801_page01.json"
SOCIAL = "mastodon/mastodon_social_20230528_page01.json"
MENTIONS = "mastodon/mastodon_notifications_20260801_page01.json"
REMOTE_MENTIONS = "mastodon/mastodon_notifications_20230528_page01.json"
EDITED_TEXT = (
    "@halcy you're a doo-doo head\n"
    "edit: editing this to have the maximum amount of fields filled :trans_heart: #ThisIsAHashtag"
)


def _write(path: Path, body: Any) -> Path:
    path.write_text(json.dumps(body))
    return path


def test_html_becomes_plain_text() -> None:
    html = (
        "<p>Line one<br />line two &amp; more</p>"
        '<p>See <a href="https://x.example/a">the <span>form</span></a></p>'
    )
    assert html_to_text(html) == "Line one\nline two & more\nSee the form"


def test_public_timeline_page(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("mastodon", fixtures / PUBLIC)
    assert problems == []
    assert [r.values["text"] for r in records] == [
        "Toot, finally!",
        "you can't say that on television",
        "it's cool guy too",
        "on the internet, nobody knows you're a plane",
        "@mastodonpy_test beep beep I'm a jeep",
    ]
    first = records[0].values
    assert first["native_id"] == "117020593378945190"
    assert first["occurred_at"] == dt.datetime(2026, 8, 1, 13, 55, 50, 338000, tzinfo=dt.UTC)
    assert first["platform"] == "mastodon" and first["language"] == "ja"
    assert first["author_id"] == "117020566092212359" and first["author_handle"] == "mastodonpy_test_2"
    assert first["url"] == "http://localhost:3000/@mastodonpy_test_2/117020593378945190"
    assert first["is_repost"] is False and first["hashtags"] == [] and first["like_count"] == 0


def test_hashtag_timeline_page(parse: Parse, fixtures: Path) -> None:
    records, _ = parse("mastodon", fixtures / "mastodon/mastodon_hoot_20260801_page01.json")
    assert [(r.values["text"], r.values["hashtags"]) for r in records] == [("#hoot (hashtag toot)", ["hoot"])]


def test_remote_status_boost_and_poll(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("mastodon", fixtures / SOCIAL)
    assert problems == []
    edited, boost, poll = (r.values for r in records)
    assert edited["text"] == EDITED_TEXT
    assert edited["hashtags"] == ["thisisahashtag"]
    assert edited["author_handle"] == "halcy@icosahedron.website" and edited["like_count"] == 1
    assert boost["native_id"] == "110446300000000001" and boost["is_repost"] is True
    assert boost["reposted_id"] == "110446223051565765" and boost["text"] == EDITED_TEXT
    assert boost["author_handle"] == "civicpulse_demo" and boost["hashtags"] == ["thisisahashtag"]
    assert boost["occurred_at"] == dt.datetime(2023, 5, 28, 12, 30, tzinfo=dt.UTC)
    assert (
        boost["url"] == "https://icosahedron.website/@halcy/110446222386355655" and boost["language"] == "de"
    )
    assert poll["text"] == "test?" and poll["reposted_id"] is None


def test_bad_statuses_are_problems_and_good_ones_still_load(
    parse: Parse, fixtures: Path, tmp_path: Path
) -> None:
    good = json.loads((fixtures / PUBLIC).read_text())[0]
    page = [
        good,
        {k: v for k, v in good.items() if k != "id"},
        {**good, "created_at": "2026-08-01 13:55"},
        {**good, "content": "<p></p>"},
        {**good, "reblog": "117020593378945190"},
    ]
    records, problems = parse("mastodon", _write(tmp_path / "page.json", page))
    assert [r.line for r in records] == [1]
    assert [(p.line, p.reason) for p in problems] == [
        (2, "the status has no id"),
        (3, "created_at is '2026-08-01 13:55', which has no time zone"),
        (4, "the status has no text (an empty or media-only post)"),
        (5, "the boosted status (reblog) is not a JSON object"),
    ]


def test_wrong_format_is_a_file_problem(file_problem: Problem, fixtures: Path) -> None:
    problem = file_problem("mastodon", fixtures / "x/x_recent_search_20240506_page01.json")
    assert "not a JSON array of statuses" in problem.problem and "timeline response" in problem.fix


def test_error_response_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    problem = file_problem(
        "mastodon", _write(tmp_path / "page.json", {"error": "This action is outside the scopes"})
    )
    assert "Mastodon error response (This action is outside the scopes)" in problem.problem


def test_truncated_page_is_a_file_problem(file_problem: Problem, fixtures: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "page.json"
    truncated.write_text((fixtures / PUBLIC).read_text()[:300])
    problem = file_problem("mastodon", truncated)
    assert "ends before it is complete" in problem.problem and problem.line == 1


def test_empty_file_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    empty = tmp_path / "page.json"
    empty.touch()
    assert "empty" in file_problem("mastodon", empty).problem


def test_notifications_page_lands_the_mentions_as_the_same_records_as_a_timeline(
    parse: Parse, fixtures: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="connectors.mastodon.helpers")
    records, problems = parse("mastodon", fixtures / MENTIONS)
    assert problems == []
    assert [(r.line, r.values["text"]) for r in records] == [
        (1, "#hoot (hashtag toot)"),
        (4, "@mastodonpy_test beep beep I'm a jeep"),
    ]
    timeline, _ = parse("mastodon", fixtures / PUBLIC)
    same = next(r for r in timeline if r.values["native_id"] == "117020588169351887")
    assert records[1].values == same.values
    assert "skipped, not landed: 1 favourite notification, 1 follow notification" in caplog.text


def test_direct_mentions_are_not_landed(
    parse: Parse, fixtures: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="connectors.mastodon.helpers")
    records, problems = parse("mastodon", fixtures / REMOTE_MENTIONS)
    assert problems == []
    assert [(r.values["native_id"], r.values["text"]) for r in records] == [
        ("110446223051565765", EDITED_TEXT)
    ]
    assert "skipped, not landed: 1 direct status" in caplog.text


def test_bad_mentions_are_problems_and_statusless_ones_are_skipped(
    parse: Parse, fixtures: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="connectors.mastodon.helpers")
    mention = json.loads((fixtures / MENTIONS).read_text())[0]
    status = mention["status"]
    page = [
        mention,
        {**mention, "id": "40", "status": {k: v for k, v in status.items() if k != "id"}},
        {**mention, "id": "41", "status": None},
        {**mention, "id": "42", "status": "117020593741189701"},
        {**mention, "id": "43", "type": "update"},
        {**mention, "id": "44", "status": {**status, "visibility": "private"}},
        {**mention, "id": "45", "status": {**status, "visibility": "unlisted"}},
    ]
    records, problems = parse("mastodon", _write(tmp_path / "page.json", page))
    assert [r.line for r in records] == [1, 7]
    assert [(p.line, p.reason) for p in problems] == [
        (2, "the status has no id"),
        (4, "the status is not a JSON object"),
    ]
    skipped = "1 mention without a status, 1 private status, 1 update notification"
    assert f"skipped, not landed: {skipped}" in caplog.text
