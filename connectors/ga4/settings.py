"""GA4 Data API runReport responses: which dimensions make which landing stream, and metric names."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def dimensions(self) -> frozenset[str]:
        return frozenset({DATE_DIMENSION, self.key_dimension})

    def describe(self) -> str:
        return f"{DATE_DIMENSION} x {self.key_dimension} ({self.stream})"


# Optional metrics missing from a report's metricHeaders land as null.
REPORT_KINDS = (
    ReportKind(
        stream="web_page_daily",
        key_dimension="pagePath",
        key_column="page_path",
        metrics=(
            Metric("sessions", "sessions", required=True),
            Metric("active_users", "activeUsers"),
            Metric("page_views", "screenPageViews"),
            Metric("engagement_seconds", "userEngagementDuration", fractional=True),
            Metric("form_submits", "keyEvents:form_submit"),
            Metric("payments_completed", "keyEvents:payment_complete"),
        ),
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
