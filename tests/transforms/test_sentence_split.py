"""The rule splitter gives pysbd's sentences and sentences without a lexicon word score 0.0 without
VADER, so scores are those of the former scorer (pysbd only, VADER for every sentence).

The reference is the splitter as it was before the rule splitter (pysbd for every paragraph that
may hold several sentences), kept here; the comparison runs on every shared real text.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.real_texts import REAL_DIR, real_texts
from transforms.sentiment import _MAYBE_SEVERAL_SENTENCES, _Scorer, rule_split
from transforms.text_clean import clean_for_sentiment

pytestmark = pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"shared real data not found at {REAL_DIR}")


class _PysbdOnlyScorer(_Scorer):
    """The scorer as it was: pysbd for every candidate paragraph, VADER for every sentence."""

    def sentence_compound(self, sentence: str) -> float:
        return self.polarity(sentence)["compound"]

    def sentences(self, text: str) -> list[str]:
        if not _MAYBE_SEVERAL_SENTENCES.search(text):
            return [text]
        found: list[str] = []
        for paragraph in text.split("\n"):
            found.extend(s.strip() for s in self._segment(paragraph) if s.strip())
        return found or [text]


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, str]]:
    pairs = real_texts()
    assert len(pairs) > 9000
    return pairs


def test_rule_splitter_matches_pysbd_on_every_real_paragraph_it_accepts(texts: list[tuple[str, str]]) -> None:
    reference = _PysbdOnlyScorer()
    accepted = 0
    candidates = 0
    mismatches: list[tuple[str, list[str], list[str]]] = []
    for key, text in texts:
        for paragraph in clean_for_sentiment(text).split("\n"):
            if not _MAYBE_SEVERAL_SENTENCES.search(paragraph):
                continue
            candidates += 1
            parts = rule_split(paragraph)
            if parts is None:
                continue
            accepted += 1
            mismatches += _disagreement(key, parts, paragraph, reference)
    assert mismatches == []
    # the rule splitter must take a real share of pysbd's work, or it is not worth having
    assert accepted / candidates > 0.4


def _disagreement(
    label: str, parts: list[str], paragraph: str, reference: _PysbdOnlyScorer
) -> list[tuple[str, list[str], list[str]]]:
    """The rule splitter's and pysbd's sentences of one paragraph, when they differ."""
    ours = [s.strip() for s in parts if s.strip()]
    theirs = [s.strip() for s in reference._segment(paragraph) if s.strip()]
    return [] if ours == theirs else [(label, ours, theirs)]


def test_rule_splitter_matches_pysbd_on_mutated_real_texts(texts: list[tuple[str, str]]) -> None:
    """Beyond the real texts: 20,000 variants of them (words swapped, cased, punctuated and inserted)."""
    from transforms.vader_parity import mutated_texts

    reference = _PysbdOnlyScorer()
    accepted = 0
    mismatches: list[tuple[str, list[str], list[str]]] = []
    for text in mutated_texts([t for _, t in texts], 20_000, seed=7):
        for paragraph in clean_for_sentiment(text).split("\n"):
            parts = rule_split(paragraph) if _MAYBE_SEVERAL_SENTENCES.search(paragraph) else None
            if parts is None:
                continue
            accepted += 1
            mismatches += _disagreement(paragraph, parts, paragraph, reference)
    assert mismatches == []
    assert accepted > 2000


def test_scores_equal_the_pysbd_only_scorer_on_every_real_text(texts: list[tuple[str, str]]) -> None:
    fast, reference = _Scorer(), _PysbdOnlyScorer()
    differences: list[tuple[str, Any, Any]] = []
    for key, text in texts:
        ours, theirs = fast.score(text), reference.score(text)
        if ours != theirs:
            differences.append((key, ours, theirs))
    assert differences == []
    assert fast.pysbd_paragraphs < 0.6 * reference.pysbd_paragraphs


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Stupid rain. Stupid treadmill hell.", ["Stupid rain. ", "Stupid treadmill hell."]),
        ("Waited two hours! Nobody came?", ["Waited two hours! ", "Nobody came?"]),
        ("Fixed on Monday. 5 stars", ["Fixed on Monday. ", "5 stars"]),
        ("Fixed on the 3rd. Thanks", None),
        ("Call Dr. Smith about it.", None),  # abbreviation: pysbd decides
        ("ok... fine", None),  # ellipsis
        ("The bin (blue one) is gone. Again", None),  # brackets
        ("good friends. gratitude", ["good friends. ", "gratitude"]),  # pysbd splits there too
        ("Is it open? no idea", ["Is it open? ", "no idea"]),
        ("Great job! thanks. Bye", ["Great job! thanks. ", "Bye"]),  # '!' before lower case: no split
        ("Great job!! thanks", None),
        ("Great!!! Thanks", None),  # run of '!' inside the paragraph
    ],
)
def test_rule_splitter_domain(paragraph: str, expected: list[str] | None) -> None:
    assert rule_split(paragraph) == expected


def test_sentence_compound_equals_vader_on_every_real_sentence(texts: list[tuple[str, str]]) -> None:
    scorer = _Scorer()
    sentences = {s for _, text in texts for s in scorer.sentences(clean_for_sentiment(text)) if s}
    differing = [s for s in sentences if scorer.sentence_compound(s) != scorer.polarity(s)["compound"]]
    assert differing == []
    skipped = sum(1 for s in sentences if s.isascii() and scorer.polarity(s)["compound"] == 0.0)
    assert len(sentences) > 10000 and skipped > 1000
