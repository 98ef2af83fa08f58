"""A Contact Lens analysis output to contact_call values: the customer's turns are the notes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from civicpulse.filereaders import BadValue, json_id, json_object, optional_text, row_date
from civicpulse.sources import FileProblem
from connectors.contact_lens.settings import (
    ANALYSIS_TIME,
    COMPLETED,
    CUSTOMER_ROLE,
    EXPECTED_FILE,
    FALLBACK_QUEUE,
    QUEUE_KEYS,
    RECORDING_LAYOUT,
    RECORDING_TIME,
)


def analysis_object(path: Path | str, document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or not isinstance(document.get("CustomerMetadata"), dict):
        raise FileProblem(
            path,
            "the file is not a Contact Lens analysis output (no CustomerMetadata)",
            f"save {EXPECTED_FILE}",
        )
    return document


def call_values(path: Path | str, analysis: dict[str, Any]) -> dict[str, Any]:
    metadata = json_object(analysis["CustomerMetadata"], "CustomerMetadata")
    characteristics = analysis.get("ConversationCharacteristics")
    characteristics = characteristics if isinstance(characteristics, dict) else {}
    duration = characteristics.get("TotalConversationDurationMillis")
    seconds = round(duration / 1000) if isinstance(duration, int | float) and duration >= 0 else None
    started_at = _started_at(path, metadata, seconds)
    status = analysis.get("JobStatus")
    if status != COMPLETED:
        raise BadValue(f"JobStatus is {status!r}; only COMPLETED analyses are loaded")
    categories = analysis.get("Categories")
    matched = categories.get("MatchedCategories") if isinstance(categories, dict) else None
    return {
        "call_id": json_id(metadata.get("ContactId"), "CustomerMetadata.ContactId"),
        "started_at": started_at,
        "queue": _queue(analysis, metadata),
        "wait_seconds": None,
        "handle_seconds": seconds,
        "disposition": "; ".join(str(c) for c in matched) if isinstance(matched, list) and matched else None,
        "is_resolved": None,
        "is_repeat_contact": None,
        "caller_id": None,
        "agent_id": None,
        "notes": _customer_turns(analysis),
    }


def _started_at(path: Path | str, metadata: dict[str, Any], seconds: int | None) -> dt.datetime:
    recording = metadata.get("InputS3Uri")
    match = RECORDING_TIME.search(recording) if isinstance(recording, str) else None
    if match:
        return row_date(dt.datetime.strptime(match.group(1), RECORDING_LAYOUT).replace(tzinfo=dt.UTC))
    analysed = ANALYSIS_TIME.search(Path(path).name)
    if analysed:
        moment = dt.datetime.fromisoformat(analysed.group(1).replace("Z", "+00:00"))
        return row_date(moment - dt.timedelta(seconds=seconds or 0))
    raise BadValue(
        "no call time: CustomerMetadata.InputS3Uri has no <YYYYMMDDThh:mm>_UTC recording name and the file "
        "name has no _analysis_<time>Z; keep Contact Lens' file names"
    )


def _queue(analysis: dict[str, Any], metadata: dict[str, Any]) -> str:
    for key in QUEUE_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    channel = analysis.get("Channel")
    return FALLBACK_QUEUE.format(channel=str(channel or "voice").lower())


def _customer_turns(analysis: dict[str, Any]) -> str | None:
    transcript = analysis.get("Transcript")
    if not isinstance(transcript, list):
        raise BadValue("the analysis has no Transcript list")
    participants = analysis.get("Participants")
    roles = {
        str(p.get("ParticipantId")): str(p.get("ParticipantRole"))
        for p in participants or []
        if isinstance(p, dict)
    }
    turns = []
    for turn in transcript:
        turn = json_object(turn, "Transcript turn")
        speaker = str(turn.get("ParticipantId"))
        content = turn.get("Content")
        if roles.get(speaker, speaker) == CUSTOMER_ROLE and isinstance(content, str):
            text = optional_text(content)
            if text:
                turns.append(text)
    return "\n".join(turns) or None
