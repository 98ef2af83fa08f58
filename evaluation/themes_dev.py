"""Development-only theme measurement for choosing among options (never reported by `make eval`).

* SeeClickFix development half: 5-fold cross-validation (seeded, by report id). Each fold's model is
  trained on the other four folds plus every written training text (`build_theme_model.training_texts`
  minus the fold), so a fold's reports never train the model that tags them.
* NHS development half: the model trained on all training texts tags the NHS development comments;
  only aggregate figures per mapped theme are printed (no NHS text is shown or trained on).

No held-out id is read. `--errors THEME` prints the SeeClickFix development false negatives and false
positives of a theme for error analysis.

    python -m evaluation.themes_dev [--errors THEME]
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence

from evaluation import labels, nhs_mapping
from evaluation.build_theme_model import DECISION_FLOORS, written_texts
from evaluation.split import committed_heldout
from evaluation.stats import Counts
from transforms.theme_model import ThemeModel, train
from transforms.themes import DEFAULT_TAXONOMY_PATH, Taxonomy

FOLDS = 5
_SEED = 0

Labelled = tuple[str, frozenset[str]]


def _counts(items: Sequence[Labelled], found: Sequence[set[str]], themes: Sequence[str]) -> dict[str, Counts]:
    result: dict[str, Counts] = {}
    for theme in [*themes, "micro"]:
        keys = themes if theme == "micro" else [theme]
        tp = sum(
            1 for (_, gold), got in zip(items, found, strict=True) for k in keys if k in gold and k in got
        )
        fp = sum(
            1 for (_, gold), got in zip(items, found, strict=True) for k in keys if k not in gold and k in got
        )
        fn = sum(
            1 for (_, gold), got in zip(items, found, strict=True) for k in keys if k in gold and k not in got
        )
        result[theme] = Counts(tp, fp, fn)
    return result


def _with_model(base: Taxonomy, training: Sequence[Labelled]) -> Taxonomy:
    ids = [t.theme_id for t in base.themes]
    document = train(
        base.examples([t for t, _ in training], [None] * len(training), [g for _, g in training]),
        ids,
        "dev",
        DECISION_FLOORS,
    )
    return Taxonomy(base.themes, "dev", ThemeModel(document))


def _predict(taxonomy: Taxonomy, texts: Sequence[str]) -> list[set[str]]:
    return [{m.theme_id for m in found} for found in taxonomy.match_many(texts, [None] * len(texts))]


def seeclickfix_cv(base: Taxonomy) -> tuple[list[Labelled], list[set[str]]]:
    known = frozenset(t.theme_id for t in base.themes)
    heldout = committed_heldout()["seeclickfix"]
    dev = sorted(
        (r.source_id, r.text, r.themes) for r in labels.load(known_themes=known) if r.source_id not in heldout
    )
    random.Random(_SEED).shuffle(dev)
    written = written_texts()
    items: list[Labelled] = []
    found: list[set[str]] = []
    for fold in range(FOLDS):
        test = [(text, gold) for i, (_, text, gold) in enumerate(dev) if i % FOLDS == fold]
        fit = [(text, gold) for i, (_, text, gold) in enumerate(dev) if i % FOLDS != fold]
        taxonomy = _with_model(base, [*fit, *written])
        items.extend(test)
        found.extend(_predict(taxonomy, [t for t, _ in test]))
    return items, found


def nhs_dev(base: Taxonomy) -> tuple[list[Labelled], list[set[str]]]:
    known = frozenset(t.theme_id for t in base.themes)
    heldout_scf = committed_heldout()["seeclickfix"]
    heldout_nhs = committed_heldout()["nhs"]
    training = [(r.text, r.themes) for r in labels.load(known_themes=known) if r.source_id not in heldout_scf]
    taxonomy = _with_model(base, [*training, *written_texts()])
    items = [(c.text, c.themes) for c in nhs_mapping.load() if c.comment_id not in heldout_nhs]
    return items, _predict(taxonomy, [t for t, _ in items])


def _lines(name: str, counts: dict[str, Counts]) -> list[str]:
    lines = [f"{name}", f"  {'theme':<25} {'support':>7} {'found':>6} {'tp':>5} {'P':>5} {'R':>5} {'F1':>5}"]
    for theme, c in counts.items():
        if c.support == 0 and c.predicted == 0:
            continue
        p, r, f = (f"{v:.2f}" if v is not None else "-" for v in (c.precision, c.recall, c.f1))
        lines.append(f"  {theme:<25} {c.support:>7} {c.predicted:>6} {c.tp:>5} {p:>5} {r:>5} {f:>5}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    taxonomy = Taxonomy.load(DEFAULT_TAXONOMY_PATH)
    base = Taxonomy(taxonomy.themes, "dev", None)
    all_themes = [t.theme_id for t in base.themes]
    items, found = seeclickfix_cv(base)
    if args[:1] == ["--errors"]:
        theme = args[1]
        for (text, gold), got in zip(items, found, strict=True):
            if (theme in gold) != (theme in got):
                kind = "FN" if theme in gold else "FP"
                print(f"{kind} {sorted(gold)} | {' '.join(text.split())[:300]}")
        return 0
    print(
        "\n".join(
            _lines(
                f"SeeClickFix development, {FOLDS}-fold CV ({len(items)} texts)",
                _counts(items, found, all_themes),
            )
        )
    )
    if args[:1] != ["--scf"]:
        nhs_items, nhs_found = nhs_dev(base)
        counts = _counts(nhs_items, nhs_found, list(nhs_mapping.MAPPING))
        print("\n".join(_lines(f"NHS development ({len(nhs_items)} texts; aggregate only)", counts)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
