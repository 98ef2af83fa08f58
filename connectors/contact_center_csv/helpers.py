"""One call-export row to contact_call values."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from civicpulse.filereaders import flag, local_timestamp, optional_text, optional_whole_number, required_text
from connectors.contact_center_csv.settings import Options


def call_values(row: dict[str, str], timezone: ZoneInfo, options: Options) -> dict[str, Any]:
    columns = options.columns
    yes_no = options.flag_meanings()

    def text(column: str | None) -> str | None:
        return None if column is None else row[column]

    return {
        "call_id": required_text(row[columns.call_id], columns.call_id),
        "started_at": local_timestamp(
            row[columns.start_time], columns.start_time, options.time_format, timezone
        ),
        "queue": required_text(row[columns.queue], columns.queue),
        "wait_seconds": optional_whole_number(text(columns.wait_seconds), str(columns.wait_seconds)),
        "handle_seconds": optional_whole_number(text(columns.handle_seconds), str(columns.handle_seconds)),
        "disposition": optional_text(text(columns.disposition)),
        "is_resolved": flag(text(columns.resolved), str(columns.resolved), yes_no),
        "is_repeat_contact": flag(text(columns.repeat_contact), str(columns.repeat_contact), yes_no),
        "caller_id": optional_text(text(columns.caller_number)),
        "agent_id": optional_text(text(columns.agent_id)),
        "notes": optional_text(text(columns.notes)),
    }
