"""Contact-centre call exports (`contact_center/calls_<YYYY-MM-DD>.csv`), one file per day, local times."""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import uuid
from pathlib import Path

from civicpulse.demo import signals, texts
from civicpulse.demo.city import Service, active
from civicpulse.demo.output import Written
from civicpulse.demo.pii import plant
from civicpulse.demo.sampling import around, call_weekday, days, local_between, poisson, stream, summer

HEADER = (
    "call_id",
    "start_time",
    "queue",
    "wait_seconds",
    "handle_seconds",
    "disposition",
    "resolved",
    "repeat_contact",
    "caller_number",
    "agent_id",
    "notes",
)
CALLS_PER_WEEKDAY = 80.0
OPENING_HOURS = {5: (9.0, 13.0)}
WEEKDAY_HOURS = (8.0, 18.0)
PII_SHARE = 0.04
SPANISH_SHARE = 0.06
_PAYING = frozenset(
    {
        "property_tax",
        "drivers_licence",
        "business_licence",
        "utility_billing",
        "building_permits",
        "parks_recreation",
    }
)
_DISPOSITIONS: dict[texts.Outcome, str] = {
    "resolved": "RESOLVED",
    "payment": "PAYMENT_TAKEN",
    "escalated": "ESCALATED",
    "transferred": "TRANSFERRED",
    "callback": "CALLBACK_SCHEDULED",
    "unresolved": "UNRESOLVED",
}


def write(folder: Path, start: dt.date, day_count: int, seed: int, scale: float) -> Written:
    rng = stream(seed, "contact_center")
    agents = [(f"AG{1001 + i}", rng.random() < 0.35) for i in range(max(12, int(30 * math.sqrt(scale))))]
    folder.mkdir(parents=True, exist_ok=True)
    written = Written()
    for day in days(start, day_count):
        rows = sorted(
            (row for service in active().services for row in _calls(rng, day, service, scale, agents)),
            key=lambda row: (row[1], row[0]),
        )
        path = folder / f"calls_{day.isoformat()}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(rows)
        written.files.append(path)
        written.records += len(rows)
    return written


def _calls(
    rng: random.Random, day: dt.date, service: Service, scale: float, agents: list[tuple[str, bool]]
) -> list[tuple[str, ...]]:
    weekday = call_weekday(day)
    if weekday == 0:
        return []
    first, last = OPENING_HOURS.get(day.weekday(), WEEKDAY_HOURS)
    boost = signals.factor(service.id, day, "contact_center", "calls")
    topic = signals.topic(service.id, day)
    wait_median = signals.level(
        service.id, day, "contact_center", "wait_median_seconds", service.wait_median_seconds
    )
    handle_median = signals.level(
        service.id, day, "contact_center", "handle_median_seconds", service.handle_median_seconds
    )
    mean = (
        CALLS_PER_WEEKDAY * service.calls_share * weekday * summer(day, service.summer_peak) * scale * boost
    )
    rows: list[tuple[str, ...]] = []
    for _ in range(poisson(rng, mean)):
        about = topic if topic in ("outage", "fee") and rng.random() < (boost - 1) / boost else None
        if topic == "fast" and rng.random() < 0.3:
            about = "fast"
        wait = int(around(rng, wait_median, 0.7))
        started = local_between(rng, day, first, last)
        caller = plant(
            "caller_id",
            ""
            if rng.random() < 0.02
            else f"+1{rng.choice(('312', '773', '872', '630'))}555{rng.randrange(10**4):04d}",
        )
        if rng.random() < min(0.25, 0.02 + wait / 12000):
            rows.append(
                (
                    _call_id(rng),
                    f"{started:%Y-%m-%d %H:%M:%S}",
                    service.queue,
                    str(wait),
                    "0",
                    "ABANDONED",
                    "N",
                    "N",
                    caller,
                    "",
                    "",
                )
            )
            continue
        outcome = _outcome(rng, service, about)
        repeat = rng.random() < (0.3 if about in ("outage", "fee") else 0.12)
        agent, shorthand = rng.choice(agents)
        note = texts.call_note(
            rng,
            service.texts_key,
            about,
            outcome,
            shorthand=shorthand,
            pii=rng.random() < PII_SHARE,
            wait_seconds=wait,
            repeat=repeat,
            spanish=rng.random() < SPANISH_SHARE,
        )
        handle = int(around(rng, handle_median, 0.5))
        rows.append(
            (
                _call_id(rng),
                f"{started:%Y-%m-%d %H:%M:%S}",
                service.queue,
                str(wait),
                str(handle),
                _DISPOSITIONS[outcome],
                "Y" if outcome in ("resolved", "payment") else "N",
                "Y" if repeat else "N",
                caller,
                agent,
                note,
            )
        )
    return rows


def _outcome(rng: random.Random, service: Service, topic: str | None) -> texts.Outcome:
    choices: list[texts.Outcome] = [
        "resolved",
        "payment",
        "escalated",
        "transferred",
        "callback",
        "unresolved",
    ]
    weights = [0.5, 0.12 if service.texts_key in _PAYING else 0.0, 0.12, 0.1, 0.09, 0.07]
    if topic in ("outage", "fee"):
        weights = [0.35, 0.15 if topic == "outage" else 0.05, 0.2, 0.05, 0.1, 0.15]
    return rng.choices(choices, weights=weights)[0]


def _call_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
