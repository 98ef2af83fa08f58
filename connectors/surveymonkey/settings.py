"""SurveyMonkey API v3 bulk responses: paths, field names and limits."""

from __future__ import annotations

FILE_PATTERNS = ("*.json",)
EXPECTED_FILE = "one SurveyMonkey GET /v3/surveys/<id>/responses/bulk response body (JSON with 'data')"
STREAM = "survey_response"
SURVEY_KIND = "surveymonkey"
BASE_URL = "https://api.surveymonkey.com"
BULK_PATH = "/v3/surveys/{survey_id}/responses/bulk"
MAX_PER_PAGE = 100
COMPLETED = "completed"
TIME_LAYOUT = "%Y-%m-%dT%H:%M:%S"
SCORE_LOW, SCORE_HIGH = 1, 5
SCORE_COLUMNS = {"satisfaction": "satisfaction_score", "trust": "trust_score", "ease": "ease_score"}
# SurveyMonkey's per-app limits: 120 requests a minute, 500 a day (draft apps); the reset is in seconds.
MINUTE_REMAINING = "X-Ratelimit-App-Global-Minute-Remaining"
MINUTE_RESET = "X-Ratelimit-App-Global-Minute-Reset"
DAY_REMAINING = "X-Ratelimit-App-Global-Day-Remaining"
DAY_RESET = "X-Ratelimit-App-Global-Day-Reset"
