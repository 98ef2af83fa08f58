"""GSA Touchpoints A-11 v2 exports (`touchpoints/<form_id>/touchpoints-a11-v2-form-responses-<stamp>.csv`).

Most forms are exported weekly in the combined layout (`Form#to_combined_a11_v2_csv`); the forms in
`PLAIN_EXPORT_FORMS` are exported daily in the plain 17-column layout (`Form#to_a11_v2_csv`), whose only
date is the export timestamp in the file name.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from civicpulse.demo import signals, texts
from civicpulse.demo.city import (
    CITY_NAME,
    FORM_OPTIONS,
    SITE_HOST,
    TIMEZONE,
    Service,
    active,
)
from civicpulse.demo.output import Written
from civicpulse.demo.sampling import UTC, WEB_HOURS, days, local_time, poisson, stream, web_weekday

INDICATORS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")
A11_V2_COLUMNS = (
    "external_id",
    "question_1",
    *(f"positive_{name}" for name in INDICATORS),
    *(f"negative_{name}" for name in INDICATORS),
    "question_4",
)
COMBINED_FIELDS = (
    "Location Code",
    "User Agent",
    "Status",
    "Archived",
    "Flagged",
    "Deleted",
    "Deleted at",
    "Page",
    "Query string",
    "Hostname",
    "Referrer",
    "Created at",
    "Tags",
)
RESPONSES_PER_DAY = 30.0
COMMENT_SHARE = 0.4
FIRST_SUBMISSION_ID = 1_204_331
_POSITIVE_WEIGHTS = (5, 4, 4, 1, 2, 3, 1)
_NEGATIVE_WEIGHTS = (4, 4, 3, 2, 1, 1, 1)
_TOPIC_NEGATIVES = {"outage": ("ease", "effectiveness"), "fee": ("transparency", "effectiveness")}
_USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S911U) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 "
    "Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
)
_REFERRERS = (
    "",
    "",
    "https://www.google.com/",
    f"https://{SITE_HOST}/",
    "https://www.bing.com/",
    "https://t.co/",
    "https://l.facebook.com/",
)


@dataclass(frozen=True)
class _Response:
    at: dt.datetime
    uuid: str
    page: str
    query: str
    referrer: str
    user_agent: str
    thumbs_up: bool
    positives: tuple[str, ...]
    negatives: tuple[str, ...]
    comment: str


def write(folder: Path, start: dt.date, day_count: int, seed: int, scale: float) -> Written:
    rng = stream(seed, "touchpoints")
    written = Written()
    next_id = FIRST_SUBMISSION_ID
    city = active()
    weekly: dict[str, list[tuple[int, _Response]]] = {s.id: [] for s in city.services}
    for offset, day in enumerate(days(start, day_count)):
        daily = sorted(
            (
                (r.at, service.id, r)
                for service in city.services
                for r in _responses(rng, day, service, scale)
            ),
            key=lambda item: (item[0], item[1]),
        )
        numbered: dict[str, list[tuple[int, _Response]]] = {s.id: [] for s in city.services}
        for _, service_id, response in daily:
            numbered[service_id].append((next_id, response))
            next_id += rng.randrange(1, 40)
        for service in city.services:
            if service.id in city.plain_export_forms:
                stamp = dt.datetime(day.year, day.month, day.day, 23, 59, rng.randrange(60))
                _write_plain(folder, service, stamp, numbered[service.id], written)
            else:
                weekly[service.id] += numbered[service.id]
        if offset % 7 == 6 or offset == day_count - 1:
            export = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(6, 15), TIMEZONE).astimezone(UTC)
            for service in city.services:
                if service.id not in city.plain_export_forms:
                    _write_combined(
                        folder,
                        service,
                        export + dt.timedelta(seconds=rng.randrange(90)),
                        weekly[service.id],
                        written,
                    )
                    weekly[service.id] = []
    return written


def _responses(rng: random.Random, day: dt.date, service: Service, scale: float) -> list[_Response]:
    boost = signals.factor(service.id, day, "touchpoints", "responses")
    mean = RESPONSES_PER_DAY * service.touchpoints_share * web_weekday(day) * scale * boost
    thumbs_down = signals.level(
        service.id, day, "touchpoints", "thumbs_down_share", service.thumbs_down_share
    )
    topic = signals.topic(service.id, day)
    offered = active().form_options.get(service.id, FORM_OPTIONS["default"])
    responses = []
    for _ in range(poisson(rng, mean)):
        up = rng.random() >= thumbs_down
        weights = _POSITIVE_WEIGHTS if up else _NEGATIVE_WEIGHTS
        chosen = set(rng.choices(INDICATORS, weights=weights, k=rng.choice((1, 1, 2, 2, 3))))
        if not up and topic in _TOPIC_NEGATIVES and rng.random() < 0.8:
            chosen.update(_TOPIC_NEGATIVES[topic])
        picked = tuple(name for name in INDICATORS if name in chosen and name in offered)
        comment = ""
        if rng.random() < COMMENT_SHARE:
            tone: texts.Tone = (
                rng.choice(("positive", "positive", "mixed"))
                if up
                else rng.choice(("negative", "negative", "negative", "sarcasm", "mixed"))
            )
            on_topic = (topic in ("outage", "fee") and not up) or (topic == "fast" and up)
            about = topic if on_topic and rng.random() < 0.75 else None
            comment = texts.comment_text(
                rng,
                service.texts_key,
                tone,
                topic=about,
                lang="es" if rng.random() < 0.05 else "en",
                pii=rng.random() < 0.03,
            )
        page = rng.choice(service.pages).path
        responses.append(
            _Response(
                local_time(rng, day, WEB_HOURS),
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                page,
                "" if rng.random() < 0.85 else "utm_source=newsletter&utm_medium=email",
                rng.choice(_REFERRERS),
                rng.choice(_USER_AGENTS),
                up,
                picked if up else (),
                () if up else picked,
                comment,
            )
        )
    return responses


def _a11(submission_id: int, response: _Response, offered: tuple[str, ...]) -> list[str]:
    def flag(name: str, chosen: tuple[str, ...]) -> str:
        return "null" if name not in offered else ("1" if name in chosen else "0")

    return [
        str(submission_id),
        "1" if response.thumbs_up else "0",
        *(flag(name, response.positives) for name in INDICATORS),
        *(flag(name, response.negatives) for name in INDICATORS),
        response.comment,
    ]


def _path(folder: Path, service: Service, stamp: dt.datetime) -> Path:
    return folder / service.form_id / f"touchpoints-a11-v2-form-responses-{stamp:%Y-%m-%d_%H%M%S}.csv"


def _write_plain(
    folder: Path, service: Service, stamp: dt.datetime, rows: list[tuple[int, _Response]], written: Written
) -> None:
    offered = active().form_options.get(service.id, FORM_OPTIONS["default"])
    path = _path(folder, service, stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(A11_V2_COLUMNS)
        writer.writerows(_a11(i, r, offered) for i, r in rows)
    written.files.append(path)
    written.records += len(rows)


def _questions(service: Service) -> tuple[str, str, str, str]:
    """The four A-11 v2 question titles of a service's form, as the combined export heads its columns."""
    return (
        f"Based on my experience with {service.name.lower()}, I trust the City of {CITY_NAME} "
        "to deliver on its mission to residents.",
        "What went well?",
        "What didn't go so well?",
        "Additional comments",
    )


def _write_combined(
    folder: Path, service: Service, stamp: dt.datetime, rows: list[tuple[int, _Response]], written: Written
) -> None:
    offered = active().form_options.get(service.id, FORM_OPTIONS["default"])
    path = _path(folder, service, stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("ID", "UUID", *_questions(service), *COMBINED_FIELDS, *A11_V2_COLUMNS))
        for submission_id, r in rows:
            writer.writerow(
                (
                    str(submission_id),
                    r.uuid,
                    "1" if r.thumbs_up else "0",
                    ",".join(r.positives),
                    ",".join(r.negatives),
                    r.comment,
                    "",
                    r.user_agent,
                    "received",
                    "false",
                    "false",
                    "false",
                    "",
                    r.page,
                    r.query,
                    SITE_HOST,
                    r.referrer,
                    f"{r.at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
                    "",
                    *_a11(submission_id, r, offered),
                )
            )
    written.files.append(path)
    written.records += len(rows)
