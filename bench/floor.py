"""The VADER floor: raw vaderSentiment, one process, polarity_scores over every text of a JSON list.

python -m bench.floor texts.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]


def main() -> None:
    texts: list[str] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    analyzer = SentimentIntensityAnalyzer()
    total = 0.0
    for text in texts:
        total += analyzer.polarity_scores(text)["compound"]
    print(f"floor: {len(texts):,} texts, mean compound {total / max(1, len(texts)):.4f}")


if __name__ == "__main__":
    main()
