"""What residents post on a given day, shared by the X and Mastodon generators."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from civicpulse.demo import signals, texts
from civicpulse.demo.city import active
from civicpulse.demo.pii import plant
from civicpulse.demo.sampling import SOCIAL_HOURS, local_time, poisson, social_weekday, summer

GENERAL_POSTS_PER_DAY = 2.5
SPANISH_SHARE = 0.05
PII_SHARE = 0.03


@dataclass(frozen=True)
class Draft:
    service_id: str | None
    texts_key: str | None
    tone: texts.Tone
    topic: str | None
    lang: texts.Lang
    at: dt.datetime
    pii: bool

    @property
    def hashtags(self) -> tuple[str, ...]:
        return active().services_by_id[self.service_id].hashtags if self.service_id else ()

    def text(self, rng: random.Random, limit: int) -> str:
        return texts.social_text(
            rng,
            self.texts_key,
            self.tone,
            topic=self.topic,
            lang=self.lang,
            hashtags=self.hashtags,
            pii=self.pii,
            limit=limit,
        )


@dataclass(frozen=True)
class Author:
    id: str
    username: str
    name: str


class Authors:
    """A fixed population of residents, a few of whom post far more than the rest."""

    def __init__(self, rng: random.Random, size: int) -> None:
        self._rng = rng
        self._people: list[Author] = []
        taken: set[str] = set()
        while len(self._people) < size:
            first, last = texts.person_name(rng)
            username = rng.choice(
                (
                    f"{first}_{last[0]}{rng.randrange(1, 99)}",
                    f"{first}{last}",
                    f"{first[0]}{last}{rng.randrange(70, 99)}",
                    f"{last}_{first}",
                    f"{first}in{rng.choice(('Riverton', 'TheCity', 'Westbrook', 'Eastgate'))}",
                    rng.choice(("Riverton", "Northside", "MillCreek", "Cedar"))
                    + rng.choice(("Mom", "Dad", "Renter", "Neighbor", "Cyclist"))
                    + str(rng.randrange(1, 999)),
                )
            )[:15]
            if username.lower() in taken:
                continue
            taken.add(username.lower())
            author = Author(str(rng.randrange(10**17, 10**19)), username, f"{first.title()} {last.title()}")
            plant("author_id", author.id)
            plant("handle", author.username)
            plant("display_name", author.name)
            self._people.append(author)

    def pick(self) -> Author:
        return self._people[int(len(self._people) * self._rng.random() ** 2.2)]


def plan_day(rng: random.Random, day: dt.date, volume: float) -> list[Draft]:
    """Resident posts for one day, `volume` times the X baseline, in time order."""
    drafts: list[Draft] = []
    weekday = social_weekday(day)
    for service in active().services:
        base = service.social_per_day * volume * weekday * summer(day, service.summer_peak)
        boost = signals.factor(service.id, day, "social", "posts")
        topic = signals.topic(service.id, day)
        negative = signals.level(service.id, day, "social", "negative_share", service.negative_share)
        for _ in range(poisson(rng, base * boost)):
            about = (
                topic
                if topic in ("outage", "fee", "app_launch") and rng.random() < (boost - 1) / boost
                else None
            )
            tone = texts.pick_tone(rng, negative)
            if about is None and topic == "fast" and tone == "positive" and rng.random() < 0.7:
                about = "fast"
            drafts.append(_draft(rng, day, service.id, service.texts_key, tone, about))
        for _ in range(poisson(rng, signals.level(service.id, day, "social", "notice_posts", 0.0) * volume)):
            drafts.append(_draft(rng, day, service.id, service.texts_key, "info", topic))
    for _ in range(poisson(rng, GENERAL_POSTS_PER_DAY * volume * weekday)):
        drafts.append(_draft(rng, day, None, None, texts.pick_tone(rng, 0.3), None))
    drafts.sort(key=lambda d: d.at)
    return drafts


def _draft(
    rng: random.Random,
    day: dt.date,
    service_id: str | None,
    texts_key: str | None,
    tone: texts.Tone,
    topic: str | None,
) -> Draft:
    lang: texts.Lang = "es" if rng.random() < SPANISH_SHARE else "en"
    return Draft(
        service_id, texts_key, tone, topic, lang, local_time(rng, day, SOCIAL_HOURS), rng.random() < PII_SHARE
    )
