"""The shared real feedback texts (../shared/data/real/), read for speed and parity checks.

`real_texts()` returns (id, text) pairs, ids prefixed by their set: VADER's human-rated tweets
(`vader:`), NHS patient comments (`nhs:`), NYC 311 resolution texts and descriptors (`nyc311:`) and
SeeClickFix resident reports, summary and description (`seeclickfix:`). Sets whose file is missing
are skipped; `REAL_DIR` is None-safe for callers that skip when the folder is absent.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

__all__ = ["REAL_DIR", "real_texts"]

REAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def _vader(root: Path) -> list[tuple[str, str]]:
    path = root / "vader" / "tweets_GroundTruth.txt"
    if not path.exists():
        return []
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            pairs.append((f"vader:{parts[0]}", parts[2]))
    return pairs


def _nhs(root: Path) -> list[tuple[str, str]]:
    path = root / "nhs_patient_feedback" / "nhft.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(f"nhs:{row['Comment ID']}", row["FFT answer"]) for row in csv.DictReader(handle)]


def _nyc311(root: Path) -> list[tuple[str, str]]:
    path = root / "gov_feedback_text" / "nyc311_service_requests_sample.csv"
    if not path.exists():
        return []
    pairs = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for column in ("resolution_description", "descriptor"):
                pairs.append((f"nyc311:{row['unique_key']}:{column}", row[column] or ""))
    return pairs


def _seeclickfix(root: Path) -> list[tuple[str, str]]:
    pairs = []
    for name in ("development", "excerpt"):
        path = root / "open311" / f"seeclickfix_atlanta_resident_text_{name}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                for field in ("summary", "description"):
                    pairs.append((f"seeclickfix:{record['source_id']}:{field}", record.get(field) or ""))
    return pairs


def real_texts(root: Path = REAL_DIR) -> list[tuple[str, str]]:
    """(id, text) of every shared real text, non-empty, ids unique, in a fixed order."""
    pairs = [*_vader(root), *_nhs(root), *_nyc311(root), *_seeclickfix(root)]
    return list({key: text for key, text in pairs if text.strip()}.items())
