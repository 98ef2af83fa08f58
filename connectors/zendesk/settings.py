"""Zendesk Support incremental ticket export (cursor-based): field names and limits."""

from __future__ import annotations

FILE_PATTERNS = ("*.json",)
EXPECTED_FILE = "one Zendesk GET /api/v2/incremental/tickets/cursor.json response body (JSON with 'tickets')"
STREAM = "contact_call"
EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
MAX_PER_PAGE = 1000
# The incremental export allows 10 requests a minute (30 with the High Volume add-on).
REQUESTS_PER_MINUTE = 10
RESOLVED_STATUSES = frozenset({"solved", "closed"})
