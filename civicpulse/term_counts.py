"""Tf-idf vectorizers that count each text's n-grams once for many fits over the same texts.

The service classifier (`civicpulse.service_inference`) fits six times on one set of texts (five
out-of-fold fits and the final one); scikit-learn's `CountVectorizer._count_vocab` analyses and counts
every text again at each, in Python, per n-gram. `TermCounts` analyses and counts a text once (its
distinct n-grams in order of first appearance, as ids shared by all fits, and their counts) and
`counted_tfidf` gives a `TfidfVectorizer` whose `_count_vocab` assembles the count matrix from those
with numpy: the same vocabulary, numbered in the same order, and the same matrix, so everything
downstream is identical (tests/test_service_inference_parity.py). A fit's vocabulary is also limited
(`min_df`, `max_df`) and sorted there, by one sort of every n-gram counted (`TermCounts.ranks`) for all
fits, where scikit-learn sorts each fit's vocabulary and walks it in Python twice.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import NDArray

Analyzer = Callable[[str], list[str]]
Counts = tuple[NDArray[np.int64], NDArray[np.intc]]
Matrix = tuple[Any, NDArray[np.int32], NDArray[np.int32]]


class TermCounts:
    """An analyzer's n-grams of each text seen, counted once; every n-gram has one id here."""

    def __init__(self, analyze: Analyzer) -> None:
        self.analyze = analyze
        self.ids: dict[str, int] = {}
        self._texts: dict[str, Counts] = {}
        self._ranks: NDArray[np.int64] = np.zeros(0, dtype=np.int64)

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

    def ranks(self) -> NDArray[np.int64]:
        """Each id's place among every n-gram seen in sorted order (sorted again once new ones came)."""
        if len(self._ranks) != len(self.ids):
            terms = self.terms
            self._ranks = np.empty(len(terms), dtype=np.int64)
            self._ranks[sorted(range(len(terms)), key=terms.__getitem__)] = np.arange(len(terms))
        return self._ranks

    def columns_of(self, vocabulary: Mapping[str, int]) -> NDArray[np.int64]:
        """The column `vocabulary` gives each id (-1: none); its terms get ids if new."""
        for term in vocabulary:
            self.ids.setdefault(term, len(self.ids))
        columns = np.full(len(self.ids), -1, dtype=np.int64)
        columns[[self.ids[term] for term in vocabulary]] = list(vocabulary.values())
        return columns


def _rows(counts: TermCounts, documents: Iterable[str]) -> tuple[NDArray[np.int64], NDArray[np.int64], Any]:
    """Each document's n-gram counts through `counts`, concatenated: (entries per document, ids, counts)."""
    rows = [counts.counts(document) for document in documents]
    lengths = np.array([len(ids) for ids, _ in rows], dtype=np.int64)
    ids = np.concatenate([ids for ids, _ in rows]) if rows else np.zeros(0, np.int64)
    values = np.concatenate([row for _, row in rows]) if rows else np.zeros(0, np.intc)
    return lengths, ids, values


def _csr_parts(lengths: NDArray[np.int64], columns: NDArray[np.int64], values: Any) -> Matrix:
    """(values, columns, indptr) of the entries whose column is not -1, rows of `lengths` entries."""
    kept = columns >= 0
    per_row = np.bincount(np.repeat(np.arange(len(lengths)), lengths)[kept], minlength=len(lengths))
    indptr = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int32)
    return values[kept], columns[kept].astype(np.int32), indptr


def _count_matrix(counts: TermCounts, documents: Iterable[str], id_columns: NDArray[np.int64]) -> Matrix:
    """(values, columns, indptr) as `CountVectorizer._count_vocab` builds them with a fixed vocabulary,
    given as the column of each id of `counts` known at the fit (-1: not in it)."""
    lengths, ids, values = _rows(counts, documents)
    column = np.full(len(counts.ids), -1, dtype=np.int64)
    column[: len(id_columns)] = id_columns
    return _csr_parts(lengths, column[ids], values)


def _fitted_matrix(
    counts: TermCounts, documents: Iterable[str], bounds: Callable[[int], tuple[float, float]]
) -> tuple[dict[str, int], NDArray[np.int64], Matrix, tuple[int, int]]:
    """What `CountVectorizer.fit_transform` builds from its `_count_vocab` and `_limit_features` (no
    `max_features`), and its `_sort_features` then numbers: the vocabulary (in order of first
    appearance, numbered in the terms' order) of the terms whose document frequency is within
    `bounds(documents)` (high, low); the column of each id of `counts` (-1: not in it); and the matrix
    with the columns numbered in order of first appearance (the vocabulary numbers them by term)."""
    lengths, ids, values = _rows(counts, documents)
    in_order = ids[_first_occurrences(ids, len(counts.ids))]
    if not len(in_order):
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    high, low = bounds(len(lengths))
    frequency = np.bincount(ids, minlength=len(counts.ids))[in_order]  # a text's ids are distinct
    kept = in_order[(frequency <= high) & (frequency >= low)]
    if not len(kept):
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    appearance = np.full(len(counts.ids), -1, dtype=np.int64)
    appearance[kept] = np.arange(len(kept))
    by_term = np.empty(len(kept), dtype=np.int64)
    by_term[np.argsort(counts.ranks()[kept])] = np.arange(len(kept))
    id_columns = np.full(len(counts.ids), -1, dtype=np.int64)
    id_columns[kept] = by_term
    terms = counts.terms
    vocabulary = dict(zip([terms[i] for i in kept.tolist()], by_term.tolist(), strict=True))
    return vocabulary, id_columns, _csr_parts(lengths, appearance[ids], values), (len(lengths), len(kept))


def _first_occurrences(ids: NDArray[np.int64], size: int) -> NDArray[np.bool_]:
    """Which positions of `ids` (each below `size`) hold an id's first occurrence: linear, where
    np.unique's sort of every position cost a third of a build's counting."""
    first = np.full(size, len(ids), dtype=np.int64)
    np.minimum.at(first, ids, np.arange(len(ids), dtype=np.int64))
    marked = np.zeros(len(ids), dtype=np.bool_)
    marked[first[first < len(ids)]] = True
    return marked


def counted_tfidf(counts: TermCounts, **settings: Any) -> Any:
    """A `TfidfVectorizer(analyzer=counts, **settings)` counting through `counts` (no `max_features`)."""
    if settings.get("max_features") is not None:
        raise ValueError("counted_tfidf keeps every term within min_df and max_df: no max_features")
    return _vectorizer_class()(analyzer=counts, **settings)


@functools.cache
def _vectorizer_class() -> type[Any]:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.utils._sparse import _align_api_if_sparse

    class CountedTfidfVectorizer(TfidfVectorizer):  # type: ignore[misc]
        """`_count_vocab` of a fit returns the vocabulary and matrix already limited and sorted (one
        sort of every term for all fits, `TermCounts.ranks`, instead of a sort of each fit's
        vocabulary and two passes over it in Python): `_limit_features` and `_sort_features` then
        have nothing left to do."""

        id_columns: NDArray[np.int64]  # the fitted vocabulary's column of each id of the analyzer (-1: none)

        def _count_vocab(self, raw_documents: Iterable[str], fixed_vocab: bool) -> tuple[dict[str, int], Any]:
            if fixed_vocab:
                given = self.fixed_vocabulary_  # the `vocabulary` parameter, not a fitted one
                columns = self.analyzer.columns_of(self.vocabulary_) if given else self.id_columns
                parts = _count_matrix(self.analyzer, raw_documents, columns)
                shape = (len(parts[2]) - 1, len(self.vocabulary_))
                matrix = sp.csr_array(parts, shape=shape, dtype=self.dtype)
                matrix.sort_indices()
                return self.vocabulary_, _align_api_if_sparse(matrix)
            fitted = _fitted_matrix(self.analyzer, raw_documents, self._bounds)
            vocabulary, self.id_columns, parts, size = fitted
            # as scikit-learn: sorted by order of first appearance, then numbered by term, not sorted again
            counted = sp.csr_array(parts, shape=size, dtype=self.dtype)
            counted.sort_indices()
            by_term = np.fromiter(vocabulary.values(), np.int64, len(vocabulary))[counted.indices]
            matrix = sp.csr_array((counted.data, by_term.astype(np.int32), counted.indptr), shape=size)
            return vocabulary, _align_api_if_sparse(matrix)

        def _bounds(self, documents: int) -> tuple[float, float]:
            """(max_doc_count, min_doc_count) as `fit_transform` computes them."""
            high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * documents
            low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * documents
            if high < low:
                raise ValueError("max_df corresponds to < documents than min_df")
            return float(high), float(low)

        def _limit_features(self, X: Any, vocabulary: dict[str, int], *_: Any) -> Any:
            return X

        def _sort_features(self, X: Any, vocabulary: dict[str, int]) -> Any:
            return X

    return CountedTfidfVectorizer
