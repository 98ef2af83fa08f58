"""Riverton, the fictional city the demo data describes: its services and where each one shows up.

`CitySpec` bundles what the generators read about a city; `active()` is the city being generated
(Riverton unless `using(spec)` says otherwise), so one generator writes every demo city.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from civicpulse.demo.signals import Signal

CITY_NAME = "Riverton"
TIMEZONE = ZoneInfo("America/Chicago")
CITY_HANDLE = "RivertonCity"
SITE_HOST = "www.riverton.gov"
MASTODON_HOST = "riverton.social"
GENERAL_HASHTAG = "Riverton"


@dataclass(frozen=True)
class Page:
    path: str
    sessions: float
    form_rate: float = 0.0
    payment_rate: float = 0.0
    engagement_seconds: float = 55.0


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    department: str
    path_prefix: str
    pages: tuple[Page, ...]
    queue: str
    form_id: str
    survey_choice: str
    hashtags: tuple[str, ...]
    social_per_day: float
    calls_share: float
    wait_median_seconds: float
    handle_median_seconds: float
    survey_share: float
    touchpoints_share: float
    thumbs_down_share: float
    negative_share: float
    summer_peak: float = 0.0
    # The Riverton service whose phrase tables (civicpulse/demo/phrases.py) its texts use.
    texts_as: str | None = None

    @property
    def texts_key(self) -> str:
        return self.texts_as or self.id


SERVICES: tuple[Service, ...] = (
    Service(
        id="property_tax",
        name="Property tax",
        department="Finance",
        path_prefix="/property-tax",
        pages=(
            Page("/property-tax", 140, engagement_seconds=48),
            Page("/property-tax/pay", 95, payment_rate=0.42, engagement_seconds=95),
            Page("/property-tax/appeal", 30, form_rate=0.12, engagement_seconds=120),
            Page("/property-tax/exemptions", 45, form_rate=0.08, engagement_seconds=88),
        ),
        queue="PROPERTY_TAX",
        form_id="3f9c21aa",
        survey_choice="Property taxes",
        hashtags=("PropertyTax", "RivertonTax"),
        social_per_day=3.0,
        calls_share=0.10,
        wait_median_seconds=420,
        handle_median_seconds=390,
        survey_share=0.14,
        touchpoints_share=0.09,
        thumbs_down_share=0.35,
        negative_share=0.42,
    ),
    Service(
        id="drivers_licence",
        name="Driver's licence and vehicle registration",
        department="Motor Vehicles",
        path_prefix="/dmv",
        pages=(
            Page("/dmv", 260, engagement_seconds=40),
            Page("/dmv/renew", 180, form_rate=0.45, payment_rate=0.38, engagement_seconds=140),
            Page("/dmv/registration", 150, form_rate=0.30, payment_rate=0.33, engagement_seconds=120),
            Page("/dmv/appointments", 120, form_rate=0.40, engagement_seconds=75),
            Page("/dmv/real-id", 70, engagement_seconds=65),
        ),
        queue="DMV",
        form_id="7d04be19",
        survey_choice="Driver's license / vehicle registration",
        hashtags=("RivertonDMV", "DMV"),
        social_per_day=5.0,
        calls_share=0.14,
        wait_median_seconds=300,
        handle_median_seconds=420,
        survey_share=0.16,
        touchpoints_share=0.16,
        thumbs_down_share=0.28,
        negative_share=0.45,
    ),
    Service(
        id="business_licence",
        name="Business licence",
        department="Economic Development",
        path_prefix="/business-licenses",
        pages=(
            Page("/business-licenses", 55, engagement_seconds=62),
            Page("/business-licenses/apply", 25, form_rate=0.22, payment_rate=0.10, engagement_seconds=210),
            Page("/business-licenses/renew", 20, form_rate=0.18, payment_rate=0.30, engagement_seconds=150),
        ),
        queue="BUSINESS_LIC",
        form_id="b52e0c77",
        survey_choice="Business license",
        hashtags=("RivertonBusiness", "BusinessLicense"),
        social_per_day=1.5,
        calls_share=0.03,
        wait_median_seconds=240,
        handle_median_seconds=480,
        survey_share=0.04,
        touchpoints_share=0.05,
        thumbs_down_share=0.30,
        negative_share=0.35,
    ),
    Service(
        id="utility_billing",
        name="Utility billing",
        department="Public Utilities",
        path_prefix="/utilities",
        pages=(
            Page("/utilities", 170, engagement_seconds=38),
            Page("/utilities/pay-bill", 210, payment_rate=0.55, engagement_seconds=80),
            Page("/utilities/start-stop-service", 45, form_rate=0.25, engagement_seconds=110),
            Page("/utilities/rates", 30, engagement_seconds=70),
        ),
        queue="UTILITY_BILLING",
        form_id="c8a913f2",
        survey_choice="Utility bill (water/sewer)",
        hashtags=("RivertonUtilities", "WaterBill"),
        social_per_day=4.0,
        calls_share=0.18,
        wait_median_seconds=360,
        handle_median_seconds=400,
        survey_share=0.16,
        touchpoints_share=0.14,
        thumbs_down_share=0.30,
        negative_share=0.40,
    ),
    Service(
        id="building_permits",
        name="Building permits",
        department="Planning and Permits",
        path_prefix="/permits",
        pages=(
            Page("/permits", 85, engagement_seconds=58),
            Page("/permits/apply", 40, form_rate=0.20, payment_rate=0.12, engagement_seconds=260),
            Page("/permits/inspections", 35, form_rate=0.30, engagement_seconds=90),
            Page("/permits/status", 50, engagement_seconds=45),
        ),
        queue="PERMITS",
        form_id="e1f7a460",
        survey_choice="Building permit",
        hashtags=("RivertonPermits",),
        social_per_day=2.5,
        calls_share=0.08,
        wait_median_seconds=900,
        handle_median_seconds=540,
        survey_share=0.06,
        touchpoints_share=0.08,
        thumbs_down_share=0.45,
        negative_share=0.50,
    ),
    Service(
        id="housing_assistance",
        name="Housing assistance",
        department="Housing",
        path_prefix="/housing",
        pages=(
            Page("/housing", 60, engagement_seconds=70),
            Page("/housing/rental-assistance", 55, engagement_seconds=130),
            Page("/housing/apply", 30, form_rate=0.15, engagement_seconds=300),
        ),
        queue="HOUSING",
        form_id="0a6d5b3e",
        survey_choice="Housing assistance",
        hashtags=("RivertonHousing",),
        social_per_day=2.5,
        calls_share=0.08,
        wait_median_seconds=480,
        handle_median_seconds=600,
        survey_share=0.05,
        touchpoints_share=0.07,
        thumbs_down_share=0.40,
        negative_share=0.45,
    ),
    Service(
        id="parks_recreation",
        name="Parks and recreation",
        department="Parks",
        path_prefix="/parks",
        pages=(
            Page("/parks", 120, engagement_seconds=52),
            Page("/parks/programs", 70, form_rate=0.10, payment_rate=0.08, engagement_seconds=95),
            Page("/parks/pools", 90, engagement_seconds=35),
            Page("/parks/reservations", 40, form_rate=0.20, payment_rate=0.18, engagement_seconds=110),
        ),
        queue="PARKS",
        form_id="5c2e8d91",
        survey_choice="Parks & recreation",
        hashtags=("RivertonParks",),
        social_per_day=4.0,
        calls_share=0.04,
        wait_median_seconds=150,
        handle_median_seconds=300,
        survey_share=0.15,
        touchpoints_share=0.12,
        thumbs_down_share=0.15,
        negative_share=0.22,
        summer_peak=0.25,
    ),
    Service(
        id="waste_collection",
        name="Waste collection",
        department="Sanitation",
        path_prefix="/trash-recycling",
        pages=(
            Page("/trash-recycling", 100, engagement_seconds=30),
            Page("/trash-recycling/schedule", 130, engagement_seconds=25),
            Page("/trash-recycling/bulk-pickup", 35, form_rate=0.35, engagement_seconds=85),
        ),
        queue="SANITATION",
        form_id="9b4f1e06",
        survey_choice="Trash & recycling",
        hashtags=("RivertonTrash", "RivertonRecycles"),
        social_per_day=5.0,
        calls_share=0.10,
        wait_median_seconds=200,
        handle_median_seconds=280,
        survey_share=0.14,
        touchpoints_share=0.12,
        thumbs_down_share=0.25,
        negative_share=0.40,
        summer_peak=0.10,
    ),
    Service(
        id="general_311",
        name="311 general",
        department="311 Customer Service",
        path_prefix="/311",
        pages=(
            Page("/311", 110, engagement_seconds=45),
            Page("/311/report-a-problem", 75, form_rate=0.40, engagement_seconds=150),
            Page("/311/track-request", 50, engagement_seconds=40),
        ),
        queue="GENERAL_311",
        form_id="d3a7c5b8",
        survey_choice="311 / general city information",
        hashtags=("Riverton311",),
        social_per_day=4.0,
        calls_share=0.25,
        wait_median_seconds=240,
        handle_median_seconds=330,
        survey_share=0.1,
        touchpoints_share=0.17,
        thumbs_down_share=0.25,
        negative_share=0.38,
    ),
)

SERVICES_BY_ID: dict[str, Service] = {s.id: s for s in SERVICES}

UNMAPPED_PAGES: tuple[Page, ...] = (
    Page("/", 900, engagement_seconds=22),
    Page("/news", 110, engagement_seconds=35),
    Page("/jobs", 95, form_rate=0.05, engagement_seconds=120),
    Page("/contact", 60, engagement_seconds=30),
    Page("/search", 140, engagement_seconds=18),
    Page("/city-council/agendas", 40, engagement_seconds=95),
    Page("(not set)", 6, engagement_seconds=5),
)

NEWS_TOPICS: tuple[str, ...] = (
    "summer-concert-series",
    "road-resurfacing-schedule",
    "new-library-hours",
    "budget-town-hall",
    "fireworks-safety",
    "cooling-centers-open",
    "riverfront-trail-opening",
    "mayor-state-of-the-city",
    "street-sweeping-program",
    "heat-advisory-tips",
    "youth-jobs-program",
    "tree-planting-volunteers",
    "council-vote-on-zoning",
    "farmers-market-returns",
    "bridge-repair-detours",
    "election-polling-places",
)

PLAIN_EXPORT_FORMS: frozenset[str] = frozenset({"parks_recreation", "waste_collection"})

FORM_OPTIONS: dict[str, tuple[str, ...]] = {
    "default": ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other"),
    "parks_recreation": ("effectiveness", "ease", "efficiency", "transparency", "employee"),
    "waste_collection": ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee"),
}


@dataclass(frozen=True)
class CitySpec:
    """A demo city: its services, pages, forms, calendar and the signals planted in it."""

    key: str
    name: str
    timezone: ZoneInfo
    handle: str
    site_host: str
    mastodon_host: str
    general_hashtag: str
    services: tuple[Service, ...]
    signals: tuple[Signal, ...]
    unmapped_pages: tuple[Page, ...] = UNMAPPED_PAGES
    news_topics: tuple[str, ...] = NEWS_TOPICS
    plain_export_forms: frozenset[str] = PLAIN_EXPORT_FORMS
    form_options: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(FORM_OPTIONS))
    place_names: tuple[str, ...] = ()
    quiet_services: tuple[str, ...] = ()

    @property
    def services_by_id(self) -> dict[str, Service]:
        return {s.id: s for s in self.services}


_ACTIVE: ContextVar[CitySpec | None] = ContextVar("demo_city", default=None)


def active() -> CitySpec:
    """The city being generated: Riverton unless inside `using(...)`."""
    spec = _ACTIVE.get()
    if spec is None:
        from civicpulse.demo.cities import RIVERTON

        return RIVERTON
    return spec


@contextmanager
def using(spec: CitySpec) -> Iterator[CitySpec]:
    token = _ACTIVE.set(spec)
    try:
        yield spec
    finally:
        _ACTIVE.reset(token)
