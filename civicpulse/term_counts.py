"""Tf-idf vectorizers that count each text's n-grams once for many fits over the same texts.

The service classifier (`civicpulse.service_inference`) fits six times on one set of texts (five
out-of-fold fits and the final one); scikit-learn's `CountVectorizer._count_vocab` analyses and counts
every text again at each, in Python, per n-gram. `TermCounts` analyses and counts a text once (its
distinct n-grams in order of first appearance, as ids shared by all fits, and their counts) and
`counted_tfidf` gives a `TfidfVectorizer` whose `_count_vocab` assembles the count matrix from those
with numpy: the same vocabulary, numbered in the same order of first appearance, and the same
matrix, so everything downstream is identical (tests/test_service_inference_parity.py).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

Analyzer = Callable[[str], list[str]]
Counts = tuple[NDArray[np.int64], NDArray[np.intc]]


class TermCounts:
    """An analyzer's n-grams of each text seen, counted once; every n-gram has one id here."""

    def __init__(self, analyze: Analyzer) -> None:
        self.analyze = analyze
        self.ids: dict[str, int] = {}
        self._texts: dict[str, Counts] = {}

    def __call__(self, text: str) -> list[str]:
        """The analyzer itself (scikit-learn requires a callable analyzer)."""
        return self.analyze(text)

    def __deepcopy__(self, memo: dict[int, Any]) -> TermCounts:
        # scikit-learn's clone deep-copies parameters; every clone must share the counts.
        return self

    def counts(self, text: str) -> Counts:
        """The ids of the text's distinct n-grams in order of first appearance, and their counts."""
        found = self._texts.get(text)
        if found is None:
            counter = Counter(self.analyze(text))  # in order of first appearance, as a dict is
            ids = self.ids
            new = [term for term in counter if term not in ids]
            ids.update(zip(new, range(len(ids), len(ids) + len(new)), strict=True))
            found = (
                np.fromiter(map(ids.__getitem__, counter), np.int64, len(counter)),
                np.fromiter(counter.values(), np.intc, len(counter)),
            )
            self._texts[text] = found
        return found

    @property
    def terms(self) -> list[str]:
        """Every n-gram seen, by id."""
        return list(self.ids)


def _count_matrix(
    counts: TermCounts, documents: Iterable[str], vocabulary: Mapping[str, int] | None
) -> tuple[dict[str, int], Any, list[int]]:
    """(vocabulary, (values, columns, indptr)) as `CountVectorizer._count_vocab` builds them: with
    no `vocabulary`, a new one numbered in order of first appearance in the documents."""
    rows = [counts.counts(document) for document in documents]
    lengths = np.array([len(ids) for ids, _ in rows], dtype=np.int64)
    ids = np.concatenate([ids for ids, _ in rows]) if rows else np.zeros(0, np.int64)
    values = np.concatenate([row for _, row in rows]) if rows else np.zeros(0, np.intc)
    column = np.full(len(counts.ids), -1, dtype=np.int64)
    if vocabulary is None:
        terms = counts.terms
        in_order = ids[_first_occurrences(ids, len(counts.ids))]
        column[in_order] = np.arange(len(in_order))
        found = {terms[i]: index for index, i in enumerate(in_order.tolist())}
        if not found:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    else:
        found = dict(vocabulary)
        column[[counts.ids[term] for term in found]] = list(found.values())
    columns = column[ids]
    kept = columns >= 0
    per_row = np.bincount(np.repeat(np.arange(len(rows)), lengths)[kept], minlength=len(rows))
    indptr = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int32)
    return found, (values[kept], columns[kept].astype(np.int32), indptr), [len(rows), len(found)]


def _first_occurrences(ids: NDArray[np.int64], size: int) -> NDArray[np.bool_]:
    """Which positions of `ids` (each below `size`) hold an id's first occurrence: linear, where
    np.unique's sort of every position cost a third of a build's counting."""
    first = np.full(size, len(ids), dtype=np.int64)
    np.minimum.at(first, ids, np.arange(len(ids), dtype=np.int64))
    marked = np.zeros(len(ids), dtype=np.bool_)
    marked[first[first < len(ids)]] = True
    return marked


def counted_tfidf(counts: TermCounts, **settings: Any) -> Any:
    """A `TfidfVectorizer(analyzer=counts, **settings)` counting through `counts`."""
    return _vectorizer_class()(analyzer=counts, **settings)


@functools.cache
def _vectorizer_class() -> type[Any]:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.utils._sparse import _align_api_if_sparse

    class CountedTfidfVectorizer(TfidfVectorizer):  # type: ignore[misc]
        def _count_vocab(self, raw_documents: Iterable[str], fixed_vocab: bool) -> tuple[dict[str, int], Any]:
            known = self.vocabulary_ if fixed_vocab else None
            vocabulary, (values, columns, indptr), shape = _count_matrix(self.analyzer, raw_documents, known)
            matrix = sp.csr_array((values, columns, indptr), shape=tuple(shape), dtype=self.dtype)
            matrix.sort_indices()
            return (self.vocabulary_ if fixed_vocab else vocabulary), _align_api_if_sparse(matrix)

    return CountedTfidfVectorizer
