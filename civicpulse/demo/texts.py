"""Resident and agent language for the demo city, composed from the slot tables in `phrases` so that texts
rarely repeat."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from typing import Literal

from civicpulse.demo import phrases
from civicpulse.demo.city import CITY_HANDLE
from civicpulse.demo.pii import plant

Tone = Literal["negative", "sarcasm", "positive", "mixed", "question", "info"]
Lang = Literal["en", "es"]
Outcome = Literal["resolved", "payment", "escalated", "transferred", "callback", "unresolved"]
Tables = Mapping[str, Sequence[str]]

_SLOT = re.compile(r"\{([A-Za-z_]+?)(\d?)\}")
_TABLES_EN = {s: {**phrases.GENERIC_EN, **t} for s, t in phrases.SERVICE_EN.items()}
_TABLES_ES = {
    s: {**phrases.SERVICE_EN[s], **phrases.GENERIC_EN, **phrases.GENERIC_ES, **phrases.SERVICE_ES[s]}
    for s in phrases.SERVICE_ES
}


def _fill(rng: random.Random, template: str, tables: Tables) -> str:
    used: dict[str, str] = {}

    def pick(match: re.Match[str]) -> str:
        name, copy = match.group(1), match.group(2)
        key = name.lower()
        options = tables[key]
        value = rng.choice(options)
        if copy and len(options) > 1:
            while value == used.get(key):
                value = rng.choice(options)
        used[key] = value
        if "{" in value:
            value = _fill(rng, value, tables)
        return value[:1].upper() + value[1:] if name[0].isupper() else value

    return _SLOT.sub(pick, template)


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = re.sub(r" ([.,!?:])", r"\1", text)
    text = re.sub(r"([!?])\.", r"\1", text)
    text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)
    text = re.sub(r"([?!])\?", r"\1?", text).replace(" a el ", " al ").replace(" de el ", " del ")
    return re.sub(r"(^|[.!?] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def pick_tone(rng: random.Random, negative_share: float) -> Tone:
    roll = rng.random()
    if roll < negative_share:
        return "sarcasm" if rng.random() < 0.15 else "negative"
    rest = (roll - negative_share) / max(1e-9, 1 - negative_share)
    if rest < 0.32:
        return "positive"
    if rest < 0.62:
        return "question"
    if rest < 0.8:
        return "info"
    return "mixed"


def person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(phrases.FIRST_NAMES), rng.choice(phrases.LAST_NAMES)


def phone_number(rng: random.Random) -> str:
    area, line = rng.choice(("312", "773", "872", "630")), f"{rng.randrange(100, 200):04d}"
    return plant(
        "phone",
        rng.choice((f"({area}) 555-{line}", f"{area}-555-{line}", f"{area}.555.{line}", f"{area}555{line}")),
    )


def email_address(rng: random.Random) -> str:
    first, last = person_name(rng)
    local = rng.choice(
        (f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}{rng.randrange(10, 99)}", f"{last}.{first}")
    )
    return plant("email", f"{local}@{rng.choice(phrases.EMAIL_DOMAINS)}")


def street_address(rng: random.Random) -> str:
    number = rng.choice((rng.randrange(100, 999), rng.randrange(1000, 9999)))
    direction = rng.choice(("", "", "N ", "S ", "W ", "E "))
    unit = rng.choice(
        ("", "", "", f" Apt {rng.randrange(1, 12)}{rng.choice('ABCD')}", f" Unit {rng.randrange(1, 40)}")
    )
    return plant("address", f"{number} {direction}{rng.choice(phrases.STREETS)}{unit}")


def _pii_sentence(rng: random.Random, lang: Lang) -> str:
    kind = rng.randrange(3)
    if lang == "es":
        return (
            f"Mi teléfono es {phone_number(rng)}.",
            f"Mi correo es {email_address(rng)}.",
            f"Vivo en {street_address(rng)}.",
        )[kind]
    if kind == 0:
        return rng.choice(
            ("Call me at {0}.", "My number is {0} if anyone from the city wants to call.", "Reach me at {0}.")
        ).format(phone_number(rng))
    if kind == 1:
        return rng.choice(
            ("Email me at {0}.", "My email is {0}, please respond.", "You can reach me at {0}.")
        ).format(email_address(rng))
    return rng.choice(("This is at {0}.", "I live at {0}.", "Address is {0}.")).format(street_address(rng))


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    known = [i for i, w in enumerate(words) if w.lower().strip(".,!?") in phrases.MISSPELLINGS]
    if known and rng.random() < 0.5:
        i = rng.choice(known)
        bare = words[i].lower().strip(".,!?")
        words[i] = (
            words[i]
            .replace(bare, phrases.MISSPELLINGS[bare])
            .replace(bare.capitalize(), phrases.MISSPELLINGS[bare])
        )
        return " ".join(words)
    candidates = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word, at = words[i], rng.randrange(1, len(words[i]) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == 1:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[i] = word
    return " ".join(words)


def _tables(service_id: str | None, lang: Lang) -> Tables:
    key = service_id or phrases.GENERAL
    return _TABLES_ES[key] if lang == "es" else _TABLES_EN[key]


def _compose(rng: random.Random, service_id: str | None, tone: Tone, topic: str | None, lang: Lang) -> str:
    if lang == "es":
        templates = phrases.TOPIC_ES.get(topic or "") or phrases.TONE_ES[phrases.ES_TONE.get(tone, tone)]
    else:
        templates = phrases.TOPIC_EN.get(topic or "") or phrases.TONE_EN[tone]
    return _tidy(_fill(rng, rng.choice(templates), _tables(service_id, lang)))


def social_text(
    rng: random.Random,
    service_id: str | None,
    tone: Tone,
    *,
    topic: str | None = None,
    lang: Lang = "en",
    hashtags: Sequence[str] = (),
    pii: bool = False,
    limit: int = 280,
) -> str:
    """One resident post; `hashtags` are the service's tags, of which it may carry one."""
    text = _compose(rng, service_id, tone, topic, lang)
    if pii:
        text = f"{text} {_pii_sentence(rng, lang)}"
    if lang == "en" and rng.random() < 0.12:
        text = _typo(rng, text)
    if rng.random() < 0.08:
        text = text.lower()
    elif rng.random() < 0.08:
        text = text.rstrip(".") + rng.choice(("!!", "...", "!!!", " smh"))
    tags = []
    if hashtags and rng.random() < 0.35:
        tags.append(f"#{rng.choice(hashtags)}")
    if rng.random() < 0.3:
        tags.append("#Riverton")
    if tags:
        text = f"{text}{rng.choice((' ', ' ', chr(10) + chr(10)))}{' '.join(tags)}"
    if f"@{CITY_HANDLE}".lower() not in text.lower() and rng.random() < 0.12:
        text = f"@{CITY_HANDLE} {text}"
    return _truncate(text, limit)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.") + "…"


def comment_text(
    rng: random.Random,
    service_id: str,
    tone: Tone,
    *,
    topic: str | None = None,
    lang: Lang = "en",
    pii: bool = False,
) -> str:
    """A survey comment: the same voice without hashtags, mentions and most emoji."""
    text = _compose(rng, service_id, tone, topic, lang)
    text = text.replace(f"@{CITY_HANDLE}", "the city").replace("@Riverton311", "311")
    if rng.random() < 0.85:
        text = re.sub(r"[\U0001F300-\U0001FAFF\u2600-\u27BF\u2139\uFE0F]+", "", text)
        text = re.sub(r"[ \t]+", " ", text).strip()
    if lang == "en" and tone in ("negative", "mixed", "positive") and rng.random() < 0.3:
        lead = rng.choice(("Please", "You should", "It would help to"))
        text = f"{text} {lead} {_fill(rng, '{suggest}', _tables(service_id, 'en'))}."
    if pii:
        text = f"{text} {_pii_sentence(rng, lang)}"
    if lang == "en" and rng.random() < 0.08:
        text = _typo(rng, text)
    return _tidy(text)


def city_post(rng: random.Random, service_id: str | None, topic: str | None, path: str) -> str:
    """An announcement by the city's account, about a signal's topic when one is given."""
    template = rng.choice(phrases.CITY_POSTS.get(topic or "plain", phrases.CITY_POSTS["plain"]))
    tables = {**_tables(service_id, "en"), "path": (path,)}
    return _tidy(_fill(rng, template, tables))


def city_reply(rng: random.Random, handle: str, department: str) -> str:
    return f"@{handle} " + rng.choice(phrases.CITY_REPLIES).format(department=department)


def call_note(
    rng: random.Random,
    service_id: str,
    topic: str | None,
    outcome: Outcome,
    *,
    shorthand: bool,
    pii: bool,
    wait_seconds: int,
    repeat: bool,
    spanish: bool,
) -> str:
    """An agent's wrap-up note: issue, verification, finding, advice, outcome, in several sentences."""
    tables: Tables = {
        **_TABLES_EN[service_id],
        "parcel": (f"{rng.randrange(10, 99)}-{rng.randrange(100, 999)}-{rng.randrange(100, 999)}",),
        "plate": (
            plant(
                "plate",
                f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}"
                f"{rng.randrange(10000, 99999)}",
            ),
        ),
        "tail": (f"{rng.randrange(10000):04d}",),
        "route": (f"{rng.randrange(1, 30)}",),
        "ticket": (f"26-{rng.randrange(100000, 999999)}",),
        "conf": (f"{rng.randrange(10**7, 10**8)}",),
    }
    cases = phrases.CALL_CASES.get(f"{service_id}:{topic}") or phrases.CALL_CASES[service_id]
    issue, finding, advice = rng.choice(cases)
    sentences = [f"{rng.choice(phrases.CALL_OPEN)} {_fill(rng, issue, tables)}."]
    if spanish:
        sentences.append(
            rng.choice(
                (
                    "Spanish-speaking caller, used language line.",
                    "Caller prefers Spanish, interpreter joined.",
                )
            )
        )
    sentences.append(_fill(rng, rng.choice((*phrases.CALL_VERIFY, "{verify}", "{verify}")), tables))
    if finding and rng.random() < 0.7:
        sentences.append(_fill(rng, finding, tables))
    sentences.append(f"Advised {_fill(rng, advice, tables)}.")
    if topic is None and rng.random() < 0.2:
        extra = rng.choice(tables["advice"])
        if extra != advice:
            sentences.append(f"Also advised {_fill(rng, extra, tables)}.")
    if repeat:
        sentences.append(
            rng.choice(("Repeat caller, same issue as last week.", "Has called about this before."))
        )
    if wait_seconds > 900 and rng.random() < 0.6:
        sentences.append(f"Caller complained about the {wait_seconds // 60} min hold.")
    elif rng.random() < 0.2:
        sentences.append(rng.choice(phrases.CALL_EXTRA))
    if pii:
        sentences.append(
            rng.choice(
                (
                    f"Callback number {phone_number(rng)}.",
                    f"Caller asked for confirmation to {email_address(rng)}.",
                    f"Service address {street_address(rng)}.",
                    f"Updated mailing address to {street_address(rng)}.",
                )
            )
        )
    sentences.append(_fill(rng, rng.choice(phrases.CALL_OUTCOME[outcome]), tables))
    separator = "\n" if rng.random() < 0.15 else " "
    note = separator.join(_tidy(s) for s in sentences)
    if shorthand:
        for long, short in phrases.SHORTHAND:
            note = note.replace(long, short)
    return note
