"""Sentiment throughput: civicpulse's scorer against raw `vaderSentiment` on the same texts.

`sentiment_throughput(texts, workers)` is what the bench calls: texts per second of elapsed time
when civicpulse scores `texts` with `workers` processes. `measure` gives the elapsed and CPU
seconds behind it (CPU: this process plus the CPU time its workers report for their chunks; the
workers' one-off start-up is not in it), and `raw_vader` the same for plain
`SentimentIntensityAnalyzer.polarity_scores` in one process, the floor. On a busy shared machine
compare CPU seconds for one process and elapsed seconds for the gain of more workers.

`python -m bench.sentiment_speed` prints both on the shared real texts (../shared/data/real/).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Timing", "measure", "raw_vader", "sentiment_throughput"]


@dataclass(frozen=True)
class Timing:
    texts: int
    wall_s: float
    cpu_s: float

    @property
    def per_wall_s(self) -> float:
        return self.texts / self.wall_s if self.wall_s > 0 else float("inf")

    @property
    def per_cpu_s(self) -> float:
        return self.texts / self.cpu_s if self.cpu_s > 0 else float("inf")


def _cpu() -> float:
    from transforms import sentiment

    times = os.times()
    return times.user + times.system + sentiment.worker_cpu_seconds


def _timed(texts: Sequence[str], run: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), _cpu()
    run()
    return Timing(len(texts), time.perf_counter() - wall, _cpu() - cpu)


def measure(texts: Sequence[str], workers: int = 1) -> Timing:
    """Time civicpulse's `score_texts` over `texts` (distinct texts: it scores each text once)."""
    from transforms.sentiment import score_texts

    unique = list(dict.fromkeys(texts))
    score_texts(unique[:20], workers=1)  # the analyzer's start-up is not per text
    return _timed(unique, lambda: score_texts(unique, workers=workers))


def raw_vader(texts: Sequence[str]) -> Timing:
    """Time plain `vaderSentiment` over the distinct `texts` in this process."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

    analyzer = SentimentIntensityAnalyzer()
    unique = list(dict.fromkeys(texts))
    return _timed(unique, lambda: [analyzer.polarity_scores(t) for t in unique])


def sentiment_throughput(texts: Sequence[str], workers: int) -> float:
    """Distinct texts civicpulse scores per elapsed second with `workers` processes."""
    return measure(texts, workers).per_wall_s


def main(argv: Sequence[str]) -> int:
    from bench.real_texts import REAL_DIR, real_texts

    texts = [text for _, text in real_texts()]
    if not texts:
        print(f"no shared real texts in {REAL_DIR}", file=sys.stderr)
        return 1
    repeat = int(argv[0]) if argv else 3
    rows: list[tuple[str, Timing]] = []
    for _ in range(repeat):
        rows.append(("raw vaderSentiment", raw_vader(texts)))
        rows.append(("civicpulse, 1 process", measure(texts, 1)))
        rows.append(("civicpulse, 2 workers", measure(texts, 2)))
    print(f"{len(set(texts)):,} distinct real texts, best of {repeat}")
    for name in dict.fromkeys(name for name, _ in rows):
        best_cpu = max(t.per_cpu_s for n, t in rows if n == name)
        best_wall = max(t.per_wall_s for n, t in rows if n == name)
        print(f"{name:24} {best_cpu:9,.0f} texts/CPU-s {best_wall:9,.0f} texts/s elapsed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
