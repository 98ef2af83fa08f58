"""Interval estimates for the held-out figures: Wilson intervals for proportions, bootstrap for F1.

Precision and recall are proportions (tp of predicted, tp of labelled), so each gets a 95% Wilson score
interval, which stays inside [0, 1] and behaves at small counts. F1 is not a proportion: its 95%
interval is a percentile bootstrap over texts (texts drawn with replacement, `BOOTSTRAP_REPS` times,
a fixed seed so the printed figures are reproducible), which keeps the dependence of one text's
decisions on several themes.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from civicpulse.intervals import wilson

__all__ = ["BOOTSTRAP_REPS", "BOOTSTRAP_SEED", "Counts", "bootstrap_f1", "f1", "pearson", "wilson"]

BOOTSTRAP_REPS = 1000
BOOTSTRAP_SEED = 20261201


@dataclass(frozen=True)
class Counts:
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        return f1(self.tp, self.fp, self.fn)


def f1(tp: int, fp: int, fn: int) -> float | None:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None


def bootstrap_f1(
    per_text: Mapping[str, Sequence[tuple[int, int, int]]],
    reps: int = BOOTSTRAP_REPS,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, tuple[float, float] | None]:
    """95% percentile bootstrap intervals of F1, one per key of `per_text`.

    `per_text[key][i]` is text i's (tp, fp, fn) for that key (a theme, or all themes for micro F1);
    every key is resampled with the same draws of texts. None for a key whose counts are all zero.
    """
    sizes = {len(rows) for rows in per_text.values()}
    if len(sizes) > 1:
        raise ValueError("every key needs one (tp, fp, fn) per text")
    n = sizes.pop() if sizes else 0
    informative = {
        key: [(i, counts) for i, counts in enumerate(rows) if any(counts)] for key, rows in per_text.items()
    }
    values: dict[str, list[float]] = {key: [] for key in per_text}
    rng = random.Random(seed)
    for _ in range(reps if n else 0):
        drawn = Counter(rng.randrange(n) for _ in range(n))
        for key, rows in informative.items():
            tp = fp = fn = 0
            for i, (a, b, c) in rows:
                times = drawn.get(i, 0)
                if times:
                    tp, fp, fn = tp + times * a, fp + times * b, fn + times * c
            value = f1(tp, fp, fn)
            values[key].append(0.0 if value is None else value)
    intervals: dict[str, tuple[float, float] | None] = {}
    for key, found in values.items():
        if not informative[key] or not found:
            intervals[key] = None
            continue
        found.sort()
        intervals[key] = (found[int(0.025 * (len(found) - 1))], found[math.ceil(0.975 * (len(found) - 1))])
    return intervals


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 3:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else None
