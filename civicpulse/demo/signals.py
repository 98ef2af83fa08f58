"""The changes planted in the demo city, with their dates and magnitudes.

The generators read every magnitude from here, so these constants are the truth that tests, docs and
anomaly checks compare against. Effects on `social` apply to both `x` and `mastodon`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from civicpulse.demo.city import SERVICES_BY_ID, active

Channel = Literal["ga4", "social", "contact_center", "touchpoints", "resident_survey"]
Phase = Literal["active", "notice"]


@dataclass(frozen=True)
class Effect:
    channel: Channel
    measure: str
    before: float
    during: float
    unit: str
    phase: Phase = "active"

    @property
    def factor(self) -> float:
        return self.during / self.before


@dataclass(frozen=True)
class Signal:
    id: str
    service_id: str
    start: dt.date
    end: dt.date | None
    topic: str
    description: str
    effects: tuple[Effect, ...]
    announced: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def in_notice_on(self, day: dt.date) -> bool:
        return self.announced is not None and self.announced <= day < self.start

    def phase_on(self, day: dt.date) -> Phase | None:
        if self.active_on(day):
            return "active"
        if self.in_notice_on(day):
            return "notice"
        return None

    def effect(self, channel: Channel, measure: str, phase: Phase = "active") -> Effect:
        for effect in self.effects:
            if (effect.channel, effect.measure, effect.phase) == (channel, measure, phase):
                return effect
        raise KeyError(f"signal {self.id} has no {phase} effect {channel}.{measure}")


_DMV = SERVICES_BY_ID["drivers_licence"]
_UTILITY = SERVICES_BY_ID["utility_billing"]
_PERMITS = SERVICES_BY_ID["building_permits"]

DMV_OUTAGE = Signal(
    id="dmv_website_outage",
    service_id="drivers_licence",
    start=dt.date(2026, 6, 15),
    end=dt.date(2026, 6, 28),
    topic="outage",
    description=(
        "The online licence renewal and registration payment site is down for two weeks. Residents keep "
        "retrying on the website, search for the outage, complain on social media, phone the DMV instead "
        "and give the DMV Touchpoints form thumbs down."
    ),
    effects=(
        Effect("ga4", "sessions", 1.0, 1.7, "x baseline sessions on /dmv pages"),
        Effect("ga4", "form_submits", 1.0, 0.12, "x baseline keyEvents:form_submit on /dmv pages"),
        Effect("ga4", "payments_completed", 1.0, 0.08, "x baseline keyEvents:payment_complete on /dmv pages"),
        Effect("ga4", "topic_searches", 0.0, 40.0, "site searches per day for outage terms, x scale"),
        Effect("social", "posts", 1.0, 3.0, "x baseline DMV posts; the extra posts are about the outage"),
        Effect(
            "contact_center", "calls", 1.0, 2.0, "x baseline DMV calls; the extra calls are about the outage"
        ),
        Effect(
            "contact_center", "wait_median_seconds", _DMV.wait_median_seconds, 900.0, "seconds, DMV queue"
        ),
        Effect("touchpoints", "responses", 1.0, 1.5, "x baseline drivers_licence form responses"),
        Effect("touchpoints", "thumbs_down_share", _DMV.thumbs_down_share, 0.75, "share of question_1 = 0"),
        Effect("resident_survey", "negative_share", _DMV.thumbs_down_share, 0.70, "share of dissatisfied"),
    ),
)

UTILITY_FEE_INCREASE = Signal(
    id="utility_fee_increase",
    service_id="utility_billing",
    start=dt.date(2026, 7, 1),
    end=None,
    announced=dt.date(2026, 6, 24),
    topic="fee",
    description=(
        "Water and sewer rates and a new monthly infrastructure fee take effect on July 1 "
        "(announced June 24). From July, residents post, call and comment about higher bills, fees and "
        "charges, and utility billing sentiment falls."
    ),
    effects=(
        Effect(
            "social",
            "notice_posts",
            0.0,
            2.0,
            "posts per day about the announced increase, x scale",
            "notice",
        ),
        Effect("ga4", "rates_page_sessions", 1.0, 2.5, "x baseline sessions on /utilities/rates", "notice"),
        Effect("ga4", "rates_page_sessions", 1.0, 3.5, "x baseline sessions on /utilities/rates"),
        Effect("ga4", "topic_searches", 0.0, 25.0, "site searches per day for rate and fee terms, x scale"),
        Effect("social", "posts", 1.0, 3.0, "x baseline utility posts; the extra posts are about fees"),
        Effect(
            "contact_center", "calls", 1.0, 1.6, "x baseline UTILITY_BILLING calls; the extra are about fees"
        ),
        Effect("contact_center", "handle_median_seconds", _UTILITY.handle_median_seconds, 520.0, "seconds"),
        Effect(
            "touchpoints", "thumbs_down_share", _UTILITY.thumbs_down_share, 0.60, "share of question_1 = 0"
        ),
        Effect(
            "resident_survey", "negative_share", _UTILITY.thumbs_down_share, 0.65, "share of dissatisfied"
        ),
        Effect("resident_survey", "topic_comment_share", 0.0, 0.6, "share of utility comments about fees"),
    ),
)

PERMITS_STAFFING = Signal(
    id="permits_staffing_change",
    service_id="building_permits",
    start=dt.date(2026, 7, 15),
    end=None,
    topic="fast",
    description=(
        "Planning and Permits adds intake staff and a call-back line on July 15: the PERMITS queue's median "
        "wait drops from about 15 minutes to 4, and permit feedback turns positive (faster than expected, "
        "quick turnaround)."
    ),
    effects=(
        Effect(
            "contact_center",
            "wait_median_seconds",
            _PERMITS.wait_median_seconds,
            240.0,
            "seconds, PERMITS queue",
        ),
        Effect(
            "social", "negative_share", _PERMITS.negative_share, 0.15, "share of permit posts that complain"
        ),
        Effect(
            "touchpoints", "thumbs_down_share", _PERMITS.thumbs_down_share, 0.15, "share of question_1 = 0"
        ),
        Effect(
            "resident_survey", "negative_share", _PERMITS.thumbs_down_share, 0.15, "share of dissatisfied"
        ),
    ),
)

SIGNALS: tuple[Signal, ...] = (DMV_OUTAGE, UTILITY_FEE_INCREASE, PERMITS_STAFFING)


def _matching(service_id: str, day: dt.date, channel: Channel, measure: str) -> list[tuple[Signal, Effect]]:
    found = []
    for signal in active().signals:
        phase = signal.phase_on(day)
        if signal.service_id != service_id or phase is None:
            continue
        found += [
            (signal, e)
            for e in signal.effects
            if (e.channel, e.measure, e.phase) == (channel, measure, phase)
        ]
    return found


def factor(service_id: str, day: dt.date, channel: Channel, measure: str) -> float:
    """The multiplier planted signals apply to a volume on that day (1.0 when none applies)."""
    result = 1.0
    for _, effect in _matching(service_id, day, channel, measure):
        result *= effect.factor
    return result


def level(service_id: str, day: dt.date, channel: Channel, measure: str, baseline: float) -> float:
    """The value a planted signal sets for a measure on that day, or the baseline."""
    found = _matching(service_id, day, channel, measure)
    return found[-1][1].during if found else baseline


def news_age(service_id: str, day: dt.date) -> int | None:
    """Days since the current phase (notice or active) of a signal on this service began, if any."""
    for signal in active().signals:
        if signal.service_id == service_id and signal.active_on(day):
            return (day - signal.start).days
        if signal.service_id == service_id and signal.announced and signal.in_notice_on(day):
            return (day - signal.announced).days
    return None


def topic(service_id: str, day: dt.date) -> str | None:
    """What the extra records a signal adds on that day are about ('outage', 'fee', 'fee_notice', ...)."""
    for signal in active().signals:
        if signal.service_id != service_id:
            continue
        if signal.active_on(day):
            return signal.topic
        if signal.in_notice_on(day):
            return f"{signal.topic}_notice"
    return None
