"""Sentiment helpers: civicpulse's scorer beside raw VADER on the same human-rated texts.

A library for `evaluation/sentiment_heldout.py` (which `make eval` runs); it has no `run()` of its own.

Ground truth: VADER's 4,200 tweets, each rated by 10 people from -4 to +4 (Hutto & Gilbert 2014;
the published raw VADER correlation on them is r = 0.881). Figures:

* Pearson r of the compound score with the human mean rating;
* 3-class accuracy: the human class is positive above +0.5 and negative below -0.5 (an eighth of the
  scale either side of 0), else neutral; the scorers' class uses VADER's +/-0.05 compound thresholds.

civicpulse leaves non-English texts unscored; those count as compound 0 (neutral) in the figures,
so cleaning or language gating that loses texts shows as lost accuracy.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation import SHARED_REAL

HUMAN_NEUTRAL_BAND = 0.5
DATASETS = {"vader tweets (4,200)": SHARED_REAL / "vader" / "tweets_GroundTruth.txt"}


@dataclass(frozen=True)
class Figures:
    n: int
    pearson_r: float
    accuracy: float
    unscored: int


def read_ground_truth(path: Path) -> tuple[list[str], list[float]]:
    """Texts and human mean ratings of a VADER ground-truth file (id, mean, text; tab-separated)."""
    texts, ratings = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3 and parts[1].strip():
            ratings.append(float(parts[1]))
            texts.append(parts[2])
    return texts, ratings


def human_class(rating: float) -> str:
    if rating > HUMAN_NEUTRAL_BAND:
        return "positive"
    if rating < -HUMAN_NEUTRAL_BAND:
        return "negative"
    return "neutral"


def compound_class(compound: float) -> str:
    if compound >= 0.05:
        return "positive"
    if compound <= -0.05:
        return "negative"
    return "neutral"


def figures(ratings: list[float], compounds: list[float], unscored: int = 0) -> Figures:
    truth = [human_class(r) for r in ratings]
    predicted = [compound_class(c) for c in compounds]
    correct = sum(t == p for t, p in zip(truth, predicted, strict=True))
    return Figures(len(ratings), statistics.correlation(ratings, compounds), correct / len(ratings), unscored)


def compare(texts: list[str], ratings: list[float]) -> tuple[Figures, Figures]:
    """(raw VADER, civicpulse) figures on the same texts."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

    from transforms.sentiment import score_texts

    analyzer: Any = SentimentIntensityAnalyzer()
    raw = [float(analyzer.polarity_scores(text)["compound"]) for text in texts]
    scores = score_texts(texts)
    ours = [s.compound if s.compound is not None else 0.0 for s in scores]
    unscored = sum(1 for s in scores if s.compound is None)
    return figures(ratings, raw), figures(ratings, ours, unscored)
