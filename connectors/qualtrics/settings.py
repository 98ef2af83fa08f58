"""Qualtrics response exports (CSV with three header rows) and the export-responses API."""

from __future__ import annotations

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
