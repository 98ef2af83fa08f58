"""The settings types connectors share: what an `api:` section may hold, and how survey questions map.

Connectors import these from here, never from `civicpulse.config`, so the config and the connectors
do not import each other: `civicpulse.config` loads a connector only by name, when it validates a
source's `parse:` and `api:` sections (civicpulse.config_schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Url = Annotated[str, Field(pattern=r"^https?://[^\s?#]+$")]
NumericId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]
SurveyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
QuestionId = Annotated[str, Field(pattern=r"^[\w.\-]{1,100}$")]
Measure = Literal["satisfaction", "trust", "ease", "comment"]
AnswerLabel = Annotated[str, Field(min_length=1, max_length=200)]


class ApiSettings(BaseModel):
    """What every API-mode source's `api:` section may hold; a connector's `Settings` adds its own keys.

    Secrets never live here: `conn_id` names the Airflow connection (see docs/connectors.md).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    conn_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]{1,100}$")]
    base_url: Url | None = None
    page_size: int = Field(default=100, ge=1, le=10_000)
    max_pages: int = Field(default=1_000, ge=1, le=100_000)
    max_attempts: int = Field(default=6, ge=1, le=20)
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    max_response_mb: float = Field(default=50.0, gt=0, le=4096)
    allow_cross_origin_redirects: bool = False


class SurveyApiSettings(ApiSettings):
    """Survey platforms: which surveys to pull and which questions carry the A-11 measures."""

    survey_ids: tuple[SurveyId, ...] = Field(min_length=1)
    question_ids: dict[Measure, QuestionId] = Field(default_factory=dict)
    answer_scores: dict[AnswerLabel, Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=dict)

    def mapping(self) -> SurveyMapping:
        return SurveyMapping({str(k): v for k, v in self.question_ids.items()}, dict(self.answer_scores))


@dataclass(frozen=True)
class SurveyMapping:
    """The questions read as satisfaction, trust, ease and comment, and the score (1-5) of an answer
    (its label or choice id); empty in file mode, where the export's own columns say it."""

    question_ids: dict[str, str] = field(default_factory=dict)
    answer_scores: dict[str, int] = field(default_factory=dict)
