"""A city's theme tuning loop: sample texts to label, measure the themes on them, refit the model.

    civicpulse themes sample --n 200 --out to_label.jsonl   # stratified, most uncertain first
    (a person fills in "themes" of each line by the guide in docs/themes.md)
    civicpulse themes eval --labels labelled.jsonl          # per-theme precision/recall, 95% intervals
    civicpulse themes train --labels labelled.jsonl         # refit the model named by themes.yml

A labels file is JSON lines with `text`, `themes` (a list of theme ids, empty when none applies) and
optionally `service_id`. The model is written to the path of the taxonomy's `model:` key, so the
next build re-matches every text with it (its version is in the theme cache key).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from civicpulse.intervals import wilson
from civicpulse.jsonlines import json_lines
from transforms.theme_model import dump, train
from transforms.themes import Taxonomy

__all__ = ["Labelled", "evaluate", "read_labels", "refit", "sample"]


@dataclass(frozen=True)
class Labelled:
    text: str
    service_id: str | None
    themes: frozenset[str]


def sample(con: duckdb.DuckDBPyConnection, taxonomy: Taxonomy, n: int) -> list[dict[str, Any]]:
    """`n` distinct texts from the warehouse, round-robin over (service, channel), most uncertain first.

    Uncertainty is how close a modelled theme's probability is to its threshold (without a model,
    texts with a theme come first); each record has empty `themes` for the labeller and the current
    `suggested` themes.
    """
    rows = con.execute(
        """
        select any_value(feedback_id), coalesce(service_id, ''), channel, text
        from staging.stg_feedback_texts
        where text is not null and trim(text) <> ''
        group by text_hash, service_id, channel, text
        order by text_hash, service_id, channel
        """
    ).fetchall()
    if not rows:
        return []
    texts = [str(r[3]) for r in rows]
    services = [str(r[1]) or None for r in rows]
    found = taxonomy.match_many(texts, services)
    model = taxonomy.model
    margins = [0.0] * len(rows)
    if model is not None:
        probabilities = model.predict(taxonomy.examples(texts, services, [frozenset()] * len(rows)))
        for index in range(len(rows)):
            margins[index] = min(
                abs(float(probabilities[theme][index]) - model.threshold(theme)) for theme in model.themes
            )
    else:
        margins = [0.0 if matches else 1.0 for matches in found]
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index in sorted(range(len(rows)), key=lambda i: (margins[i], texts[i])):
        strata[(str(rows[index][1]), str(rows[index][2]))].append(index)
    picked: list[int] = []
    queues = [strata[key] for key in sorted(strata)]
    while len(picked) < n and any(queues):
        for queue in queues:
            if queue and len(picked) < n:
                picked.append(queue.pop(0))
    return [
        {
            "feedback_id": rows[i][0],
            "service_id": services[i],
            "channel": rows[i][2],
            "text": texts[i],
            "themes": [],
            "suggested": [m.theme_id for m in found[i]],
            "uncertainty": round(1 - margins[i], 3),
        }
        for i in picked
    ]


def read_labels(path: Path, known: frozenset[str]) -> list[Labelled]:
    """The labelled texts of a JSON-lines file; a bad line raises ValueError naming file and line."""
    labelled = []
    for where, record in json_lines(path):
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ValueError(f'{where}: each line needs "text" (a string) and "themes" (a list of theme ids)')
        themes = record.get("themes")
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            raise ValueError(f'{where}: "themes" must be a list of theme ids ([] when none applies)')
        unknown = sorted(set(themes) - known)
        if unknown:
            raise ValueError(f"{where}: unknown theme ids {unknown} (known: {', '.join(sorted(known))})")
        service = record.get("service_id")
        labelled.append(Labelled(record["text"], str(service) if service else None, frozenset(themes)))
    if not labelled:
        raise ValueError(f"{path}: no labelled texts")
    return labelled


def _ratio(successes: int, total: int) -> str:
    interval = wilson(successes, total)
    if interval is None:
        return f"{'-':>17}"
    return f"{successes / total:>5.2f} [{interval[0]:.2f}-{interval[1]:.2f}]"


def evaluate(taxonomy: Taxonomy, labelled: list[Labelled]) -> str:
    """Per-theme precision and recall (Wilson 95% intervals) of the taxonomy on labelled texts."""
    found = taxonomy.match_many([item.text for item in labelled], [item.service_id for item in labelled])
    lines = [
        f"taxonomy {taxonomy.version}: {len(labelled)} labelled texts",
        f"  {'theme':<25} {'support':>7} {'found':>6} {'tp':>4}  "
        f"{'precision [95%]':>17}  {'recall [95%]':>17}",
    ]
    totals = [0, 0, 0]
    for theme in [t.theme_id for t in taxonomy.themes]:
        tp = fp = fn = 0
        for item, matches in zip(labelled, found, strict=True):
            predicted, actual = theme in {m.theme_id for m in matches}, theme in item.themes
            tp += predicted and actual
            fp += predicted and not actual
            fn += actual and not predicted
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        lines.append(
            f"  {theme:<25} {tp + fn:>7} {tp + fp:>6} {tp:>4}  {_ratio(tp, tp + fp)}  {_ratio(tp, tp + fn)}"
        )
    tp, fp, fn = totals
    lines.append(
        f"  {'micro':<25} {tp + fn:>7} {tp + fp:>6} {tp:>4}  {_ratio(tp, tp + fp)}  {_ratio(tp, tp + fn)}"
    )
    return "\n".join(lines)


def refit(
    taxonomy_path: Path, labelled: list[Labelled], out: Path | None = None
) -> tuple[Path, dict[str, Any]]:
    """Train the theme model on the labelled texts and write it (default: the taxonomy's `model:` path)."""
    import yaml

    taxonomy = Taxonomy.load(taxonomy_path)
    if out is None:
        document = yaml.safe_load(taxonomy_path.read_text(encoding="utf-8"))
        name = document.get("model") if isinstance(document, dict) else None
        if not isinstance(name, str):
            raise ValueError(
                f"{taxonomy_path}: no 'model:' key; add 'model: models/themes_model.json' or pass --out"
            )
        out = Path(name) if Path(name).is_absolute() else taxonomy_path.resolve().parent / name
    examples = taxonomy.examples(
        [item.text for item in labelled],
        [item.service_id for item in labelled],
        [item.themes for item in labelled],
    )
    model = train(
        examples, [t.theme_id for t in taxonomy.themes], f"civicpulse themes train ({len(labelled)} texts)"
    )
    if not model["themes"]:
        raise ValueError("no theme has enough labelled examples to train (8 positives per theme at least)")
    dump(model, out)
    return out, model
