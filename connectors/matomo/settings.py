"""Matomo Reporting API: methods, report columns and limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

FILE_PATTERNS = ("Actions.getPageUrls*.json", "Actions.getSiteSearchKeywords*.json")
EXPECTED_FILE = (
    "one Matomo Reporting API response (format=JSON, flat=1) saved as <method>[_<YYYY-MM-DD>].json, "
    "e.g. Actions.getPageUrls_2024-05-06.json"
)
API_PATH = "/index.php"
VISITS_SUMMARY = "VisitsSummary.get"
DATE_LAYOUT = "%Y-%m-%d"
FILE_DAY = re.compile(r"_(\d{4}-\d{2}-\d{2})\.json$")
# Matomo folds rows beyond its archiving limits into one summary row labelled "Others" (idsubdatatable -1).
SUMMARY_LABELS = frozenset({"Others", "-1"})
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class Report:
    method: str
    stream: str
    key_column: str
    # landing column -> Matomo metric
    metrics: tuple[tuple[str, str], ...]
    required: str


REPORTS = (
    Report(
        method="Actions.getPageUrls",
        stream="web_page_daily",
        key_column="page_path",
        metrics=(
            ("sessions", "nb_visits"),
            ("active_users", "nb_uniq_visitors"),
            ("page_views", "nb_hits"),
            ("engagement_seconds", "sum_time_spent"),
        ),
        required="nb_visits",
    ),
    Report(
        method="Actions.getSiteSearchKeywords",
        stream="web_search_daily",
        key_column="search_term",
        metrics=(("searches", "nb_visits"), ("sessions", "nb_visits")),
        required="nb_visits",
    ),
)
