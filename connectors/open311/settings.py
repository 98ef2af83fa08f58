"""Open311 GeoReport v2 `GET /requests` responses, JSON or XML. Locations are not carried (privacy)."""

from __future__ import annotations

FILE_PATTERNS = ("*.json", "*.xml")
EXPECTED_FILE = "one Open311 GeoReport v2 GET /requests.json (JSON array) or /requests.xml response"
STREAM = "service_request"
REQUESTS_PATH = "/requests.json"
XML_ROOT = "service_requests"
XML_ITEM = "request"
STATUSES = frozenset({"open", "closed"})
TEXT_FIELDS = ("status_notes", "service_code", "service_name", "description", "agency_responsible")
MIN_WINDOW_SECONDS = 60
