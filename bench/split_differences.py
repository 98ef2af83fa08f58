"""Where civicpulse's sentence splitter and pysbd disagree on the shared real texts, and why.

`transforms.sentiment.split_paragraph` replaced pysbd in the scoring path (pysbd was about 40% of
scoring time). It follows pysbd's English rules; where the two still split a real text differently,
the text's scores differ (mostly only `sentence_count`), and the text must be listed in
`DIFFERENCES_PATH` (tab-separated: text id, the first place where the splits differ, the reason).
tests/transforms/test_sentence_split.py fails when a text's scores differ and it is not listed, or
a listed text no longer differs.

`python -m bench.split_differences` prints the differences and a count per reason;
`python -m bench.split_differences --write` rewrites the list (review the diff before committing).
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DIFFERENCES_PATH", "Difference", "PysbdScorer", "differences", "listed", "main"]

DIFFERENCES_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "sentence_split_differences.tsv"

_ELLIPSIS_FRAGMENT = re.compile(r"[.!?]+|\..*|.*(?<!\.)\.\.")


@dataclass(frozen=True)
class Difference:
    text_id: str
    where: str  # a few characters around the first stop the two splitters treat differently
    reason: str


def _reference_class() -> type:
    import pysbd  # type: ignore[import-untyped]

    from transforms.sentiment import _maybe_several_sentences, _Scorer

    class PysbdScorer(_Scorer):
        """The scorer as it was before split_paragraph: pysbd for every candidate paragraph."""

        def __init__(self) -> None:
            super().__init__()
            self._segmenter: Any = pysbd.Segmenter(language="en", clean=False)

        def sentences(self, text: str) -> list[str]:
            if not _maybe_several_sentences(text):
                return [text]
            found: list[str] = []
            for paragraph in text.split("\n"):
                found.extend(s.strip() for s in self._segmenter.segment(paragraph) if s.strip())
            return found or [text]

    return PysbdScorer


def PysbdScorer() -> Any:
    """The pysbd-only scorer (a function, so that pysbd is imported only when it is used)."""
    return _reference_class()()


def _first_divergence(ours: Sequence[str], theirs: Sequence[str]) -> tuple[str, bool]:
    """The text around the first stop where the sentence lists part, and whether pysbd breaks there."""
    joined = " ".join(ours)
    position = 0
    for mine, other in zip(ours, theirs, strict=False):
        if mine != other:
            pysbd_breaks = len(other) < len(mine)
            cut = position + min(len(mine), len(other))
            return " ".join(joined[max(0, cut - 18) : cut + 14].split()), pysbd_breaks
        position += len(mine) + 1
    return " ".join(joined[-30:].split()), len(theirs) > len(ours)


def _reason(where: str, theirs: Sequence[str], pysbd_breaks: bool) -> str:
    if any(_ELLIPSIS_FRAGMENT.fullmatch(s) for s in theirs):
        return "pysbd cuts an ellipsis into fragments ('..' and '.'); split_paragraph keeps it one stop"
    if "..." in where or ".." in where:
        return "ellipsis: split_paragraph breaks only before a capital after it, pysbd is inconsistent"
    if re.search(r"[!?]{3,}", where):
        return "run of '!'/'?': pysbd breaks after some runs and not others; split_paragraph never inside 3+"
    if '"' in where or "(" in where or ")" in where:
        return (
            "quotation or parenthesis: pysbd's handling varies; split_paragraph keeps an enclosed span whole"
        )
    if re.search(r"\b\d+\.\s", where) or re.search(r"\d\.\d", where):
        return "number before a stop: pysbd takes a list item or decimal, split_paragraph a sentence end"
    if re.search(r"\b[A-Za-z]{1,4}\.(\s|&|$)", where):
        return "abbreviation: pysbd breaks before '&' or an emoticon after one, split_paragraph does not"
    if pysbd_breaks:
        return "pysbd breaks where its own rules, as split_paragraph applies them, would not"
    return "pysbd keeps going where its own rules, as split_paragraph applies them, would break"


def differences(texts: Iterable[tuple[str, str]]) -> list[Difference]:
    """Texts whose scores differ between civicpulse's scorer and the pysbd-only scorer."""
    from transforms.sentiment import _Scorer
    from transforms.text_clean import clean_for_sentiment

    ours, reference = _Scorer(), PysbdScorer()
    found: list[Difference] = []
    for text_id, text in texts:
        if ours.score(text) == reference.score(text):
            continue
        cleaned = clean_for_sentiment(text)
        mine, theirs = ours.sentences(cleaned), reference.sentences(cleaned)
        where, pysbd_breaks = _first_divergence(mine, theirs)
        found.append(Difference(text_id, where, _reason(where, theirs, pysbd_breaks)))
    return found


def listed(path: Path = DIFFERENCES_PATH) -> list[Difference]:
    """The committed list of reviewed differences."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows)
        return [Difference(*row) for row in rows]


def _write(found: Sequence[Difference], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["text_id", "where", "reason"])
        writer.writerows([d.text_id, d.where, d.reason] for d in found)


def main(argv: Sequence[str]) -> int:
    from bench.real_texts import REAL_DIR, real_texts

    pairs = real_texts()
    if not pairs:
        print(f"no shared real texts in {REAL_DIR}", file=sys.stderr)
        return 1
    found = differences(pairs)
    for reason, count in Counter(d.reason for d in found).most_common():
        print(f"{count:5} {reason}")
    print(f"{len(found)} of {len(pairs)} real texts score differently from the pysbd-only scorer")
    if "--write" in argv:
        _write(found, DIFFERENCES_PATH)
        print(f"written: {DIFFERENCES_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
