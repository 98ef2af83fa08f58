"""Real resident texts with a service-like label, for the service classifier's parity tests:
SeeClickFix requests (development part) by request type, NHS feedback by service."""

from __future__ import annotations

import csv
import json

from tests.conftest import SHARED_REAL

OPEN311 = SHARED_REAL / "open311" / "seeclickfix_atlanta_resident_text_development.jsonl"
NHS = SHARED_REAL / "nhs_patient_feedback" / "nhft.csv"


def open311_pairs() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in OPEN311.read_text(encoding="utf-8").splitlines()]
    return [(f"{r['summary']} {r['description'] or ''}", str(r["type_large"])) for r in rows]


def nhs_pairs() -> list[tuple[str, str]]:
    with NHS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # The first 1,200 comments keep a test's fits to a few seconds.
    return [(r["FFT answer"], r["Service type 1"]) for r in rows[:1200]]
