"""Unit-test material, not a reported figure: 300 texts, 192 of them written here (issue 14).

`make eval` reports themes on held-out real text only (`evaluation/themes_heldout.py`); this set
has no `run()` and is used by tests/transforms/test_evaluation.py as a regression check.

`data/themes_labelled.jsonl`: one JSON object a line with `id`, `origin` (where the text was
published), `text` and `themes` (the theme ids a human reader assigned; empty when none applies).
The labels were assigned by reading each text, not by running the matcher. Figures: per-theme and
overall (micro-averaged over every (text, theme) decision) precision and recall of
`Taxonomy.match` with the project's config/themes.yml.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from evaluation import DATA_DIR
from transforms.themes import Taxonomy

LABELLED = DATA_DIR / "themes_labelled.jsonl"


@dataclass(frozen=True)
class LabelledText:
    id: str
    origin: str
    text: str
    themes: frozenset[str]


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def load(path: Path = LABELLED) -> list[LabelledText]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        missing = {"id", "origin", "text", "themes"} - set(record)
        if missing:
            raise ValueError(f"{path}:{number}: missing {sorted(missing)}")
        items.append(
            LabelledText(record["id"], record["origin"], record["text"], frozenset(record["themes"]))
        )
    return items


def evaluate(items: list[LabelledText], taxonomy: Taxonomy) -> tuple[dict[str, Scores], Scores]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    known = {theme.theme_id for theme in taxonomy.themes}
    for item in items:
        unknown = item.themes - known
        if unknown:
            raise ValueError(f"{item.id}: unknown theme ids {sorted(unknown)}")
        found = {match.theme_id for match in taxonomy.match(item.text)}
        for theme in found & item.themes:
            tp[theme] += 1
        for theme in found - item.themes:
            fp[theme] += 1
        for theme in item.themes - found:
            fn[theme] += 1
    per_theme = {
        theme.theme_id: Scores(tp[theme.theme_id], fp[theme.theme_id], fn[theme.theme_id])
        for theme in taxonomy.themes
    }
    overall = Scores(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return per_theme, overall
