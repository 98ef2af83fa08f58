"""Contact-centre daily call export (calls_<YYYY-MM-DD>.csv)."""

from __future__ import annotations

FILE_PATTERNS = ("*.csv",)
STREAM = "contact_call"
HEADER = (
    "call_id",
    "start_time",
    "queue",
    "wait_seconds",
    "handle_seconds",
    "disposition",
    "resolved",
    "repeat_contact",
    "caller_number",
    "agent_id",
    "notes",
)
HEADER_FIX = f"export the call report with the header {','.join(HEADER)}"
START_TIME_LAYOUT = "%Y-%m-%d %H:%M:%S"
YES_NO = {"Y": True, "N": False}
