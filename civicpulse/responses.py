"""Close the loop: record a reply to a resident, which takes the feedback out of marts.close_the_loop."""

from __future__ import annotations

from dataclasses import dataclass

from civicpulse.config import Config

CLOSE_THE_LOOP = "marts.close_the_loop"


@dataclass(frozen=True)
class RecordedResponse:
    feedback_id: str
    service_id: str
    open_items: int


def record_response(
    config: Config,
    feedback_id: str,
    note: str,
    responded_by: str | None = None,
    response_channel: str | None = None,
) -> RecordedResponse:
    """Insert into ops.responses, then the warehouse lifecycle (warehouse.lifecycle) with only the
    close-the-loop queue rebuilt: the quality gate, the marts exports, the published copy.

    Runs as the single writer, so it waits for (or fails clearly during) a nightly load.
    """
    from civicpulse.warehouse.connection import writer
    from civicpulse.warehouse.lifecycle import rebuild_and_publish

    if not note.strip():
        raise ValueError("--note must say what was answered (it is kept in ops.responses)")
    with writer(config) as con:
        found = con.execute(
            "select service_id from core.fact_feedback where feedback_id = ?", [feedback_id]
        ).fetchone()
        if found is None:
            raise ValueError(
                f"no feedback with id '{feedback_id}' in core.fact_feedback "
                "(take the id from marts.close_the_loop or the report's queue)"
            )
        con.execute(
            "insert into ops.responses values (?, now(), ?, ?, ?)",
            [feedback_id, responded_by, response_channel, note.strip()],
        )
        # Only the queue reads ops.responses: the other models would rebuild to the same rows.
        rebuild_and_publish(con, config, reason="response", select=lambda model: model.name == CLOSE_THE_LOOP)
        remaining = con.execute(
            f"select count(*) from {CLOSE_THE_LOOP} where service_id = ?", [found[0]]
        ).fetchone()
    return RecordedResponse(feedback_id, str(found[0]), int(remaining[0]) if remaining else 0)
