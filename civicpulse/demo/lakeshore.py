"""Lakeshore, the second demo city: other services, volumes and calendar than Riverton, five planted events
(one across channels, one web-only, one survey-only, one social-only, one phone-only) and two quiet
services. Its figures are for tests and demos: the city and its events were designed with the detector.
"""

from __future__ import annotations

import datetime as dt

from civicpulse.demo.city import Page, Service
from civicpulse.demo.signals import Effect, Signal

START = dt.date(2026, 9, 7)
DAYS = 84

SERVICES: tuple[Service, ...] = (
    Service(
        id="vehicle_services",
        name="Vehicle services",
        department="Motor Vehicles",
        path_prefix="/vehicles",
        pages=(
            Page("/vehicles", 200, engagement_seconds=42),
            Page("/vehicles/renew", 150, form_rate=0.40, payment_rate=0.35, engagement_seconds=130),
            Page("/vehicles/registration", 110, form_rate=0.30, payment_rate=0.30, engagement_seconds=115),
        ),
        queue="VEHICLES",
        form_id="4a1f0d22",
        survey_choice="Vehicle services",
        hashtags=("LakeshoreDMV",),
        social_per_day=3.5,
        calls_share=0.15,
        wait_median_seconds=360,
        handle_median_seconds=400,
        survey_share=0.15,
        touchpoints_share=0.15,
        thumbs_down_share=0.30,
        negative_share=0.42,
        texts_as="drivers_licence",
    ),
    Service(
        id="water_sewer",
        name="Water and sewer",
        department="Lakeshore Water",
        path_prefix="/water",
        pages=(
            Page("/water", 150, engagement_seconds=40),
            Page("/water/pay", 240, payment_rate=0.50, engagement_seconds=85),
            Page("/water/start-stop", 40, form_rate=0.25, engagement_seconds=100),
        ),
        queue="WATER",
        form_id="6b7e2c31",
        survey_choice="Water and sewer",
        hashtags=("LakeshoreWater",),
        social_per_day=3.0,
        calls_share=0.16,
        wait_median_seconds=300,
        handle_median_seconds=380,
        survey_share=0.15,
        touchpoints_share=0.13,
        thumbs_down_share=0.28,
        negative_share=0.38,
        texts_as="utility_billing",
    ),
    Service(
        id="permits_inspections",
        name="Permits and inspections",
        department="Building Safety",
        path_prefix="/build",
        pages=(
            Page("/build", 90, engagement_seconds=55),
            Page("/build/apply", 50, form_rate=0.22, payment_rate=0.10, engagement_seconds=240),
            Page("/build/inspections", 45, form_rate=0.30, engagement_seconds=90),
        ),
        queue="BUILD",
        form_id="8c3d4e55",
        survey_choice="Permits and inspections",
        hashtags=("LakeshoreBuilds",),
        social_per_day=1.5,
        calls_share=0.08,
        wait_median_seconds=600,
        handle_median_seconds=500,
        survey_share=0.14,
        touchpoints_share=0.16,
        thumbs_down_share=0.25,
        negative_share=0.40,
        texts_as="building_permits",
    ),
    Service(
        id="recreation",
        name="Recreation",
        department="Parks and Recreation",
        path_prefix="/rec",
        pages=(
            Page("/rec", 110, engagement_seconds=50),
            Page("/rec/programs", 80, form_rate=0.12, payment_rate=0.10, engagement_seconds=95),
            Page("/rec/facilities", 60, form_rate=0.15, engagement_seconds=70),
        ),
        queue="REC",
        form_id="1e9a7b02",
        survey_choice="Recreation",
        hashtags=("LakeshoreRec",),
        social_per_day=10.0,
        calls_share=0.05,
        wait_median_seconds=120,
        handle_median_seconds=280,
        survey_share=0.12,
        touchpoints_share=0.12,
        thumbs_down_share=0.18,
        negative_share=0.25,
        texts_as="parks_recreation",
    ),
    Service(
        id="tax_office",
        name="Tax office",
        department="Treasury",
        path_prefix="/tax",
        pages=(
            Page("/tax", 120, engagement_seconds=45),
            Page("/tax/pay", 80, payment_rate=0.40, engagement_seconds=90),
        ),
        queue="TAX",
        form_id="2f8b6c13",
        survey_choice="Tax office",
        hashtags=("LakeshoreTax",),
        social_per_day=2.0,
        calls_share=0.14,
        wait_median_seconds=300,
        handle_median_seconds=360,
        survey_share=0.12,
        touchpoints_share=0.10,
        thumbs_down_share=0.32,
        negative_share=0.40,
        texts_as="property_tax",
    ),
    Service(
        id="sanitation",
        name="Sanitation",
        department="Public Works",
        path_prefix="/sanitation",
        pages=(
            Page("/sanitation", 90, engagement_seconds=30),
            Page("/sanitation/schedule", 120, engagement_seconds=25),
            Page("/sanitation/bulk", 30, form_rate=0.30, engagement_seconds=80),
        ),
        queue="SANITATION",
        form_id="3a0c9d24",
        survey_choice="Sanitation",
        hashtags=("LakeshoreTrash",),
        social_per_day=4.0,
        calls_share=0.12,
        wait_median_seconds=180,
        handle_median_seconds=260,
        survey_share=0.14,
        touchpoints_share=0.12,
        thumbs_down_share=0.25,
        negative_share=0.38,
        texts_as="waste_collection",
    ),
    Service(
        id="city_hall_311",
        name="City hall and 311",
        department="Resident Services",
        path_prefix="/311",
        pages=(
            Page("/311", 100, engagement_seconds=45),
            Page("/311/request", 70, form_rate=0.40, engagement_seconds=140),
        ),
        queue="CITY_311",
        form_id="5d1e8f46",
        survey_choice="City hall and 311",
        hashtags=("Lakeshore311",),
        social_per_day=3.5,
        calls_share=0.30,
        wait_median_seconds=210,
        handle_median_seconds=300,
        survey_share=0.18,
        touchpoints_share=0.22,
        thumbs_down_share=0.25,
        negative_share=0.36,
        texts_as="general_311",
    ),
)

_BY_ID = {s.id: s for s in SERVICES}

VEHICLE_SYSTEM_OUTAGE = Signal(
    id="vehicle_system_outage",
    service_id="vehicle_services",
    start=dt.date(2026, 10, 12),
    end=dt.date(2026, 10, 25),
    topic="outage",
    description="The vehicle renewal system is down for two weeks: web completions collapse, residents post "
    "and phone instead, waits grow.",
    effects=(
        Effect("ga4", "sessions", 1.0, 1.6, "x baseline sessions"),
        Effect("ga4", "form_submits", 1.0, 0.15, "x baseline form submits"),
        Effect("ga4", "payments_completed", 1.0, 0.10, "x baseline payments"),
        Effect("ga4", "topic_searches", 0.0, 30.0, "outage searches per day, x scale"),
        Effect("social", "posts", 1.0, 3.0, "x baseline posts, the extra about the outage"),
        Effect("contact_center", "calls", 1.0, 2.0, "x baseline calls"),
        Effect(
            "contact_center",
            "wait_median_seconds",
            _BY_ID["vehicle_services"].wait_median_seconds,
            900.0,
            "s",
        ),
    ),
)

WATER_PAYMENT_PORTAL = Signal(
    id="water_payment_portal_failure",
    service_id="water_sewer",
    start=dt.date(2026, 10, 19),
    end=dt.date(2026, 10, 28),
    topic="payment_outage",
    description="The water bill payment page fails for ten days; residents search for help but do not call "
    "or post more (web only).",
    effects=(
        Effect("ga4", "form_submits", 1.0, 0.1, "x baseline form submits"),
        Effect("ga4", "payments_completed", 1.0, 0.1, "x baseline payments"),
        Effect("ga4", "topic_searches", 0.0, 30.0, "payment-failure searches per day, x scale"),
    ),
)

PERMIT_SURVEY_DROP = Signal(
    id="permit_inspection_backlog",
    service_id="permits_inspections",
    start=dt.date(2026, 10, 26),
    end=dt.date(2026, 11, 15),
    topic="survey_only",
    description="An inspection backlog: survey respondents turn unhappy (survey only); nobody posts or calls "
    "more about it.",
    effects=(
        Effect(
            "touchpoints", "thumbs_down_share", _BY_ID["permits_inspections"].thumbs_down_share, 0.75, "share"
        ),
        Effect(
            "resident_survey",
            "negative_share",
            _BY_ID["permits_inspections"].thumbs_down_share,
            0.75,
            "share",
        ),
    ),
)

REC_APP_LAUNCH = Signal(
    id="rec_app_launch",
    service_id="recreation",
    start=dt.date(2026, 11, 2),
    end=dt.date(2026, 11, 15),
    topic="app_launch",
    description="Recreation launches the LakePass booking app; residents post about it (social only).",
    effects=(Effect("social", "posts", 1.0, 3.0, "x baseline posts, the extra about the new app"),),
)

TAX_CALL_SURGE = Signal(
    id="tax_bill_call_surge",
    service_id="tax_office",
    start=dt.date(2026, 11, 9),
    end=dt.date(2026, 11, 22),
    topic="calls_only",
    description="Tax bills go out with a confusing insert: calls double and waits grow (phone only).",
    effects=(
        Effect("contact_center", "calls", 1.0, 2.0, "x baseline calls"),
        Effect("contact_center", "wait_median_seconds", _BY_ID["tax_office"].wait_median_seconds, 720.0, "s"),
    ),
)

SIGNALS: tuple[Signal, ...] = (
    VEHICLE_SYSTEM_OUTAGE,
    WATER_PAYMENT_PORTAL,
    PERMIT_SURVEY_DROP,
    REC_APP_LAUNCH,
    TAX_CALL_SURGE,
)

QUIET_SERVICES: tuple[str, ...] = ("sanitation", "city_hall_311")

PLACE_NAMES: tuple[str, ...] = ("Northside", "Mill Creek", "Westbrook", "Eastgate", "Cedar", "Riverton")
