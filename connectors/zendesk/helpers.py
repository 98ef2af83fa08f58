"""Zendesk Ticket objects to contact_call values: the ticket's description is the case's notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from civicpulse.filereaders import BadValue, json_id, json_object, optional_text, utc_timestamp
from civicpulse.sources import FileProblem
from connectors.zendesk.settings import EXPECTED_FILE, RESOLVED_STATUSES


def page_tickets(path: Path | str, page: Any) -> list[Any]:
    if isinstance(page, dict) and "error" in page:
        raise FileProblem(path, f"the page is a Zendesk error response ({page['error']})", "request it again")
    if not isinstance(page, dict) or not isinstance(page.get("tickets"), list):
        raise FileProblem(path, "the page has no 'tickets' list", f"save {EXPECTED_FILE}")
    tickets: list[Any] = page["tickets"]
    return tickets


def ticket_values(item: Any) -> dict[str, Any]:
    ticket = json_object(item, "ticket")
    status = _text(ticket.get("status"), "status")
    via = ticket.get("via")
    via = via if isinstance(via, dict) else {}
    group = ticket.get("group_id")
    queue = str(group) if group is not None else _text(via.get("channel"), "via.channel")
    if not queue:
        raise BadValue("the ticket has neither a group_id nor a via.channel to use as its queue")
    return {
        "call_id": json_id(ticket.get("id"), "ticket"),
        "started_at": utc_timestamp(ticket.get("created_at"), "created_at"),
        "queue": queue,
        "wait_seconds": None,
        "handle_seconds": None,
        "disposition": status or None,
        "is_resolved": None if not status else status in RESOLVED_STATUSES,
        "is_repeat_contact": None,
        "caller_id": _optional_id(ticket.get("requester_id")),
        "agent_id": _optional_id(ticket.get("assignee_id")),
        "notes": _notes(ticket),
    }


def _notes(ticket: dict[str, Any]) -> str | None:
    subject = optional_text(_text(ticket.get("subject"), "subject"))
    description = optional_text(_text(ticket.get("description"), "description"))
    if subject and description and not description.startswith(subject):
        return f"{subject}\n\n{description}"
    return description or subject


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadValue(f"{field} is {value!r}, not text")
    return value


def _optional_id(value: Any) -> str | None:
    return None if value is None else json_id(value, "user")
