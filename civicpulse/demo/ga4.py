"""GA4 Data API `runReport` responses (`ga4/ga4_<report>_<YYYYMMDD>-<YYYYMMDD>_offset<NNNNNN>.json`).

Two weekly reports, each paged at `PAGE_LIMIT` rows: pages (date x pagePath) and site search
(date x searchTerm). Page paths are stable, plus one news article per `NEWS_PER_SCALE`-th of scale.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicpulse.demo import signals
from civicpulse.demo.city import TIMEZONE, Page, active
from civicpulse.demo.output import Written
from civicpulse.demo.sampling import around, binomial, days, poisson, stream, summer, web_weekday

PAGE_LIMIT = 1000
NEWS_PER_SCALE = 4
SEARCHES_PER_DAY = 170.0
PAGE_METRICS = (
    ("screenPageViews", "TYPE_INTEGER"),
    ("sessions", "TYPE_INTEGER"),
    ("activeUsers", "TYPE_INTEGER"),
    ("userEngagementDuration", "TYPE_SECONDS"),
    ("keyEvents:form_submit", "TYPE_FLOAT"),
    ("keyEvents:payment_complete", "TYPE_FLOAT"),
)
SEARCH_METRICS = (("eventCount", "TYPE_INTEGER"), ("sessions", "TYPE_INTEGER"))
# Site searches a signal's topic brings (Effect ga4.topic_searches), by topic.
TOPIC_SEARCH_TERMS = {
    "outage": (
        "dmv website down",
        "renew license online not working",
        "dmv payment error",
        "dmv site not working",
    ),
    "payment_outage": (
        "water bill payment not working",
        "pay water bill online error",
        "utility payment portal down",
        "autopay failed",
    ),
    "fee": (
        "water rate increase",
        "why is my water bill higher",
        "utility fee",
        "new water rates",
    ),
}
_SEARCH_STEMS = {
    "property_tax": (
        "property tax",
        "pay property tax",
        "homestead exemption",
        "assessment appeal",
        "tax bill",
        "proprety tax",
        "senior freeze",
    ),
    "drivers_licence": (
        "dmv",
        "dmv appointment",
        "renew license",
        "real id",
        "registration renewal",
        "dmv hours",
        "license plate",
        "dmv apointment",
        "title transfer",
    ),
    "business_licence": (
        "business license",
        "food truck permit",
        "home business",
        "business license renewal",
    ),
    "utility_billing": (
        "pay water bill",
        "water bill",
        "autopay",
        "start water service",
        "stop service",
        "leak adjustment",
    ),
    "building_permits": (
        "building permit",
        "fence permit",
        "inspection",
        "permit status",
        "deck permit",
        "plan review",
    ),
    "housing_assistance": (
        "rental assistance",
        "housing",
        "section 8",
        "eviction help",
        "affordable housing",
    ),
    "parks_recreation": (
        "pool hours",
        "summer camp",
        "shelter reservation",
        "swim lessons",
        "parks",
        "splash pad",
    ),
    "waste_collection": (
        "trash schedule",
        "bulk pickup",
        "recycling",
        "yard waste",
        "recycling cart",
        "trash pickup",
        "holiday trash schedule",
    ),
    "general_311": ("311", "pothole", "streetlight out", "report a problem", "noise complaint", "graffiti"),
    "": (
        "jobs",
        "city council",
        "budget",
        "library hours",
        "fireworks",
        "election",
        "contact",
        "mayor",
        "cooling center",
        "road construction",
        "farmers market",
    ),
}
_MODIFIERS = (
    "",
    "",
    "",
    "online",
    "hours",
    "phone number",
    "form",
    "near me",
    "2026",
    "cost",
    "deadline",
    "how to",
    "status",
    "application",
    "fees",
    "appointment",
    "login",
    "payment",
)


@dataclass(frozen=True)
class _PagePath:
    page: Page
    service_id: str | None
    summer_peak: float


def write(folder: Path, start: dt.date, day_count: int, seed: int, scale: float) -> Written:
    rng = stream(seed, "ga4")
    paths = _paths(rng, scale)
    vocabulary = _vocabulary(rng)
    written = Written()
    for first in range(0, day_count, 7):
        week = list(days(start + dt.timedelta(days=first), min(7, day_count - first)))
        page_rows = [row for day in week for row in _page_rows(rng, day, paths, scale)]
        search_rows = [row for day in week for row in _search_rows(rng, day, vocabulary, scale)]
        _write_report(folder, "pages", week, ("date", "pagePath"), PAGE_METRICS, page_rows, written)
        _write_report(folder, "search", week, ("date", "searchTerm"), SEARCH_METRICS, search_rows, written)
    return written


def _paths(rng: random.Random, scale: float) -> list[_PagePath]:
    city = active()
    paths = [_PagePath(page, s.id, s.summer_peak) for s in city.services for page in s.pages]
    paths += [_PagePath(page, None, 0.0) for page in city.unmapped_pages]
    topics = city.news_topics
    for i in range(max(1, round(NEWS_PER_SCALE * scale))):
        slug = topics[i % len(topics)]
        path = f"/news/{slug}" if i < len(topics) else f"/news/{slug}-{i // len(topics) + 1}"
        paths.append(
            _PagePath(
                Page(path, rng.uniform(12, 60) / max(1.0, scale**0.5), engagement_seconds=75), None, 0.0
            )
        )
    return paths


def _vocabulary(rng: random.Random) -> list[tuple[str, str, float]]:
    """(term, service id or '', weight) with Zipf-like weights over a shuffled ranking."""
    terms = [
        (f"{modifier} {stem}".strip() if modifier == "how to" else f"{stem} {modifier}".strip(), service)
        for service, stems in _SEARCH_STEMS.items()
        for stem in stems
        for modifier in _MODIFIERS
    ]
    unique = sorted(set(terms))
    heads = [t for t in unique if t[0] in {s for stems in _SEARCH_STEMS.values() for s in stems}]
    tails = [t for t in unique if t not in heads]
    rng.shuffle(heads)
    rng.shuffle(tails)
    return [(term, service, 1.0 / (rank + 1) ** 1.6) for rank, (term, service) in enumerate(heads + tails)]


def _page_rows(rng: random.Random, day: dt.date, paths: list[_PagePath], scale: float) -> Iterator[list[str]]:
    rows = []
    for path in paths:
        service_id = path.service_id or ""
        base_mean = path.page.sessions * web_weekday(day) * summer(day, path.summer_peak) * scale
        base = poisson(rng, base_mean)
        boost = signals.factor(service_id, day, "ga4", "sessions")
        if path.page.path == "/utilities/rates":
            boost *= signals.factor(service_id, day, "ga4", "rates_page_sessions")
        sessions = base if boost == 1.0 else base + poisson(rng, base_mean * (boost - 1))
        forms = binomial(
            rng, base, path.page.form_rate * signals.factor(service_id, day, "ga4", "form_submits")
        )
        payments = binomial(
            rng, base, path.page.payment_rate * signals.factor(service_id, day, "ga4", "payments_completed")
        )
        users = round(sessions * rng.uniform(0.78, 0.93))
        views = round(sessions * rng.uniform(1.15, 1.9))
        engagement = round(sessions * around(rng, path.page.engagement_seconds, 0.2))
        rows.append(
            (
                sessions,
                [
                    f"{day:%Y%m%d}",
                    path.page.path,
                    str(views),
                    str(sessions),
                    str(users),
                    str(engagement),
                    str(forms),
                    str(payments),
                ],
            )
        )
    rows.sort(key=lambda item: -item[0])
    return (row for _, row in rows)


def _search_rows(
    rng: random.Random, day: dt.date, vocabulary: list[tuple[str, str, float]], scale: float
) -> Iterator[list[str]]:
    total = sum(weight for _, _, weight in vocabulary)
    volume = SEARCHES_PER_DAY * scale * web_weekday(day)
    counts: dict[str, int] = {}
    for term, _, weight in vocabulary:
        count = poisson(rng, volume * weight / total)
        if count:
            counts[term] = count
    for service in active().services:
        terms = TOPIC_SEARCH_TERMS.get(signals.topic(service.id, day) or "", ())
        topic_volume = signals.level(service.id, day, "ga4", "topic_searches", 0.0) * scale if terms else 0.0
        for rank, term in enumerate(terms):
            count = poisson(rng, topic_volume * (0.45 if rank == 0 else 0.55 / (len(terms) - 1)))
            if count:
                counts[term] = counts.get(term, 0) + count
    not_set = poisson(rng, 3 * scale)
    if not_set:
        counts["(not set)"] = not_set
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return (
        [f"{day:%Y%m%d}", term, str(count), str(max(1, round(count * rng.uniform(0.72, 0.96))))]
        for term, count in ordered
    )


def _write_report(
    folder: Path,
    report: str,
    week: list[dt.date],
    dimensions: tuple[str, ...],
    metrics: tuple[tuple[str, str], ...],
    rows: list[list[str]],
    written: Written,
) -> None:
    width = len(dimensions)
    totals = [str(sum(int(row[width + i]) for row in rows)) for i in range(len(metrics))]
    stem = f"ga4_{report}_{week[0]:%Y%m%d}-{week[-1]:%Y%m%d}"
    for offset in range(0, max(1, len(rows)), PAGE_LIMIT):
        page = rows[offset : offset + PAGE_LIMIT]
        payload: dict[str, Any] = {
            "dimensionHeaders": [{"name": name} for name in dimensions],
            "metricHeaders": [{"name": name, "type": kind} for name, kind in metrics],
            "rows": [
                {
                    "dimensionValues": [{"value": v} for v in row[:width]],
                    "metricValues": [{"value": v} for v in row[width:]],
                }
                for row in page
            ],
            "totals": [
                {
                    "dimensionValues": [{"value": "RESERVED_TOTAL"}] * width,
                    "metricValues": [{"value": v} for v in totals],
                }
            ],
            "rowCount": len(rows),
            "metadata": {"currencyCode": "USD", "timeZone": TIMEZONE.key},
            "kind": "analyticsData#runReport",
        }
        if not page:
            del payload["rows"]
        written.json(folder / f"{stem}_offset{offset:06d}.json", payload, len(page))
