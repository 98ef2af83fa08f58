"""GA4 Data API runReport responses: which dimensions make which landing stream, metric names, and the
`parse:` options naming the key events that count as self-service completions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FILE_PATTERNS = ("*.json",)
EXPECTED_FILE = "one GA4 Data API runReport response body (JSON)"
RUN_REPORT_KIND = "analyticsData#runReport"
DATE_DIMENSION = "date"
DATE_LAYOUT = "%Y%m%d"


@dataclass(frozen=True)
class Metric:
    column: str
    name: str
    required: bool = False
    fractional: bool = False


@dataclass(frozen=True)
class ReportKind:
    stream: str
    key_dimension: str
    key_column: str
    metrics: tuple[Metric, ...]
    # A further dimension whose rows of one (date, key) are folded into one record (eventName).
    split_dimension: str | None = None

    @property
    def dimensions(self) -> frozenset[str]:
        split = {self.split_dimension} if self.split_dimension else set()
        return frozenset({DATE_DIMENSION, self.key_dimension, *split})

    def describe(self) -> str:
        split = f" x {self.split_dimension}" if self.split_dimension else ""
        return f"{DATE_DIMENSION} x {self.key_dimension}{split} ({self.stream})"


EVENT_DIMENSION = "eventName"
EVENT_COUNT = "eventCount"
PAGE_VIEW_EVENT = "page_view"
PAGE_METRICS = (
    Metric("sessions", "sessions", required=True),
    Metric("active_users", "activeUsers"),
    Metric("page_views", "screenPageViews"),
    Metric("engagement_seconds", "userEngagementDuration", fractional=True),
)
# The landing columns counted from the key events the source's parse options name.
COMPLETION_COLUMNS = ("form_submits", "payments_completed")

# Optional metrics missing from a report's metricHeaders land as null.
REPORT_KINDS = (
    ReportKind(
        stream="web_page_daily", key_dimension="pagePath", key_column="page_path", metrics=PAGE_METRICS
    ),
    # Completions as eventCount by eventName: each (date, pagePath)'s rows make one page record, its
    # sessions, users and views those of its page_view row.
    ReportKind(
        stream="web_page_daily",
        key_dimension="pagePath",
        key_column="page_path",
        metrics=(
            Metric("sessions", "sessions", required=True),
            Metric("active_users", "activeUsers"),
            Metric("event_count", EVENT_COUNT, required=True),
            Metric("engagement_seconds", "userEngagementDuration", fractional=True),
        ),
        split_dimension=EVENT_DIMENSION,
    ),
    ReportKind(
        stream="web_search_daily",
        key_dimension="searchTerm",
        key_column="search_term",
        metrics=(
            Metric("searches", "eventCount", required=True),
            Metric("sessions", "sessions"),
        ),
    ),
)


# keyEvents and its former name conversions, whole or for one event; eventCount:<event> is the eventCount of
# the rows whose eventName is <event>, in a report by date x pagePath x eventName.
EVENT_NAME = r"[A-Za-z][A-Za-z0-9_]{0,39}"
COMPLETION_SOURCE = re.compile(rf"(?:(?:keyEvents|conversions)(?::{EVENT_NAME})?|{EVENT_COUNT}:{EVENT_NAME})")
CompletionSource = Annotated[str, Field(min_length=1, max_length=60)]
ParameterName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-\[\]]{1,50}$")]
SEARCH_PARAMETERS = ("q", "query", "search", "s")


class Options(BaseModel):
    """`parse:` options of a ga4 source: which metrics count as each kind of self-service completion
    (summed when several are in a report), and the query parameters that make a page path a site search."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    form_submits: tuple[CompletionSource, ...] = ("keyEvents:form_submit",)
    payments_completed: tuple[CompletionSource, ...] = ("keyEvents:payment_complete",)
    search_parameters: tuple[ParameterName, ...] = SEARCH_PARAMETERS

    @field_validator("form_submits", "payments_completed")
    @classmethod
    def _known_sources(cls, sources: tuple[str, ...]) -> tuple[str, ...]:
        for name in sources:
            if not COMPLETION_SOURCE.fullmatch(name):
                raise ValueError(
                    f"'{name}' is not a completion metric: use keyEvents, keyEvents:<event>, conversions, "
                    f"conversions:<event> or {EVENT_COUNT}:<event> ({EVENT_COUNT} alone counts every event)"
                )
        return sources

    @model_validator(mode="after")
    def _counted_once(self) -> Self:
        both = set(self.form_submits) & set(self.payments_completed)
        if both:
            raise ValueError(f"{', '.join(sorted(both))} is in both form_submits and payments_completed")
        return self

    def sources(self) -> dict[str, tuple[str, ...]]:
        """Completion column -> the metrics (or eventCount:<event>) counted in it."""
        return {"form_submits": self.form_submits, "payments_completed": self.payments_completed}

    def requested_metrics(self) -> tuple[str, ...]:
        """The completion metrics an API request for the page report asks for."""
        names = (name for names in self.sources().values() for name in names)
        return tuple(name for name in names if not name.startswith(f"{EVENT_COUNT}:"))
