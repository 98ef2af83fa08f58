"""One call-export row to contact_call values."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from civicpulse.filereaders import flag, local_timestamp, optional_text, optional_whole_number, required_text
from connectors.contact_center_csv.settings import START_TIME_LAYOUT, YES_NO


def call_values(row: dict[str, str], timezone: ZoneInfo) -> dict[str, Any]:
    return {
        "call_id": required_text(row["call_id"], "call_id"),
        "started_at": local_timestamp(row["start_time"], "start_time", START_TIME_LAYOUT, timezone),
        "queue": required_text(row["queue"], "queue"),
        "wait_seconds": optional_whole_number(row["wait_seconds"], "wait_seconds"),
        "handle_seconds": optional_whole_number(row["handle_seconds"], "handle_seconds"),
        "disposition": optional_text(row["disposition"]),
        "is_resolved": flag(row["resolved"], "resolved", YES_NO),
        "is_repeat_contact": flag(row["repeat_contact"], "repeat_contact", YES_NO),
        "caller_id": optional_text(row["caller_number"]),
        "agent_id": optional_text(row["agent_id"]),
        "notes": optional_text(row["notes"]),
    }
