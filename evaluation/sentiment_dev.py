"""Development-only sentiment figures for choosing among options (never reported by `make eval`).

Raw VADER and civicpulse on the development halves: NHS comments (the labeller's 1..5 sentiment),
our SeeClickFix ratings, and VADER's tweets (the set the layer must not move). Aggregate figures
only: no text is printed, and no held-out id is scored.

    python -m evaluation.sentiment_dev
"""

from __future__ import annotations

from evaluation import labels, nhs_mapping
from evaluation.sentiment import read_ground_truth
from evaluation.sentiment_heldout import POSITIVE, VADER_DIR, raw_vader
from evaluation.split import committed_heldout
from evaluation.stats import pearson
from transforms.sentiment import score_texts

Rated = tuple[list[str], list[float], float]


def development_sets() -> dict[str, Rated]:
    """Name -> (texts, human values, the value at or below which a text is clearly negative)."""
    heldout = committed_heldout()
    nhs = [c for c in nhs_mapping.load() if c.comment_id not in heldout["nhs"] and c.sentiment is not None]
    scf = [r for r in labels.load() if r.source_id not in heldout["seeclickfix"] and r.sentiment is not None]
    tweets, ratings = read_ground_truth(VADER_DIR / "tweets_GroundTruth.txt")
    return {
        "NHS development": ([c.text for c in nhs], [3.0 - float(c.sentiment or 3) for c in nhs], -1.0),
        "SeeClickFix development": ([r.text for r in scf], [float(r.sentiment or 0) for r in scf], -2.0),
        "VADER tweets": (tweets, ratings, -2.0),
    }


def _line(name: str, human: list[float], compounds: list[float], negative_at: float) -> str:
    r = pearson(compounds, human)
    negatives = [c for c, h in zip(compounds, human, strict=True) if h <= negative_at]
    scored_positive = sum(1 for c in negatives if c >= POSITIVE)
    r_text = f"{r:.4f}" if r is not None else "-"
    return f"  {name:<11} r {r_text}  clearly negative scored positive {scored_positive}/{len(negatives)}"


def main() -> int:
    raw = raw_vader()
    for name, (texts, human, negative_at) in development_sets().items():
        print(f"{name} ({len(texts)} texts)")
        print(_line("raw VADER", human, [c or 0.0 for c in raw(texts)], negative_at))
        scores = score_texts(texts, workers=1)
        print(_line("civicpulse", human, [s.compound or 0.0 for s in scores], negative_at))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
