"""Which NHS patient-experience framework categories mean the same as our themes (docs/themes.md).

`../shared/data/real/nhs_patient_feedback/nhft.csv` holds 2,812 NHS comments labelled by NHS staff
with pxtextmining's v6 framework (one 0/1 column per category) and a 1..5 sentiment. Only themes with
a clear counterpart are evaluated on it; `NOT_EVALUATED` lists the others and why.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from evaluation.split import NHS_CSV

MAPPING: dict[str, tuple[str, ...]] = {
    "wait_time": ("Timeliness of care",),
    "staff_courtesy": ("Staff manner & personal attributes",),
    "appointments_scheduling": ("Appointment arrangements", "Appointment method"),
    "communication_notices": (
        "Being kept informed, clarity & consistency of information",
        "Contacting services",
        # Communication in general ("communication was poor"): our theme's label and its phrase
        # "[poor|lack of|better|...] communication" claim exactly this (docs/themes.md).
        "Unspecified communication",
    ),
}

# Framework categories near a mapped theme that are deliberately left out (docs/themes.md).
NOT_MAPPED: dict[str, str] = {
    "Information directly from staff during care": "a professional explaining care in person is staff "
    "helpfulness (staff_courtesy's guide row), not the agency's notices, updates or reachability",
}

NOT_EVALUATED: dict[str, str] = {
    "website_usability": "no category for websites or portals",
    "online_payment": "NHS care is not paid for",
    "fees_billing": "NHS care is not billed; 'Funding & use of financial resources' is about funding levels",
    "paperwork_forms": "no category for forms",
    "eligibility_requirements": "no category for eligibility",
    "accessibility_language": "'Equality, Diversity & Inclusion' is broader than access and language",
    "resolution_followup": "'Staff responsiveness' is attention on the ward, not follow-up of a request",
    "trust_transparency": "no category for trust in the organisation",
    "outages_errors": "no category for systems that are down",
}

UNLABELLABLE = "Labelling not possible"


@dataclass(frozen=True)
class NhsComment:
    comment_id: str
    text: str
    themes: frozenset[str]
    sentiment: int | None
    """The labeller's `Comment sentiment`: 1 very positive .. 5 very negative; None when not rated."""


def load(path: Path = NHS_CSV) -> list[NhsComment]:
    """Comments with text that the NHS labellers could label, with our mapped themes."""
    comments = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        missing = {c for cats in MAPPING.values() for c in cats} - columns
        if missing:
            raise ValueError(
                f"{path}: missing framework columns {sorted(missing)}; is this the nhft.csv of the README?"
            )
        for row in reader:
            text = (row["FFT answer"] or "").strip()
            if not text or row.get(UNLABELLABLE) == "1":
                continue
            themes = frozenset(theme for theme, cats in MAPPING.items() if any(row[c] == "1" for c in cats))
            raw = (row["Comment sentiment"] or "").strip()
            comments.append(NhsComment(row["Comment ID"], text, themes, int(raw) if raw else None))
    return comments
