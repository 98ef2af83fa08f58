"""Seeded random helpers shared by the generators: counts, durations, times of day and calendar effects."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator, Sequence

from civicpulse.demo.city import TIMEZONE

UTC = dt.UTC

SOCIAL_HOURS = (
    0.4,
    0.25,
    0.15,
    0.1,
    0.1,
    0.25,
    0.7,
    1.4,
    1.9,
    2.0,
    2.0,
    2.0,
    2.3,
    2.1,
    1.8,
    1.8,
    1.9,
    2.1,
    2.3,
    2.4,
    2.2,
    1.7,
    1.1,
    0.7,
)
WEB_HOURS = (
    0.2,
    0.1,
    0.1,
    0.1,
    0.1,
    0.2,
    0.6,
    1.2,
    2.0,
    2.3,
    2.3,
    2.2,
    2.2,
    2.3,
    2.2,
    2.0,
    1.8,
    1.6,
    1.5,
    1.6,
    1.5,
    1.2,
    0.8,
    0.4,
)

_SOCIAL_WEEKDAY = (1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.8)
_WEB_WEEKDAY = (1.1, 1.05, 1.0, 1.0, 0.9, 0.6, 0.55)
_CALL_WEEKDAY = (1.3, 1.15, 1.05, 1.0, 0.9, 0.35, 0.0)


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream per generator, so one format's volume never shifts another's."""
    return random.Random(f"civicpulse-demo:{seed}:{name}")


def days(start: dt.date, count: int) -> Iterator[dt.date]:
    for offset in range(count):
        yield start + dt.timedelta(days=offset)


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 60:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def around(rng: random.Random, median: float, spread: float) -> float:
    """A log-normal draw with the given median; `spread` is the sigma of the log."""
    return median * math.exp(rng.gauss(0.0, spread))


def binomial(rng: random.Random, trials: int, p: float) -> int:
    if trials <= 0 or p <= 0:
        return 0
    if trials > 200:
        mean = trials * p
        return min(trials, max(0, round(rng.gauss(mean, math.sqrt(mean * (1 - min(p, 1.0)))))))
    return sum(1 for _ in range(trials) if rng.random() < p)


def social_weekday(day: dt.date) -> float:
    return _SOCIAL_WEEKDAY[day.weekday()]


def web_weekday(day: dt.date) -> float:
    return _WEB_WEEKDAY[day.weekday()]


def call_weekday(day: dt.date) -> float:
    return _CALL_WEEKDAY[day.weekday()]


def summer(day: dt.date, peak: float) -> float:
    """1 + peak in mid-July, fading to 1 by mid-April and mid-October."""
    return 1.0 + peak * max(0.0, math.cos(2 * math.pi * (day.timetuple().tm_yday - 196) / 365))


def local_time(rng: random.Random, day: dt.date, hour_weights: Sequence[float]) -> dt.datetime:
    hour = rng.choices(range(24), weights=hour_weights)[0]
    return dt.datetime(
        day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=TIMEZONE
    )


def local_between(rng: random.Random, day: dt.date, first_hour: float, last_hour: float) -> dt.datetime:
    """A local time on `day` between two hours, weighted towards the morning as call centres are."""
    span = (last_hour - first_hour) * 3600
    seconds = int(first_hour * 3600 + span * (rng.random() ** 1.3))
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=TIMEZONE)
    return midnight + dt.timedelta(seconds=min(seconds, int(last_hour * 3600) - 1))


def iso_z(moment: dt.datetime) -> str:
    utc = moment.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{utc.microsecond // 1000:03d}Z"


def token(rng: random.Random, length: int) -> str:
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=length))
