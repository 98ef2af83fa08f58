"""split_paragraph (the scorer's rule splitter) against pysbd, the splitter it replaced.

Every shared real text is scored by the current scorer and by the scorer as it was (pysbd for every
paragraph that may hold several sentences); every text whose scores differ must be in the reviewed
list tests/data/sentence_split_differences.tsv with its reason, and every listed text must still
differ (`python -m bench.split_differences --write` rewrites the list after a reviewed change).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bench.real_texts import REAL_DIR, real_texts
from bench.split_differences import differences, listed
from transforms.sentiment import _Scorer, split_paragraph
from transforms.text_clean import clean_for_sentiment

pytestmark = pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"shared real data not found at {REAL_DIR}")


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, str]]:
    pairs = real_texts()
    assert len(pairs) > 9000
    return pairs


def test_every_real_text_scored_differently_from_pysbd_is_listed_with_a_reason(
    texts: list[tuple[str, str]],
) -> None:
    found = {d.text_id for d in differences(texts)}
    reviewed = listed()
    assert all(d.reason and d.where for d in reviewed)
    assert sorted(found - {d.text_id for d in reviewed}) == []  # new differences: review and list them
    assert sorted({d.text_id for d in reviewed} - found) == []  # listed but no longer different
    # the list stays small: under 2% of the real texts
    assert len(reviewed) < 0.02 * len(texts)


def test_listed_differences_leave_labels_unchanged(texts: list[tuple[str, str]]) -> None:
    from bench.split_differences import PysbdScorer

    by_id = dict(texts)
    ours, reference = _Scorer(), PysbdScorer()
    changed = [
        d.text_id
        for d in listed()
        if ours.score(by_id[d.text_id]).label != reference.score(by_id[d.text_id]).label
    ]
    assert changed == []


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Stupid rain. Stupid treadmill hell.", ["Stupid rain. ", "Stupid treadmill hell."]),
        ("Waited two hours! Nobody came?", ["Waited two hours! ", "Nobody came?"]),
        ("Fixed on Monday. 5 stars", ["Fixed on Monday. ", "5 stars"]),
        ("good friends. gratitude", ["good friends. ", "gratitude"]),
        ("Is it open? no idea", ["Is it open? ", "no idea"]),
        ("Great job! thanks. Bye", ["Great job! thanks. ", "Bye"]),  # '!' before lower case: no break
        ("Great job!! thanks", ["Great job!! ", "thanks"]),
        ("Great!!! Thanks", ["Great!!! Thanks"]),  # run of three: pysbd does not break
        ("Call Dr. Smith about it.", ["Call Dr. Smith about it."]),  # prepositive abbreviation
        ("Go to No. 5 now", ["Go to No. 5 now"]),
        ("We went in Jan. and it was shut", ["We went in Jan. and it was shut"]),
        ("It was on Cascade Rd. There is a hole", ["It was on Cascade Rd. ", "There is a hole"]),
        ("Joseph E. Boone Blvd is closed", ["Joseph E. Boone Blvd is closed"]),  # initial
        ("The U.S. Postal Service", ["The U.S. Postal Service"]),
        ("Closed at 5 p.m. It was 4:55", ["Closed at 5 p.m. ", "It was 4:55"]),
        ("Good to me. I felt cared for.", ["Good to me. I felt cared for."]),  # "me" is pysbd's abbreviation
        ("fun... but then", ["fun... but then"]),
        ("fun... Then rain", ["fun... ", "Then rain"]),
        ('He said "hi there. I am ok." Then left', ['He said "hi there. I am ok." ', "Then left"]),
        ("ha (so funny. really) ok", ["ha (so funny. really) ok"]),
        ("I love this feeling. :D", ["I love this feeling. ", ":D"]),
        ("1. Nothing gets done. 2. Nobody calls", ["1. Nothing gets done. ", "2. Nobody calls"]),
    ],
)
def test_split_paragraph_follows_pysbd_rules(paragraph: str, expected: list[str]) -> None:
    assert split_paragraph(paragraph) == expected


def test_split_paragraph_agrees_with_pysbd_on_most_real_paragraphs(texts: list[tuple[str, str]]) -> None:
    import pysbd  # type: ignore[import-untyped]

    segmenter = pysbd.Segmenter(language="en", clean=False)
    paragraphs = {
        p for _, text in texts for p in clean_for_sentiment(text).split("\n") if ". " in p or "! " in p
    }
    agree = sum(
        1
        for p in paragraphs
        if [s.strip() for s in split_paragraph(p) if s.strip()]
        == [s.strip() for s in segmenter.segment(p) if s.strip()]
    )
    assert len(paragraphs) > 2000 and agree / len(paragraphs) > 0.95


def test_sentence_compound_equals_vader_on_every_real_sentence(texts: list[tuple[str, str]]) -> None:
    scorer = _Scorer()
    sentences = {s for _, text in texts for s in scorer.sentences(clean_for_sentiment(text)) if s}
    differing = [s for s in sentences if scorer.sentence_compound(s) != scorer.polarity(s)["compound"]]
    assert differing == []
    assert len(sentences) > 10000


def test_worst_sentence_equals_scoring_every_sentence_on_every_real_text(
    texts: list[tuple[str, str]],
) -> None:
    """Sentences that cannot score below 0 are not scored; the most negative sentence (when there is
    one) and the scores stay those of scoring every sentence."""

    class EverySentence(_Scorer):
        def worst_sentence(self, sentences: Sequence[str]) -> tuple[int, float]:
            compounds = [self.polarity(s)["compound"] for s in sentences]
            index = min(range(len(sentences)), key=compounds.__getitem__)
            return index, compounds[index]

    ours, reference = _Scorer(), EverySentence()
    differing = [key for key, text in texts if ours.score(text) != reference.score(text)]
    assert differing == []
    sentences = [s for _, text in texts for s in ours.sentences(clean_for_sentiment(text))]
    ruled_out = [s for s in sentences if not ours._may_be_negative(s)]
    assert all(ours.polarity(s)["compound"] >= 0 for s in ruled_out)
    assert len(ruled_out) > 0.3 * len(sentences)


def test_sentences_ruled_out_never_score_below_zero_on_mutated_real_texts(
    texts: list[tuple[str, str]],
) -> None:
    """20,000 variants of the real texts (words swapped, cased, punctuated, inserted)."""
    from transforms.vader_parity import mutated_texts

    scorer = _Scorer()
    ruled_out = [
        s
        for text in mutated_texts([t for _, t in texts], 20_000, seed=11)
        for s in scorer.sentences(clean_for_sentiment(text))
        if not scorer._may_be_negative(s)
    ]
    assert [s for s in ruled_out if scorer.polarity(s)["compound"] < 0] == []
    assert len(ruled_out) > 5_000
