"""Sentiment throughput: civicpulse's scorer against raw `vaderSentiment` on the same texts.

Three separate figures, so that start-up never hides in a throughput:

* steady throughput per process (`measure(texts, 1)`, `raw_vader(texts)`): distinct texts per CPU
  second of an already warm scorer (analyzer, segmenter and language profiles built outside the
  clock), civicpulse and raw `SentimentIntensityAnalyzer.polarity_scores` over the same texts. CPU
  seconds stay steady on a shared machine, where elapsed seconds measure the neighbours.
* workers (`measure(texts, 2)`): the same texts spread over forked workers. Its `critical_cpu_s` is
  the CPU seconds of this process plus those of the busiest worker: how long the batch takes when
  every process has a core of its own, the elapsed time minus the waiting for a busy machine. It
  includes forking the pool, shipping the texts and results and any imbalance between workers.
* start-up (`startup()`): importing the scorer and warming it in a fresh interpreter, which a run
  pays once per process (workers forked from a warm process do not pay it again).

`sentiment_throughput(texts, workers)` is what `python -m bench` calls: texts per critical CPU
second (for one process, its CPU seconds). `python -m bench.sentiment_speed [repeat]` prints every
figure on the shared real texts (../shared/data/real/), interleaved repetitions, min and median.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Timing", "measure", "raw_vader", "sentiment_throughput", "startup"]


@dataclass(frozen=True)
class Timing:
    texts: int
    wall_s: float
    cpu_s: float
    critical_cpu_s: float  # this process's CPU plus the busiest worker's (= cpu_s in one process)

    @property
    def per_wall_s(self) -> float:
        return self.texts / self.wall_s if self.wall_s > 0 else float("inf")

    @property
    def per_cpu_s(self) -> float:
        return self.texts / self.cpu_s if self.cpu_s > 0 else float("inf")

    @property
    def per_critical_s(self) -> float:
        return self.texts / self.critical_cpu_s if self.critical_cpu_s > 0 else float("inf")


def _own_cpu() -> float:
    # Not os.times(): it counts in 10 ms ticks, a few percent of a batch that takes 0.3-0.5 CPU-s.
    return time.process_time()


def _timed(texts: Sequence[str], run: Callable[[], object]) -> Timing:
    from transforms import sentiment

    sentiment.worker_cpu_by_pid.clear()
    wall, cpu, workers_cpu = time.perf_counter(), _own_cpu(), sentiment.worker_cpu_seconds
    run()
    own = _own_cpu() - cpu
    busiest = max(sentiment.worker_cpu_by_pid.values(), default=0.0)
    total = own + sentiment.worker_cpu_seconds - workers_cpu
    return Timing(len(texts), time.perf_counter() - wall, total, own + busiest)


def measure(texts: Sequence[str], workers: int = 1) -> Timing:
    """Time civicpulse's `score_texts` over the distinct `texts` with a warm scorer."""
    from transforms.sentiment import score_texts, warm

    unique = list(dict.fromkeys(texts))
    warm()
    score_texts(unique[:20], workers=1)
    return _timed(unique, lambda: score_texts(unique, workers=workers))


def raw_vader(texts: Sequence[str]) -> Timing:
    """Time plain `vaderSentiment` over the distinct `texts` in this process (analyzer built first)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

    analyzer = SentimentIntensityAnalyzer()
    unique = list(dict.fromkeys(texts))
    return _timed(unique, lambda: [analyzer.polarity_scores(t) for t in unique])


def startup() -> Timing:
    """CPU and elapsed seconds of a fresh interpreter that imports the scorer and warms it."""
    code = "from transforms.sentiment import warm; warm()"
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    before = os.times()
    wall = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=root)
    elapsed = time.perf_counter() - wall
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Timing(0, elapsed, cpu, cpu)


def sentiment_throughput(texts: Sequence[str], workers: int) -> float:
    """Distinct texts civicpulse scores per critical CPU second with `workers` processes."""
    return measure(texts, workers).per_critical_s


def _summary(name: str, values: list[float], unit: str) -> str:
    return f"{name:34} min {min(values):9,.2f}  median {statistics.median(values):9,.2f} {unit}"


def main(argv: Sequence[str]) -> int:
    import argparse

    from bench.real_texts import REAL_DIR, real_texts

    parser = argparse.ArgumentParser(
        prog="python -m bench.sentiment_speed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("repeat", nargs="?", type=int, default=3, help="interleaved repetitions (default 3)")
    repeat = parser.parse_args(argv).repeat
    texts = [text for _, text in real_texts()]
    if not texts:
        print(f"no shared real texts in {REAL_DIR}", file=sys.stderr)
        return 1
    runs: dict[str, list[Timing]] = {"raw": [], "one": [], "two": [], "startup": []}
    for _ in range(repeat):
        runs["raw"].append(raw_vader(texts))
        runs["one"].append(measure(texts, 1))
        runs["two"].append(measure(texts, 2))
        runs["startup"].append(startup())
    print(f"{len(set(texts)):,} distinct real texts, {repeat} interleaved repetitions")
    raw = [t.per_cpu_s for t in runs["raw"]]
    one = [t.per_cpu_s for t in runs["one"]]
    two = [t.per_critical_s for t in runs["two"]]
    print(_summary("raw vaderSentiment, 1 process", raw, "texts/CPU-s"))
    print(_summary("civicpulse, 1 process", one, "texts/CPU-s"))
    print(_summary("civicpulse, 2 workers", two, "texts/critical CPU-s"))
    print(_summary("civicpulse, 2 workers, elapsed", [t.per_wall_s for t in runs["two"]], "texts/s"))
    print(_summary("civicpulse, 1 process, elapsed", [t.per_wall_s for t in runs["one"]], "texts/s"))
    print(_summary("start-up (import + warm)", [t.cpu_s for t in runs["startup"]], "CPU-s"))
    best_raw = max(raw)
    print(
        f"ratio to raw VADER (best of each): 1 process {max(one) / best_raw:.2f}, "
        f"2 workers {max(two) / best_raw:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
