"""Matomo Reporting API: methods, report columns and limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

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

# Conversions of a goal in which the page was viewed (a whole count), on Actions.getPageUrls rows of a
# Matomo with page goal metrics; rows of pages without conversions leave the column out.
GOAL_COLUMN = "goal_{goal}_nb_conversions_page_uniq"
GOAL_ANY_COLUMN = re.compile(r"^goal_(\d+)_")
SEARCH_PARAMETERS = ("q", "query", "search", "s")

GoalId = Annotated[int, Field(strict=True, ge=1)]
ParameterName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-\[\]]{1,50}$")]


class Options(BaseModel):
    """`parse:` options of a matomo source: the goals (idgoal) whose conversions count as each kind of
    self-service completion, and the query parameters that make a page URL a site search."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    form_submits: tuple[GoalId, ...] = ()
    payments_completed: tuple[GoalId, ...] = ()
    search_parameters: tuple[ParameterName, ...] = SEARCH_PARAMETERS

    @model_validator(mode="after")
    def _counted_once(self) -> Self:
        both = set(self.form_submits) & set(self.payments_completed)
        if both:
            goals = ", ".join(str(goal) for goal in sorted(both))
            raise ValueError(f"goal {goals} is in both form_submits and payments_completed")
        return self

    def goals(self) -> dict[str, tuple[int, ...]]:
        return {"form_submits": self.form_submits, "payments_completed": self.payments_completed}
