"""Mastodon hashtag-timeline pages (`mastodon/mastodon_<tag>_<YYYYMMDD>_page<NN>.json`).

Every status carries #Riverton or #Riverton311, the tags the city follows; a status carrying both appears
on both timelines. Tag timelines never contain boosts, so `reblog` is always null here.
"""

from __future__ import annotations

import datetime as dt
import html
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicpulse.demo.city import CITY_HANDLE, CITY_NAME, GENERAL_HASHTAG, MASTODON_HOST
from civicpulse.demo.output import Written
from civicpulse.demo.pii import plant
from civicpulse.demo.sampling import days, iso_z, stream
from civicpulse.demo.social import Authors, plan_day

FOLLOWED_TAGS = ("riverton", "riverton311")
VOLUME = 0.25
PAGE_SIZE = 20
REPLY_SHARE = 0.1
_REMOTE_HOSTS = ("mastodon.social", "mastodon.online", "mstdn.social", "hachyderm.io", "urbanists.social")
_TOKEN = re.compile(r"(?<![\w&])#(\w*[A-Za-z_]\w*)|(?<!\w)@(\w{1,30})|(\n)")


@dataclass(frozen=True)
class _Account:
    id: str
    username: str
    host: str
    display_name: str

    @property
    def acct(self) -> str:
        return self.username if self.host == MASTODON_HOST else f"{self.username}@{self.host}"

    @property
    def url(self) -> str:
        return f"https://{self.host}/@{self.username}"

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "acct": self.acct,
            "display_name": self.display_name,
            "url": self.url,
            "bot": False,
            "group": False,
        }


CITY = _Account("109348712093847561", CITY_HANDLE, MASTODON_HOST, f"City of {CITY_NAME}")


def write(folder: Path, start: dt.date, day_count: int, seed: int, scale: float) -> Written:
    rng = stream(seed, "mastodon")
    people = Authors(rng, max(150, int(600 * scale)))
    accounts: dict[str, _Account] = {}
    sequence = 0
    written = Written()
    recent: list[dict[str, Any]] = []
    for day in days(start, day_count):
        statuses: list[dict[str, Any]] = []
        for draft in plan_day(rng, day, VOLUME * scale):
            person = people.pick()
            account = accounts.setdefault(
                person.id,
                _Account(
                    plant("author_id", person.id[:18]),
                    person.username,
                    rng.choice((MASTODON_HOST, MASTODON_HOST, *_REMOTE_HOSTS)),
                    person.name if rng.random() < 0.7 else person.username,
                ),
            )
            text = draft.text(rng, 500)
            if not re.search(r"#riverton(311)?\b", text, re.IGNORECASE):
                text = f"{text} #{GENERAL_HASHTAG}"
            reply_to = rng.choice(recent) if recent and rng.random() < REPLY_SHARE else None
            if reply_to is not None:
                text = f"@{reply_to['account']['username']} {text}"
            sequence += 1
            millis = int(draft.at.timestamp()) * 1000 + rng.randrange(1000)
            statuses.append(
                _status(
                    rng, (millis << 16) | (sequence & 0xFFFF), millis, account, text, draft.lang, reply_to
                )
            )
        recent = (recent + statuses)[-200:]
        for tag in FOLLOWED_TAGS:
            timeline = [s for s in statuses if any(t["name"] == tag for t in s["tags"])]
            timeline.sort(key=lambda s: int(s["id"]), reverse=True)
            for number, first in enumerate(range(0, len(timeline), PAGE_SIZE), start=1):
                page = timeline[first : first + PAGE_SIZE]
                written.json(folder / f"mastodon_{tag}_{day:%Y%m%d}_page{number:02d}.json", page, len(page))
    return written


def _status(
    rng: random.Random,
    status_id: int,
    millis: int,
    account: _Account,
    text: str,
    lang: str,
    reply_to: dict[str, Any] | None,
) -> dict[str, Any]:
    url = f"{account.url}/{status_id}"
    tags = sorted({m.group(1).lower() for m in _TOKEN.finditer(text) if m.group(1)})
    known = {CITY.username.lower(): CITY.json()}
    if reply_to:
        known[reply_to["account"]["username"].lower()] = reply_to["account"]
    named = {m.group(2).lower() for m in _TOKEN.finditer(text) if m.group(2)}
    mentions = [
        {key: known[name][key] for key in ("id", "username", "url", "acct")}
        for name in sorted(named & set(known))
    ]
    created = dt.datetime.fromtimestamp(millis / 1000, dt.UTC)
    return {
        "id": str(status_id),
        "created_at": iso_z(created),
        "in_reply_to_id": reply_to["id"] if reply_to else None,
        "in_reply_to_account_id": reply_to["account"]["id"] if reply_to else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": lang,
        "uri": f"https://{account.host}/users/{account.username}/statuses/{status_id}",
        "url": url,
        "replies_count": int(rng.paretovariate(2.5)) - 1,
        "reblogs_count": int(rng.paretovariate(2.0)) - 1,
        "favourites_count": int(rng.paretovariate(1.5)) - 1,
        "edited_at": None,
        "content": _html(text),
        "reblog": None,
        "account": account.json(),
        "media_attachments": [],
        "mentions": mentions,
        "tags": [{"name": tag, "url": f"https://{MASTODON_HOST}/tags/{tag}"} for tag in tags],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def _html(text: str) -> str:
    def render(match: re.Match[str]) -> str:
        tag, user, newline = match.groups()
        if newline:
            return "<br />"
        if tag:
            return (
                f'<a href="https://{MASTODON_HOST}/tags/{tag.lower()}" class="mention hashtag" rel="tag">'
                f"#<span>{tag}</span></a>"
            )
        return (
            f'<span class="h-card" translate="no"><a href="https://{MASTODON_HOST}/@{user}" '
            f'class="u-url mention">@<span>{user}</span></a></span>'
        )

    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        parts, last = [], 0
        for match in _TOKEN.finditer(paragraph):
            parts.append(html.escape(paragraph[last : match.start()]).replace("&#x27;", "&#39;"))
            parts.append(render(match))
            last = match.end()
        parts.append(html.escape(paragraph[last:]).replace("&#x27;", "&#39;"))
        rendered.append(f"<p>{''.join(parts)}</p>")
    return "".join(rendered)
