"""Theme matching against a hand-labelled set of real texts of residents about public services.

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
from transforms.themes import DEFAULT_TAXONOMY_PATH, Taxonomy

TITLE = "Themes: precision and recall on hand-labelled real texts"
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


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def run() -> str:
    items = load()
    per_theme, overall = evaluate(items, Taxonomy.load(DEFAULT_TAXONOMY_PATH))
    origins = Counter(
        "open311 (SeeClickFix)"
        if i.id.startswith("scf-")
        else "vader tweets"
        if i.id.startswith("vader-")
        else "web"
        for i in items
    )
    lines = [
        f"{len(items)} texts ({', '.join(f'{k} {v}' for k, v in sorted(origins.items()))}); "
        f"{sum(1 for i in items if i.themes)} with at least one theme",
        f"{'theme':<26} {'labelled':>8} {'found':>6} {'tp':>4} {'precision':>9} {'recall':>7}",
    ]
    rows = [*per_theme.items(), ("overall (micro)", overall)]
    for theme_id, s in rows:
        lines.append(
            f"{theme_id:<26} {s.tp + s.fn:>8} {s.tp + s.fp:>6} {s.tp:>4} "
            f"{_fmt(s.precision):>9} {_fmt(s.recall):>7}"
        )
    lines.append(
        "(overall: micro-averaged over (text, theme) decisions; target precision >= 0.85, recall >= 0.70)"
    )
    return "\n".join(lines)
