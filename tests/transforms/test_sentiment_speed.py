"""bench.sentiment_speed: the bench's sentiment throughput figures (their shape, not their values)."""

from __future__ import annotations

from bench.sentiment_speed import measure, raw_vader, sentiment_throughput

TEXTS = [f"Visit {i}. The clerk was {'great' if i % 2 else 'rude'}!" for i in range(60)] * 2


def test_throughputs_count_distinct_texts_and_are_positive() -> None:
    timing = measure(TEXTS, 1)
    assert timing.texts == 60 and timing.wall_s > 0 and timing.per_wall_s > 0
    assert raw_vader(TEXTS).texts == 60
    assert sentiment_throughput(TEXTS, 2) > 0
