"""Sentiment throughput in this process: civicpulse's scorer (transforms.sentiment.score_texts) and raw
VADER over the same texts. Replaceable by bench/sentiment_speed.py's function of the same signature."""

from __future__ import annotations

import time
from collections.abc import Sequence

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]


def sentiment_throughput(texts: Sequence[str], workers: int) -> float:
    """Distinct texts per wall second through civicpulse's public scorer with `workers` processes."""
    from transforms.sentiment import score_texts

    distinct = list(dict.fromkeys(texts))
    score_texts(distinct[:200], workers=1)  # analyzer, segmenter and language models load outside the clock
    started = time.perf_counter()
    score_texts(distinct, workers=workers)
    return len(distinct) / (time.perf_counter() - started)


def vader_throughput(texts: Sequence[str]) -> float:
    """Distinct texts per wall second through one raw vaderSentiment analyzer (created outside the clock,
    as civicpulse's in-process scorer keeps its own)."""
    distinct = list(dict.fromkeys(texts))
    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    for text in distinct:
        analyzer.polarity_scores(text)
    return len(distinct) / (time.perf_counter() - started)
