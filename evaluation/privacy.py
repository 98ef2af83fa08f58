"""PII redaction measured on a corpus of realistic resident posts, agent notes and survey comments.

`data/pii_corpus.jsonl` holds texts with personal data (each item's type and exact value) and texts
without any (with the numbers, dates, times, amounts, ticket and order numbers that must survive).
Recall: the share of personal-data items whose value no longer appears after `redact`, and the
share replaced by the right placeholder. False-positive rate: the share of texts without personal
data that `redact` changes at all. Targets: recall >= 0.98, false-positive rate < 2%.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from evaluation import DATA_DIR
from transforms.privacy import Redactor

TITLE = "PII redaction (transforms/privacy.py)"
CORPUS = DATA_DIR / "pii_corpus.jsonl"
# The demo city's organisation-specific formats, as in civicpulse.yml `privacy.account_patterns`:
# case numbers like RIV-123456 and utility accounts like UB12345678.
ACCOUNT_PATTERNS = (r"RIV-\d{6}", r"UB\d{8}")
RECALL_TARGET = 0.98
FALSE_POSITIVE_TARGET = 0.02


@dataclass(frozen=True)
class Figures:
    texts_with_pii: int
    items: int
    items_removed: int
    items_typed: int
    texts_without_pii: int
    false_positives: int
    missed: tuple[tuple[str, str, str], ...]
    altered: tuple[tuple[str, str], ...]
    by_type: dict[str, tuple[int, int]]

    @property
    def recall(self) -> float:
        return self.items_removed / self.items if self.items else 1.0

    @property
    def typed_recall(self) -> float:
        return self.items_typed / self.items if self.items else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.texts_without_pii if self.texts_without_pii else 0.0


def measure(redactor: Redactor | None = None) -> Figures:
    redactor = redactor or Redactor(ACCOUNT_PATTERNS)
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = removed = typed = clean = false_positives = 0
    missed: list[tuple[str, str, str]] = []
    altered: list[tuple[str, str]] = []
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in rows:
        redacted = redactor(row["text"])
        if not row["pii"]:
            clean += 1
            if redacted != row["text"]:
                false_positives += 1
                altered.append((row["text"], redacted))
            continue
        for item in row["pii"]:
            items += 1
            total[item["type"]] += 1
            if item["value"] not in redacted:
                removed += 1
                found[item["type"]] += 1
                typed += f"[{item['type']}]" in redacted
            else:
                missed.append((item["type"], item["value"], redacted))
    return Figures(
        texts_with_pii=sum(1 for row in rows if row["pii"]),
        items=items,
        items_removed=removed,
        items_typed=typed,
        texts_without_pii=clean,
        false_positives=false_positives,
        missed=tuple(missed),
        altered=tuple(altered),
        by_type={kind: (found[kind], total[kind]) for kind in sorted(total)},
    )


def run() -> str:
    figures = measure()
    ok_recall = "ok" if figures.recall >= RECALL_TARGET else "BELOW TARGET"
    ok_fp = "ok" if figures.false_positive_rate < FALSE_POSITIVE_TARGET else "ABOVE TARGET"
    lines = [
        f"corpus: {figures.texts_with_pii} texts with {figures.items} PII items, "
        f"{figures.texts_without_pii} texts without PII ({CORPUS.name})",
        f"recall (PII value removed):        {figures.recall:.4f}  target >= {RECALL_TARGET}  {ok_recall}",
        f"recall with the right placeholder: {figures.typed_recall:.4f}",
        f"false-positive rate (clean text changed): {figures.false_positive_rate:.4f} "
        f"({figures.false_positives}/{figures.texts_without_pii})  target < {FALSE_POSITIVE_TARGET}  {ok_fp}",
        "by type: " + ", ".join(f"{kind} {hit}/{count}" for kind, (hit, count) in figures.by_type.items()),
    ]
    lines += [f"  missed {kind}: {value!r} in {text!r}" for kind, value, text in figures.missed[:10]]
    lines += [f"  altered: {before!r} -> {after!r}" for before, after in figures.altered[:10]]
    return "\n".join(lines)
