"""Open311 service requests (JSON objects or XML <request> elements) to service_request values."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from civicpulse.filereaders import BadValue, json_id, json_object, optional_text, utc_timestamp
from civicpulse.sources import FileProblem
from connectors.open311.settings import EXPECTED_FILE, STATUSES, TEXT_FIELDS, XML_ITEM, XML_ROOT


def page_requests(origin: Path | str, page: Any) -> list[Any]:
    if isinstance(page, dict) and ("errors" in page or "description" in page):
        raise FileProblem(origin, f"the page is an Open311 error response ({page})", "request it again")
    if (
        isinstance(page, list)
        and page
        and isinstance(page[0], dict)
        and {"code", "description"} == page[0].keys()
    ):
        raise FileProblem(
            origin, f"the page is an Open311 error response ({page[0]['description']})", "fix the request"
        )
    if not isinstance(page, list):
        raise FileProblem(origin, "the page is not a JSON array of service requests", f"save {EXPECTED_FILE}")
    return page


def xml_requests(origin: Path | str, data: bytes) -> list[dict[str, str]]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise FileProblem(
            origin, f"the XML cannot be read ({exc})", f"save {EXPECTED_FILE}, complete"
        ) from None
    if root.tag != XML_ROOT:
        raise FileProblem(origin, f"the XML root is <{root.tag}>, not <{XML_ROOT}>", f"save {EXPECTED_FILE}")
    return [{child.tag: (child.text or "") for child in item} for item in root.iter(XML_ITEM)]


def request_values(item: Any) -> dict[str, Any]:
    request = json_object(item, "service request")
    status = (optional_text(_text(request.get("status"), "status")) or "").lower()
    if status not in STATUSES:
        raise BadValue(f"status is {request.get('status')!r}; expected open or closed")
    updated = optional_text(_text(request.get("updated_datetime"), "updated_datetime"))
    return {
        "service_request_id": json_id(request.get("service_request_id"), "service request"),
        "requested_at": utc_timestamp(request.get("requested_datetime"), "requested_datetime"),
        "updated_at": None if updated is None else utc_timestamp(updated, "updated_datetime"),
        "status": status,
        **{field: optional_text(_text(request.get(field), field)) for field in TEXT_FIELDS},
    }


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadValue(f"{field} is {value!r}, not text")
    return str(value)
