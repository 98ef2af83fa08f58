"""Redaction gives exactly the recorded output on every shared real text and every text of the PII
corpus (evaluation/pii_corpus.py: the same real texts with planted values, Spanish addresses among them).
The digests in tests/data/redaction_real_digests.json were recorded with `transforms.privacy` as it was
before its Spanish street words were matched as whole words (main 33bfcbd; the corpus's dates of birth
are drawn between fixed dates since); a change that is meant to
move redaction records new ones with `python -m tests.transforms.test_privacy_parity --write`."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from bench.real_texts import REAL_DIR, real_texts
from evaluation.pii_corpus import generate
from transforms.privacy import redact

DIGESTS = Path(__file__).resolve().parents[1] / "data" / "redaction_real_digests.json"


def _texts() -> list[tuple[str, str]]:
    return [*real_texts(), *((f"pii_corpus:{t.id}", t.text) for t in generate())]


def digests(texts: Sequence[tuple[str, str]]) -> dict[str, dict[str, object]]:
    """Per set (the id's prefix): how many texts and the SHA-256 of each text with its redaction."""
    hashes: dict[str, hashlib._Hash] = {}
    counts: dict[str, int] = {}
    for text_id, text in texts:
        name = text_id.split(":", 1)[0]
        hashes.setdefault(name, hashlib.sha256()).update(
            repr((text, redact(text))).encode("utf-8", "surrogatepass")
        )
        counts[name] = counts.get(name, 0) + 1
    return {name: {"texts": counts[name], "sha256": hashes[name].hexdigest()} for name in sorted(hashes)}


@pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"shared real data not found at {REAL_DIR}")
def test_every_shared_real_text_redacts_as_recorded() -> None:
    texts = _texts()
    assert len(texts) > 17_000
    assert digests(texts) == json.loads(DIGESTS.read_text(encoding="utf-8"))


def main(argv: Sequence[str]) -> int:
    if argv != ["--write"]:
        print("usage: python -m tests.transforms.test_privacy_parity --write", file=sys.stderr)
        return 2
    sets = digests(_texts())
    DIGESTS.write_text(json.dumps(sets, indent=2) + "\n")
    print(f"wrote {DIGESTS}: {sets}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
