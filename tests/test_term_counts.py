"""A tf-idf vectorizer counting through `TermCounts` builds exactly scikit-learn's vocabulary and matrices
on real texts, fitted on SeeClickFix requests and applied to NHS comments."""

from __future__ import annotations

import csv
import json
from typing import Any

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from civicpulse.term_counts import TermCounts, _first_occurrences, counted_tfidf
from tests.conftest import SHARED_REAL

OPEN311 = SHARED_REAL / "open311" / "seeclickfix_atlanta_resident_text_development.jsonl"
NHS = SHARED_REAL / "nhs_patient_feedback" / "nhft.csv"


def _texts() -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in OPEN311.read_text(encoding="utf-8").splitlines()]
    requests = [f"{r['summary']} {r['description'] or ''}".lower() for r in rows]
    with NHS.open(encoding="utf-8", newline="") as handle:
        comments = [r["FFT answer"].lower() for r in csv.DictReader(handle)][:800]
    return requests, comments


def _same(ours: Any, theirs: Any) -> None:
    assert ours.shape == theirs.shape
    assert (ours.indptr == theirs.indptr).all() and (ours.indices == theirs.indices).all()
    assert ours.data.tobytes() == theirs.data.tobytes()


@pytest.mark.parametrize(
    "settings",
    [
        {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": True, "token_pattern": r"(?u)\b\w+\b"},
        {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "min_df": 2},
        {"analyzer": "word", "token_pattern": r"(?u)\b\w+\b", "max_df": 0.2, "min_df": 0.004},
    ],
    ids=["words", "chars", "words-df-shares"],
)
def test_counted_vectorizer_equals_sklearns(settings: dict[str, Any]) -> None:
    requests, comments = _texts()
    reference = TfidfVectorizer(**settings)
    counts = TermCounts(reference.build_analyzer())
    kept = {k: v for k, v in settings.items() if k in ("sublinear_tf", "min_df", "max_df")}
    # Twice over overlapping halves, as cross-validation folds share texts, then the whole.
    for part in (requests[:600], requests[400:], requests):
        ours, theirs = counted_tfidf(counts, **kept), TfidfVectorizer(**settings)
        _same(ours.fit_transform(part), theirs.fit_transform(part))
        assert ours.vocabulary_ == theirs.vocabulary_
        assert list(ours.vocabulary_) == list(theirs.vocabulary_)
        _same(ours.transform(comments + part[:50]), theirs.transform(comments + part[:50]))


def test_counted_vectorizer_with_a_given_vocabulary_equals_sklearns() -> None:
    requests, comments = _texts()
    vocabulary = {"pothole": 0, "street light": 1, "trash": 2, "never seen here": 3}
    reference = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), vocabulary=vocabulary)
    ours = counted_tfidf(TermCounts(reference.build_analyzer()), vocabulary=vocabulary)
    _same(ours.fit_transform(requests), reference.fit_transform(requests))
    _same(ours.transform(comments), reference.transform(comments))


@pytest.mark.parametrize("ids", [[], [3], [2, 0, 2, 5, 0, 1, 5, 5], list(range(9, -1, -1)) * 3])
def test_first_occurrences_are_nps_first_indices(ids: list[int]) -> None:
    array = np.array(ids, dtype=np.int64)
    _, first = np.unique(array, return_index=True)
    expected = np.zeros(len(ids), dtype=bool)
    expected[first] = True
    assert (_first_occurrences(array, 10) == expected).all()
