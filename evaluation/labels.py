"""Our labels of the real SeeClickFix reports, joined with their text read from ../shared at run time.

`data/seeclickfix_labels.jsonl`: one JSON object a line with `source_id`, `file` (the file of
`../shared/data/real/open311/` it comes from), `themes` (theme ids assigned by reading the report by the
guide in docs/themes.md; empty when none applies) and, for the reports rated for sentiment,
`sentiment_pass1` and `sentiment_pass2` (integers on VADER's -4..+4 scale, two passes in different
orders) and, for the reports judged for urgency, `urgent` (true/false by the short guide in
docs/themes.md, judged in shuffled order without seeing the urgency flags) with `urgent_basis`, why it
was judged: `flagged` (a revision of the urgency rules flagged it; every flagged report was judged) or
`random` (drawn at random from the reports that revision did not flag). The texts are not stored in
the repository (no license is stated for them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from civicpulse.jsonlines import json_lines
from evaluation import DATA_DIR
from evaluation.split import SEECLICKFIX_DIR, SEECLICKFIX_FILES

LABELS = DATA_DIR / "seeclickfix_labels.jsonl"


@dataclass(frozen=True)
class LabelledReport:
    source_id: str
    file: str
    text: str
    themes: frozenset[str]
    sentiment_passes: tuple[int, int] | None
    urgent: bool | None = None
    urgent_basis: str | None = None

    @property
    def sentiment(self) -> float | None:
        """Mean of the two passes."""
        return None if self.sentiment_passes is None else sum(self.sentiment_passes) / 2


def report_text(record: dict[str, object]) -> str:
    """What was labelled: the summary and the description of a report."""
    return "\n".join(str(record.get(key) or "").strip() for key in ("summary", "description")).strip()


def shared_texts(directory: Path = SEECLICKFIX_DIR) -> dict[tuple[str, str], str]:
    texts = {}
    for name in SEECLICKFIX_FILES:
        for line in (directory / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts[(name, str(record["source_id"]))] = report_text(record)
    return texts


def load(path: Path = LABELS, known_themes: frozenset[str] | None = None) -> list[LabelledReport]:
    """The labelled reports with their text; a bad line raises ValueError naming file and line."""
    texts = shared_texts()
    reports = []
    for where, record in json_lines(path):
        missing = {"source_id", "file", "themes"} - set(record)
        if missing:
            raise ValueError(f"{where}: missing {sorted(missing)}")
        key = (record["file"], str(record["source_id"]))
        if key not in texts:
            raise ValueError(f"{where}: {key[1]} is not in ../shared/data/real/open311/{key[0]}")
        themes = frozenset(record["themes"])
        if known_themes is not None and themes - known_themes:
            raise ValueError(f"{where}: unknown theme ids {sorted(themes - known_themes)}")
        passes = None
        if "sentiment_pass1" in record or "sentiment_pass2" in record:
            p1, p2 = record.get("sentiment_pass1"), record.get("sentiment_pass2")
            if not all(isinstance(p, int) and not isinstance(p, bool) and -4 <= p <= 4 for p in (p1, p2)):
                raise ValueError(f"{where}: sentiment_pass1 and sentiment_pass2 must both be integers -4..4")
            passes = (int(p1), int(p2))
        urgent, basis = record.get("urgent"), record.get("urgent_basis")
        if urgent is not None and not isinstance(urgent, bool):
            raise ValueError(f"{where}: urgent must be true or false")
        if (urgent is None) != (basis is None) or basis not in (None, "flagged", "random"):
            raise ValueError(f"{where}: a judged report needs urgent_basis 'flagged' or 'random'")
        reports.append(
            LabelledReport(
                key[1], key[0], texts[key], themes, passes, urgent, None if basis is None else str(basis)
            )
        )
    return reports
