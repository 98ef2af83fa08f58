"""X API v2 recent-search pages (`x/x_recent_search_<YYYYMMDD>_page<NN>.json`)."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicpulse.demo import signals, texts
from civicpulse.demo.city import CITY_HANDLE, CITY_NAME, active
from civicpulse.demo.output import Written
from civicpulse.demo.sampling import SOCIAL_HOURS, days, iso_z, local_time, poisson, stream, token
from civicpulse.demo.social import Author, Authors, plan_day

PAGE_SIZE = 25
TWITTER_EPOCH_MS = 1288834974657
REPLY_SHARE = 0.12
RETWEET_SHARE = 0.12
QUOTE_SHARE = 0.02
DUPLICATE_SHARE = 0.02
OVERLAP_SHARE = 0.3
CITY = Author("1351987654321098752", CITY_HANDLE, f"City of {CITY_NAME}")

_TAG = re.compile(r"(?<![\w&])#(\w*[A-Za-z_]\w*)")
_MENTION = re.compile(r"(?<!\w)@(\w{1,15})")


@dataclass
class _Tweet:
    id: int
    at: dt.datetime
    author: Author
    text: str
    lang: str
    conversation_id: int
    references: list[dict[str, str]] = field(default_factory=list)


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._sequence = 0

    def at(self, moment: dt.datetime) -> int:
        self._sequence += 1
        millis = int(moment.timestamp()) * 1000 + self._rng.randrange(1000)
        return (
            ((millis - TWITTER_EPOCH_MS) << 22) | (self._rng.randrange(1024) << 12) | (self._sequence % 4096)
        )


def write(folder: Path, start: dt.date, day_count: int, seed: int, scale: float) -> Written:
    rng = stream(seed, "x")
    authors = Authors(rng, max(400, int(2500 * scale)))
    ids = _Ids(rng)
    recent: deque[_Tweet] = deque(maxlen=300)
    written = Written()
    for day in days(start, day_count):
        tweets = _day(rng, day, scale, authors, ids, recent)
        recent.extend(t for t in tweets if not t.text.startswith("RT @"))
        _write_pages(rng, folder, day, tweets, written)
    return written


def _day(
    rng: random.Random, day: dt.date, scale: float, authors: Authors, ids: _Ids, recent: deque[_Tweet]
) -> list[_Tweet]:
    tweets: list[_Tweet] = []
    for draft in plan_day(rng, day, scale):
        author = authors.pick()
        text = draft.text(rng, 280)
        tweet_id = ids.at(draft.at)
        tweet = _Tweet(tweet_id, draft.at, author, text, draft.lang, tweet_id)
        roll = rng.random()
        target = (
            _earlier(rng, tweets or recent, author)
            if roll < REPLY_SHARE + QUOTE_SHARE + DUPLICATE_SHARE
            else None
        )
        if target and roll < REPLY_SHARE:
            tweet.text = _cut(f"@{target.author.username} {text}", 280)
            tweet.conversation_id = target.conversation_id
            tweet.references = [{"type": "replied_to", "id": str(target.id)}]
        elif target and roll < REPLY_SHARE + QUOTE_SHARE:
            tweet.references = [{"type": "quoted", "id": str(target.id)}]
        elif target:
            tweet.text = target.text
        tweets.append(tweet)
    tweets += _city(rng, day, ids, tweets)
    tweets += _retweets(rng, day, authors, ids, tweets, recent)
    tweets.sort(key=lambda t: t.id)
    return tweets


def _earlier(rng: random.Random, pool: Sequence[_Tweet], author: Author) -> _Tweet | None:
    for _ in range(3):
        candidate = pool[rng.randrange(len(pool))] if pool else None
        if candidate is not None and candidate.author is not author:
            return candidate
    return None


def _city(rng: random.Random, day: dt.date, ids: _Ids, tweets: list[_Tweet]) -> list[_Tweet]:
    posts: list[_Tweet] = []
    for _ in range(poisson(rng, 1.2)):
        service = rng.choice(active().services)
        at = _daytime(rng, day)
        text = texts.city_post(rng, service.texts_key, None, service.path_prefix)
        tweet_id = ids.at(at)
        posts.append(_Tweet(tweet_id, at, CITY, _cut(text, 280), "en", tweet_id))
    for service in active().services:
        topic, age = signals.topic(service.id, day), signals.news_age(service.id, day)
        if topic and age is not None and rng.random() < (0.7 if age < 7 else 0.05):
            at = _daytime(rng, day)
            tweet_id = ids.at(at)
            text = texts.city_post(rng, service.texts_key, topic, service.path_prefix)
            posts.append(_Tweet(tweet_id, at, CITY, _cut(text, 280), "en", tweet_id))
    for post in tweets:
        at = post.at + dt.timedelta(minutes=rng.randrange(5, 240))
        if rng.random() > 0.05 or at.date() != day:
            continue
        tweet_id = ids.at(at)
        text = texts.city_reply(rng, post.author.username, _department(post.text))
        reply = _Tweet(
            tweet_id,
            at,
            CITY,
            _cut(text, 280),
            "en",
            post.conversation_id,
            [{"type": "replied_to", "id": str(post.id)}],
        )
        posts.append(reply)
    return posts


def _retweets(
    rng: random.Random, day: dt.date, authors: Authors, ids: _Ids, tweets: list[_Tweet], recent: deque[_Tweet]
) -> list[_Tweet]:
    pool = [t for t in tweets if not t.text.startswith("RT @")] + list(recent)[-60:]
    retweets: list[_Tweet] = []
    for _ in range(poisson(rng, RETWEET_SHARE * len(tweets))):
        if not pool:
            break
        original = rng.choice(pool)
        at = _daytime(rng, day)
        if original.at.date() == day:
            at = max(at, original.at + dt.timedelta(minutes=rng.randrange(1, 90)))
            if at.date() != day:
                continue
        tweet_id = ids.at(at)
        text = _cut(f"RT @{original.author.username}: {original.text}", 140)
        retweets.append(
            _Tweet(
                tweet_id,
                at,
                authors.pick(),
                text,
                original.lang,
                tweet_id,
                [{"type": "retweeted", "id": str(original.id)}],
            )
        )
    return retweets


def _department(text: str) -> str:
    for service in active().services:
        if any(tag.lower() in text.lower() for tag in service.hashtags):
            return service.department
    return "311 Customer Service"


def _daytime(rng: random.Random, day: dt.date) -> dt.datetime:
    return local_time(rng, day, SOCIAL_HOURS)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _write_pages(
    rng: random.Random, folder: Path, day: dt.date, tweets: list[_Tweet], written: Written
) -> None:
    stem = f"x_recent_search_{day:%Y%m%d}"
    newest_first = sorted(tweets, key=lambda t: t.id, reverse=True)
    if not newest_first:
        written.json(folder / f"{stem}_page01.json", {"meta": {"result_count": 0}}, 0)
        return
    pages: list[list[_Tweet]] = []
    position = 0
    while position < len(newest_first):
        page = newest_first[position : position + PAGE_SIZE]
        if pages and rng.random() < OVERLAP_SHARE:
            page = [pages[-1][-1], *newest_first[position : position + PAGE_SIZE - 1]]
        position += len(page) - (1 if pages and page[0] is pages[-1][-1] else 0)
        pages.append(page)
    tokens = [token(rng, 45) for _ in pages]
    for number, page in enumerate(pages, start=1):
        meta: dict[str, Any] = {
            "newest_id": str(page[0].id),
            "oldest_id": str(page[-1].id),
            "result_count": len(page),
        }
        if number < len(pages):
            meta["next_token"] = tokens[number - 1]
        users = {t.author.id: t.author for t in page}
        payload = {
            "data": [_tweet_json(rng, t) for t in page],
            "includes": {
                "users": [{"id": u.id, "name": u.name, "username": u.username} for u in users.values()]
            },
            "meta": meta,
        }
        written.json(folder / f"{stem}_page{number:02d}.json", payload, len(page))


def _tweet_json(rng: random.Random, tweet: _Tweet) -> dict[str, Any]:
    likes = int(rng.paretovariate(1.6)) - 1 if not tweet.text.startswith("RT @") else 0
    body: dict[str, Any] = {
        "id": str(tweet.id),
        "text": tweet.text,
        "edit_history_tweet_ids": [str(tweet.id)],
        "created_at": iso_z(tweet.at.replace(microsecond=0)),
        "author_id": tweet.author.id,
        "conversation_id": str(tweet.conversation_id),
        "lang": tweet.lang,
        "public_metrics": {
            "retweet_count": int(rng.paretovariate(2.5)) - 1,
            "reply_count": int(rng.paretovariate(2.2)) - 1,
            "like_count": likes,
            "quote_count": 0 if rng.random() < 0.95 else 1,
            "impression_count": likes * rng.randrange(20, 80) + rng.randrange(8, 400),
        },
    }
    entities: dict[str, list[dict[str, Any]]] = {}
    hashtags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _TAG.finditer(tweet.text)]
    mentions = [
        {"start": m.start(), "end": m.end(), "username": m.group(1)} for m in _MENTION.finditer(tweet.text)
    ]
    if hashtags:
        entities["hashtags"] = hashtags
    if mentions:
        entities["mentions"] = mentions
    if entities:
        body["entities"] = entities
    if tweet.references:
        body["referenced_tweets"] = tweet.references
    return body
