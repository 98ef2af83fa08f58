"""Contact Lens analysis output files (hand-written from AWS's documented example output)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civicpulse.extract import extract_source
from civicpulse.sources import FileProblem, Record, RowProblem
from tests.conftest import write_project_config

Parse = Callable[..., tuple[list[Record], list[RowProblem]]]
Problem = Callable[..., FileProblem]
DAY_FOLDER = "contact_lens/Analysis/Voice/2024/05/06"
BILLING = "3f2a9c1e-7b4d-4e21-9a8b-0c5d6e7f8a91_analysis_redacted_2024-05-06T14:10:05Z.json"
PERMITS = "8c7d6e5f-4a3b-4c2d-8e1f-9a0b1c2d3e4f_analysis_redacted_2024-05-06T16:21:41Z.json"


def _analysis(fixtures: Path, name: str = BILLING) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((fixtures / DAY_FOLDER / name).read_text())
    return document


def test_customer_turns_are_the_notes_and_the_recording_name_the_start(parse: Parse, fixtures: Path) -> None:
    records, problems = parse("contact_lens", fixtures / DAY_FOLDER / BILLING)
    assert not problems and len(records) == 1
    values = records[0].values
    assert values["call_id"] == "3f2a9c1e-7b4d-4e21-9a8b-0c5d6e7f8a91"
    assert values["started_at"] == dt.datetime(2024, 5, 6, 14, 3, tzinfo=dt.UTC)
    assert values["queue"] == "contact_lens_voice" and values["handle_seconds"] == 418
    assert values["disposition"] == "Billing dispute"
    assert values["notes"] == (
        "My water bill doubled this month and nobody told me the fee went up.\n"
        "I've been on hold for forty minutes already."
    )


def test_without_a_timed_recording_the_start_is_the_analysis_time_less_the_duration(
    parse: Parse, fixtures: Path
) -> None:
    records, _ = parse("contact_lens", fixtures / DAY_FOLDER / PERMITS)
    values = records[0].values
    assert values["started_at"] == dt.datetime(2024, 5, 6, 16, 20, 40, tzinfo=dt.UTC)
    assert values["disposition"] is None and values["notes"].startswith("Hi, I just wanted")


def test_a_queue_in_the_metadata_is_used(parse: Parse, fixtures: Path, tmp_path: Path) -> None:
    document = _analysis(fixtures)
    document["CustomerMetadata"]["QueueName"] = "utility_billing"
    path = tmp_path / BILLING
    path.write_text(json.dumps(document))
    records, _ = parse("contact_lens", path)
    assert records[0].values["queue"] == "utility_billing"


def test_a_failed_analysis_is_a_row_problem_without_the_transcript(
    parse: Parse, fixtures: Path, tmp_path: Path
) -> None:
    document = _analysis(fixtures)
    document["JobStatus"] = "FAILED"
    path = tmp_path / BILLING
    path.write_text(json.dumps(document))
    records, problems = parse("contact_lens", path)
    assert not records and "FAILED" in problems[0].reason and "water bill" not in problems[0].raw
    assert problems[0].day == dt.date(2024, 5, 6), "filed under the call's day"


def test_a_cut_off_or_foreign_file_is_a_file_problem(
    file_problem: Problem, fixtures: Path, tmp_path: Path
) -> None:
    cut = tmp_path / BILLING
    cut.write_text((fixtures / DAY_FOLDER / BILLING).read_text()[:500])
    assert "ends before" in file_problem("contact_lens", cut).problem
    foreign = tmp_path / "report.json"
    foreign.write_text(json.dumps({"Transcript": []}))
    assert "CustomerMetadata" in file_problem("contact_lens", foreign).problem


def test_a_synced_bucket_prefix_is_read_in_file_mode(fixtures: Path, tmp_path: Path) -> None:
    from civicpulse.config import load_config

    source = {
        "name": "connect_calls",
        "connector": "contact_lens",
        "mode": "file",
        "inbox": str(fixtures / "contact_lens"),
        "service_map": {"utility_billing": {"keywords": ["water bill"]}},
    }
    config = load_config(write_project_config(tmp_path, sources=[source]))
    summary = extract_source(config, "connect_calls", dt.date(2024, 5, 6), dt.date(2024, 5, 7))
    assert summary.records == 2 and summary.files == 2 and summary.quarantined == 0
