"""The fixed development / held-out split of every labelled real source (decided before measuring).

A text's part is a function of its source and its id only: the first 8 hex digits of
sha256("<source>:<id>") as a number, modulo 100; below `HELDOUT_PERCENT` is held out. The held-out
ids are also written to `data/heldout_ids.json` (by `python -m evaluation.split --write`), and a test
checks that the function still gives exactly that file, so the split can never drift silently.
Reported figures (`make eval`) come from the held-out part only; the development part is for tuning.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from evaluation import DATA_DIR, SHARED_REAL

Part = Literal["development", "heldout"]
Source = Literal["seeclickfix", "nhs"]

HELDOUT_PERCENT = 50
HELDOUT_FILE = DATA_DIR / "heldout_ids.json"
SEECLICKFIX_DIR = SHARED_REAL / "open311"
SEECLICKFIX_FILES = (
    "seeclickfix_atlanta_resident_text_development.jsonl",
    "seeclickfix_atlanta_resident_text_excerpt.jsonl",
)
NHS_CSV = SHARED_REAL / "nhs_patient_feedback" / "nhft.csv"


def part(source: Source, item_id: str) -> Part:
    digest = hashlib.sha256(f"{source}:{item_id}".encode()).hexdigest()
    return "heldout" if int(digest[:8], 16) % 100 < HELDOUT_PERCENT else "development"


def seeclickfix_ids() -> list[str]:
    ids = []
    for name in SEECLICKFIX_FILES:
        for line in (SEECLICKFIX_DIR / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                ids.append(str(json.loads(line)["source_id"]))
    return ids


def nhs_ids() -> list[str]:
    with NHS_CSV.open(encoding="utf-8", newline="") as handle:
        return [row["Comment ID"] for row in csv.DictReader(handle)]


def computed_heldout() -> dict[str, list[str]]:
    return {
        "seeclickfix": sorted(i for i in seeclickfix_ids() if part("seeclickfix", i) == "heldout"),
        "nhs": sorted(i for i in nhs_ids() if part("nhs", i) == "heldout"),
    }


def committed_heldout(path: Path = HELDOUT_FILE) -> dict[str, frozenset[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {source: frozenset(ids) for source, ids in data.items()}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    heldout = computed_heldout()
    if args == ["--write"]:
        HELDOUT_FILE.write_text(json.dumps(heldout, indent=0) + "\n", encoding="utf-8")
    for source, ids in heldout.items():
        print(f"{source}: {len(ids)} held out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
