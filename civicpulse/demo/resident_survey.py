"""The annual resident survey (`resident_survey/`), a Qualtrics-style export flattened to one header row.

Online responses come in one file with ISO dates; phone interviews keyed in by staff come in another
with US dates (`MM/DD/YYYY`).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from civicpulse.demo import signals, texts
from civicpulse.demo.city import Service, active
from civicpulse.demo.output import Written
from civicpulse.demo.pii import plant
from civicpulse.demo.sampling import days, poisson, stream

HEADER = (
    "respondent_id",
    "response_date",
    "service_used",
    "satisfaction",
    "trust",
    "ease",
    "comment",
    "language",
)
RESPONSES_PER_DAY = 10.0
PHONE_SHARE = 0.2
SPANISH_SHARE = 0.06
COMMENT_SHARE = 0.5
SKIP_SHARE = 0.04
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def write(folder: Path, start: dt.date, day_count: int, seed: int, scale: float) -> Written:
    rng = stream(seed, "resident_survey")
    folder.mkdir(parents=True, exist_ok=True)
    year = start.year
    online_path = folder / f"resident_survey_{year}_online.csv"
    phone_path = folder / f"resident_survey_{year}_phone.csv"
    written = Written(files=[online_path, phone_path])
    with (
        online_path.open("w", encoding="utf-8", newline="") as online,
        phone_path.open("w", encoding="utf-8", newline="") as phone,
    ):
        online_writer, phone_writer = csv.writer(online), csv.writer(phone)
        online_writer.writerow(HEADER)
        phone_writer.writerow(HEADER)
        services = active().services
        weights = [s.survey_share for s in services]
        for day in days(start, day_count):
            for _ in range(poisson(rng, RESPONSES_PER_DAY * scale)):
                service = rng.choices(services, weights=weights)[0]
                by_phone = rng.random() < PHONE_SHARE
                date = f"{day:%m/%d/%Y}" if by_phone else day.isoformat()
                (phone_writer if by_phone else online_writer).writerow(_response(rng, day, service, date))
                written.records += 1
    return written


def _response(rng: random.Random, day: dt.date, service: Service, date: str) -> tuple[str, ...]:
    negative_share = signals.level(
        service.id, day, "resident_survey", "negative_share", service.thumbs_down_share
    )
    unhappy = rng.random() < negative_share
    scores = (1, 2, 2, 3) if unhappy else (3, 4, 4, 5, 5)
    satisfaction, trust, ease = (
        ""
        if rng.random() < SKIP_SHARE
        else str(max(1, min(5, rng.choice(scores) + rng.choice((-1, 0, 0, 0, 1))))),
        "" if rng.random() < SKIP_SHARE else str(rng.choice(scores)),
        "" if rng.random() < SKIP_SHARE else str(rng.choice(scores)),
    )
    lang: texts.Lang = "es" if rng.random() < SPANISH_SHARE else "en"
    comment = ""
    if rng.random() < COMMENT_SHARE:
        topic = signals.topic(service.id, day)
        about_share = signals.level(service.id, day, "resident_survey", "topic_comment_share", 0.7)
        about = topic if topic in ("outage", "fee", "fast") and rng.random() < about_share else None
        if (about == "fast" and unhappy) or (about in ("outage", "fee") and not unhappy):
            about = None
        tone: texts.Tone = (
            rng.choice(("negative", "negative", "sarcasm", "mixed"))
            if unhappy
            else rng.choice(("positive", "positive", "mixed", "question"))
        )
        comment = texts.comment_text(
            rng, service.texts_key, tone, topic=about, lang=lang, pii=rng.random() < 0.02
        )
    respondent = plant("respondent_id", "R_" + "".join(rng.choices(_ID_ALPHABET, k=15)))
    return (respondent, date, service.survey_choice, satisfaction, trust, ease, comment, lang.upper())
