"""Qualtrics response exports (CSV with three header rows) and the export-responses API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from civicpulse.connector_contract import AnswerLabel, Measure, QuestionId, SurveyMapping

FILE_PATTERNS = ("*.csv",)
STREAM = "survey_response"
SURVEY_KIND = "qualtrics"
RESPONSE_ID = "ResponseId"
RECORDED_DATE = "RecordedDate"
STATUS = "Status"
FINISHED = "Finished"
REQUIRED_COLUMNS = (RESPONSE_ID, RECORDED_DATE)
EXPORT_FIX = "export the responses as CSV from Data & Analysis > Export & Import (or the API), unchanged"
TIME_LAYOUT = "%Y-%m-%d %H:%M:%S"
IMPORT_ID_MARKER = '{"ImportId"'
# Status is 0 / "IP Address" for a real response; previews, tests and spam are reported, not loaded.
REAL_STATUSES = frozenset({"0", "IP Address", "4", "Imported", "16", "Offline"})
FINISHED_FALSE = frozenset({"false", "0"})
# Without api.question_ids, columns whose data export tag is one of these names are read.
DEFAULT_QUESTIONS = ("satisfaction", "trust", "ease", "comment")
SCORE_COLUMNS = {"satisfaction": "satisfaction_score", "trust": "trust_score", "ease": "ease_score"}
SCORE_LOW, SCORE_HIGH = 1, 5
SURVEY_ID_PREFIX = "SV_"

EXPORTS = "/API/v3/surveys/{survey_id}/export-responses"
PROGRESS = EXPORTS + "/{progress_id}"
FILE = EXPORTS + "/{file_id}/file"
POLL_SECONDS = 5.0
MAX_POLLS = 360


class Options(BaseModel):
    """`parse:` options of a qualtrics source in file mode, as `api:` takes them: `columns` names the
    question read as satisfaction, trust, ease or comment (its data export tag, e.g. Q1, or its ImportId,
    e.g. QID1), and `answer_scores` the score 1-5 of an answer label. Without them, the columns whose
    data export tag is satisfaction, trust, ease or comment are read, and scores must be numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[Measure, QuestionId] = Field(default_factory=dict)
    answer_scores: dict[AnswerLabel, Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=dict)

    def mapping(self) -> SurveyMapping:
        return SurveyMapping({str(k): v for k, v in self.columns.items()}, dict(self.answer_scores))
