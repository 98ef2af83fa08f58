from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civicpulse.sources import FileProblem, Record, RowProblem

Parse = Callable[..., tuple[list[Record], list[RowProblem]]]
Problem = Callable[..., FileProblem]
RECORDED = "x/x_recent_search_20221007_page01.json"
FULL_FIELDS = "x/x_recent_search_20240506_page01.json"


def _write(path: Path, body: Any) -> Path:
    path.write_text(json.dumps(body))
    return path


def test_recorded_search_page_without_created_at_gets_snowflake_time(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("x", fixtures / RECORDED)
    assert problems == [] and len(records) == 10
    first = records[0].values
    assert first["native_id"] == "1578516068309794817"
    assert first["occurred_at"] == dt.datetime(2022, 10, 7, 22, 42, 12, 752000, tzinfo=dt.UTC)
    posted_by_text = dt.datetime.fromisoformat(first["text"].removesuffix(" tweepy")).replace(tzinfo=dt.UTC)
    assert abs(first["occurred_at"] - posted_by_text) < dt.timedelta(seconds=1)
    assert first["url"] == "https://x.com/i/web/status/1578516068309794817"
    assert first["platform"] == "x" and first["author_handle"] is None and first["hashtags"] == []
    assert first["is_repost"] is False and first["like_count"] is None
    assert [r.line for r in records] == list(range(1, 11))


def test_recorded_retweet_is_recognised_by_its_text(parse: Parse, fixtures: Path) -> None:
    records, _ = parse("x", fixtures / "x/x_search_all_20221007_page01.json")
    reposts = [r.values for r in records if r.values["is_repost"]]
    assert [r["native_id"] for r in reposts] == ["1578519902427619328"]
    assert reposts[0]["reposted_id"] is None


def test_full_field_page(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("x", fixtures / FULL_FIELDS)
    assert problems == []
    post, reply, retweet = (r.values for r in records)
    assert post == {
        "native_id": "1787512345678901249",
        "occurred_at": dt.datetime(2024, 5, 6, 14, 3, 11, tzinfo=dt.UTC),
        "platform": "x",
        "author_id": "2244994945",
        "author_handle": "springfield_res",
        "text": post["text"],
        "language": "en",
        "url": "https://x.com/springfield_res/status/1787512345678901249",
        "is_repost": False,
        "reposted_id": None,
        "reply_to_id": None,
        "hashtags": ["waterbill", "springfield"],
        "like_count": 9,
        "repost_count": 2,
        "reply_count": 1,
    }
    assert reply["reply_to_id"] == "1787512345678901249" and reply["author_handle"] == "CityOfSpringfield"
    assert retweet["is_repost"] is True and retweet["reposted_id"] == "1787512345678901249"
    assert retweet["author_handle"] is None
    assert retweet["url"] == "https://x.com/i/web/status/1787520011223344556"


def test_created_at_without_milliseconds(parse: Parse, fixtures: Path, tmp_path: Path) -> None:
    page = json.loads((fixtures / FULL_FIELDS).read_text())
    page["data"][0]["created_at"] = "2024-05-06T14:03:11Z"
    records, _ = parse("x", _write(tmp_path / "page.json", page))
    assert records[0].values["occurred_at"] == dt.datetime(2024, 5, 6, 14, 3, 11, tzinfo=dt.UTC)


def test_empty_page_has_no_rows(parse: Parse, fixtures: Path) -> None:
    assert parse("x", fixtures / "x/x_recent_search_20240507_page01.json") == ([], [])


def test_bad_tweets_are_problems_and_good_ones_still_load(
    parse: Parse, fixtures: Path, tmp_path: Path
) -> None:
    page = json.loads((fixtures / FULL_FIELDS).read_text())
    good = page["data"][0]
    page["data"] = [
        {k: v for k, v in good.items() if k != "id"},
        {**good, "created_at": "yesterday"},
        good,
        {**good, "text": ""},
        {"id": "20", "text": "just setting up my twttr", "edit_history_tweet_ids": ["20"]},
        {**good, "public_metrics": {"like_count": "many"}},
        "not a tweet",
    ]
    records, problems = parse("x", _write(tmp_path / "page.json", page))
    assert [r.line for r in records] == [3]
    assert [(p.line, p.reason) for p in problems] == [
        (1, "the tweet has no id"),
        (2, "created_at is 'yesterday', not an ISO-8601 timestamp"),
        (4, "text is empty"),
        (5, "the tweet has no created_at and its id predates Snowflake ids; request tweet.fields=created_at"),
        (6, "like_count is 'many', not a count"),
        (7, "the tweet is not a JSON object"),
    ]
    assert json.loads(problems[0].raw)["text"] == good["text"]


def test_error_response_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    body = {"title": "Unauthorized", "errors": [{"title": "Unauthorized", "detail": "Unauthorized"}]}
    problem = file_problem("x", _write(tmp_path / "page.json", body))
    assert "error response (Unauthorized)" in problem.problem and "request the page again" in problem.fix


def test_wrong_format_is_a_file_problem(file_problem: Problem, fixtures: Path) -> None:
    problem = file_problem("x", fixtures / "mastodon/mastodon_hoot_20260801_page01.json")
    assert "not an X API v2 response page" in problem.problem and "search/recent" in problem.fix


def test_truncated_page_is_a_file_problem(file_problem: Problem, fixtures: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "page.json"
    truncated.write_text((fixtures / FULL_FIELDS).read_text()[:700])
    assert "ends before it is complete" in file_problem("x", truncated).problem


def test_empty_file_is_a_file_problem(file_problem: Problem, tmp_path: Path) -> None:
    empty = tmp_path / "page.json"
    empty.write_bytes(b"\n")
    assert "empty" in file_problem("x", empty).problem


def _tweepy_reading(data: dict[str, Any]) -> tuple[Any, ...]:
    """What the parser read through tweepy.Tweet before: the fields it uses, or the error."""
    import tweepy

    try:
        tweet = tweepy.Tweet({k: v for k, v in data.items() if k != "created_at"})
    except (KeyError, TypeError, ValueError) as exc:
        return ("error", f"{type(exc).__name__}: {exc}")
    references = None
    if tweet.referenced_tweets is not None:
        references = [(r.id, r.type) for r in tweet.referenced_tweets]
    return (tweet.id, tweet.author_id, tweet.lang, tweet.entities, tweet.public_metrics, references)


def _our_reading(data: dict[str, Any]) -> tuple[Any, ...]:
    from civicpulse.filereaders import BadValue
    from connectors.x.helpers import _tweet_model

    try:
        tweet = _tweet_model(data)
    except BadValue as exc:
        return ("error", str(exc).split("(", 1)[1].removesuffix(")"))
    return (
        tweet.id,
        tweet.author_id,
        tweet.lang,
        tweet.entities,
        tweet.public_metrics,
        tweet.referenced_tweets,
    )


def test_tweets_are_read_as_tweepys_tweet_reads_them(fixtures: Path) -> None:
    """Every recorded tweet, and malformed variants of one, give the fields (or the error) tweepy's
    Tweet gave; the parser no longer imports tweepy."""
    pages = [json.loads(page.read_text()) for page in sorted((fixtures / "x").glob("*.json"))]
    tweets = [tweet for page in pages for tweet in page.get("data", [])]
    full = next(t for t in tweets if t.get("referenced_tweets") and t.get("author_id"))
    broken: list[dict[str, Any]] = [
        {k: v for k, v in full.items() if k != "id"},
        full | {"id": "12x"},
        full | {"id": None},
        {k: v for k, v in full.items() if k != "text"},
        full | {"author_id": "someone"},
        full | {"author_id": []},
        full | {"conversation_id": "c1"},
        full | {"in_reply_to_user_id": {"id": 1}},
        full | {"edit_history_tweet_ids": ["1", "x"]},
        full | {"edit_history_tweet_ids": 5},
        full | {"edit_controls": {"edits_remaining": "5", "editable_until": "2024-05-06T10:00:00.000Z"}},
        full | {"edit_controls": {"edits_remaining": "five", "editable_until": "2024-05-06T10:00:00.000Z"}},
        full | {"edit_controls": {"edits_remaining": 5, "editable_until": "yesterday"}},
        full | {"edit_controls": {"edits_remaining": 5}},
        full | {"edit_controls": "none"},
        full | {"referenced_tweets": [{"type": "quoted"}]},
        full | {"referenced_tweets": [{"id": "7"}]},
        full | {"referenced_tweets": "retweeted"},
        full | {"referenced_tweets": 3},
    ]
    assert len(tweets) > 20
    for data in tweets + broken:
        theirs, ours = (
            _tweepy_reading(json.loads(json.dumps(data))),
            _our_reading(json.loads(json.dumps(data))),
        )
        assert ours == theirs, data
    assert sum(_our_reading(data)[0] == "error" for data in broken) >= 15
