"""Every shared real text scores exactly as recorded: each SentimentScore field, bit for bit, for each set
of texts (VADER's tweets, NHS comments, NYC 311 texts, SeeClickFix reports), in one process and over
two workers. The digests in tests/data/sentiment_real_digests.json were recorded with the scorer as
it was before the speed-ups that rely on them (main 25fc422) and belong to `SCORER_VERSION`: a
change that is meant to move scores bumps the version and records new digests with
`python -m tests.transforms.test_sentiment_parity --write`."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from bench.real_texts import REAL_DIR, real_texts
from transforms.sentiment import SCORER_VERSION, SentimentScore, score_texts

DIGESTS = Path(__file__).resolve().parents[1] / "data" / "sentiment_real_digests.json"

needs_real = pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"shared real data not found at {REAL_DIR}")


def digests(
    texts: Sequence[tuple[str, str]], scores: Sequence[SentimentScore]
) -> dict[str, dict[str, object]]:
    """Per set (the id's prefix): how many texts and the SHA-256 of each text with the repr of its score."""
    hashes: dict[str, hashlib._Hash] = {}
    counts: dict[str, int] = {}
    for (text_id, text), score in zip(texts, scores, strict=True):
        name = text_id.split(":", 1)[0]
        hashes.setdefault(name, hashlib.sha256()).update(repr((text, score)).encode("utf-8", "surrogatepass"))
        counts[name] = counts.get(name, 0) + 1
    return {name: {"texts": counts[name], "sha256": hashes[name].hexdigest()} for name in sorted(hashes)}


def _recorded() -> dict[str, object]:
    recorded: dict[str, object] = json.loads(DIGESTS.read_text(encoding="utf-8"))
    return recorded


@needs_real
@pytest.mark.parametrize("workers", [1, 2])
def test_every_shared_real_text_scores_as_recorded(workers: int) -> None:
    recorded = _recorded()
    assert recorded["scorer_version"] == SCORER_VERSION
    texts = real_texts()
    assert len(texts) > 9_000
    assert digests(texts, score_texts([text for _, text in texts], workers=workers)) == recorded["sets"]


def main(argv: Sequence[str]) -> int:
    if argv != ["--write"]:
        print("usage: python -m tests.transforms.test_sentiment_parity --write", file=sys.stderr)
        return 2
    texts = real_texts()
    sets = digests(texts, score_texts([text for _, text in texts], workers=1))
    DIGESTS.write_text(json.dumps({"scorer_version": SCORER_VERSION, "sets": sets}, indent=2) + "\n")
    print(f"wrote {DIGESTS}: {sets}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
