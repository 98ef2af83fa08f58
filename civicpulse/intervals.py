"""The 95% Wilson score interval of a proportion: `civicpulse themes eval` and the held-out evaluations
(evaluation/stats.py) print the same one. It stays inside [0, 1] and behaves at small counts."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """95% Wilson score interval of successes/trials; None when there are no trials."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)
