"""X API v2 tweets (read and checked as tweepy's Tweet model reads them) to social_post values."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicpulse.filereaders import (
    BadValue,
    hashtag_list,
    json_count,
    json_id,
    json_object,
    required_text,
    utc_timestamp,
)
from civicpulse.sources import FileProblem
from connectors.x.settings import (
    COUNT_COLUMNS,
    EXPECTED_FILE,
    FIRST_SNOWFLAKE_ID,
    HASHTAG_IN_TEXT,
    PLATFORM,
    POST_URL,
    POST_URL_WITHOUT_USER,
    REPLIED_TO,
    RETWEET_TEXT_PREFIX,
    RETWEETED,
    SNOWFLAKE_EPOCH_MS,
)


def page_tweets(path: Path | str, page: Any) -> list[Any]:
    if not isinstance(page, dict) or not {"data", "meta", "errors"} & page.keys():
        raise FileProblem(
            path, "the file is not an X API v2 response page (no data or meta)", f"save {EXPECTED_FILE}"
        )
    if "data" not in page:
        if page.get("errors"):
            problem = f"the page is an X API error response ({_first_error(page['errors'])})"
            raise FileProblem(path, problem, "request the page again; an error response holds no tweets")
        return []
    if not isinstance(page["data"], list):
        raise FileProblem(
            path,
            "'data' is not a list of tweets",
            f"save {EXPECTED_FILE}; single-tweet lookups are not pages",
        )
    return page["data"]


def _first_error(errors: Any) -> str:
    first = errors[0] if isinstance(errors, list) and errors else errors
    if isinstance(first, dict):
        return str(first.get("detail") or first.get("title") or first.get("message") or first)
    return str(first)


def page_usernames(page: dict[str, Any]) -> dict[str, str]:
    includes = page.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    if not isinstance(users, list):
        return {}
    return {
        str(user["id"]): user["username"]
        for user in users
        if isinstance(user, dict) and "id" in user and isinstance(user.get("username"), str)
    }


def post_values(item: Any, usernames: dict[str, str]) -> dict[str, Any]:
    data = json_object(item, "tweet")
    native_id = json_id(data.get("id"), "tweet")
    if not native_id.isdigit():
        raise BadValue(f"the tweet id {native_id!r} is not a number")
    text = required_text(data.get("text"), "text")
    created_at = None if data.get("created_at") is None else utc_timestamp(data["created_at"], "created_at")
    tweet = _tweet_model(data)
    author_id = None if tweet.author_id is None else str(tweet.author_id)
    username = usernames.get(author_id or "")
    reposted_id = _referenced_id(tweet, RETWEETED)
    return {
        "native_id": native_id,
        "occurred_at": created_at or snowflake_time(tweet.id),
        "platform": PLATFORM,
        "author_id": author_id,
        "author_handle": username,
        "text": text,
        "language": tweet.lang,
        "url": post_url(native_id, username),
        "is_repost": reposted_id is not None or text.startswith(RETWEET_TEXT_PREFIX),
        "reposted_id": reposted_id,
        "reply_to_id": _referenced_id(tweet, REPLIED_TO),
        "hashtags": hashtag_list(_hashtag_tags(tweet.entities, text)),
        **_counts(tweet.public_metrics),
    }


@dataclass(frozen=True)
class _Tweet:
    """The fields of a tweet the parser reads; referenced tweets as (id, type)."""

    id: int
    author_id: int | None
    lang: Any
    entities: Any
    public_metrics: Any
    referenced_tweets: list[tuple[int, Any]] | None


def _tweet_model(data: dict[str, Any]) -> _Tweet:
    """The tweet as tweepy's Tweet (4.17) would read it, with the same conversions in the same order,
    so a malformed tweet fails with the same error; tweepy itself (and requests with it, ~0.12 CPU-s of
    every run) is only imported by the api mode. created_at is left to utc_timestamp, which also reads
    times without milliseconds."""
    try:
        return _read_tweet(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise BadValue(
            f"the tweet does not fit the X API v2 Tweet shape ({type(exc).__name__}: {exc})"
        ) from None


def _read_tweet(data: dict[str, Any]) -> _Tweet:
    tweet_id = int(data["id"])
    data["text"]  # tweepy's KeyError for a tweet without text
    if "edit_history_tweet_ids" in data:
        list(map(int, data["edit_history_tweet_ids"]))
    else:
        warnings.warn("Tweet data missing default edit_history_tweet_ids field", RuntimeWarning, stacklevel=2)
    author_id = None if data.get("author_id") is None else int(data["author_id"])
    if data.get("conversation_id") is not None:
        int(data["conversation_id"])
    edit_controls = data.get("edit_controls")
    if edit_controls is not None:
        edit_controls["edits_remaining"] = int(edit_controls["edits_remaining"])
        edit_controls["editable_until"] = dt.datetime.strptime(
            edit_controls["editable_until"], "%Y-%m-%dT%H:%M:%S.%f%z"
        ).replace(tzinfo=dt.UTC)
    if data.get("in_reply_to_user_id") is not None:
        int(data["in_reply_to_user_id"])
    references = data.get("referenced_tweets")
    return _Tweet(
        tweet_id,
        author_id,
        data.get("lang"),
        data.get("entities"),
        data.get("public_metrics"),
        None if references is None else [(int(r["id"]), r.get("type")) for r in references],
    )


def snowflake_time(tweet_id: int) -> dt.datetime:
    if tweet_id < FIRST_SNOWFLAKE_ID:
        raise BadValue(
            "the tweet has no created_at and its id predates Snowflake ids; request tweet.fields=created_at"
        )
    return dt.datetime.fromtimestamp(((tweet_id >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, dt.UTC)


def post_url(native_id: str, username: str | None) -> str:
    if username:
        return POST_URL.format(username=username, id=native_id)
    return POST_URL_WITHOUT_USER.format(id=native_id)


def _referenced_id(tweet: _Tweet, kind: str) -> str | None:
    for reference_id, reference_type in tweet.referenced_tweets or []:
        if reference_type == kind:
            return str(reference_id)
    return None


def _hashtag_tags(entities: Any, text: str) -> list[str]:
    """X's own `entities.hashtags`; read from the text when the page has none (requested without
    tweet.fields=entities, or saved by a tool that drops them)."""
    hashtags = entities.get("hashtags") if isinstance(entities, dict) else None
    if not isinstance(hashtags, list):
        return HASHTAG_IN_TEXT.findall(text)
    return [tag["tag"] for tag in hashtags if isinstance(tag, dict) and isinstance(tag.get("tag"), str)]


def _counts(public_metrics: Any) -> dict[str, int | None]:
    metrics = public_metrics if isinstance(public_metrics, dict) else {}
    return {column: json_count(metrics.get(name), name) for name, column in COUNT_COLUMNS.items()}
