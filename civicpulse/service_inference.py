"""Infer the service of a text that no rule mapped: a small classifier learnt from the rule-mapped texts.

Plain functions, no warehouse: `rule_free_text` removes what the rules see (hashtags and the rules'
keywords), `fit` learns word and character n-grams of the rule-mapped texts with a logistic loss
and picks, on out-of-fold predictions of the training texts, the lowest probability at which the
assigned services are still right at least `target_precision` of the time; `predict` assigns a
service only at or above that threshold; `evaluate` counts assigned and right predictions of labelled
texts. Everything is deterministic: fixed seeds, single-threaded solvers, the caller's order kept.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata

import numpy as np
from numpy.typing import NDArray

from civicpulse.term_counts import TermCounts, counted_tfidf

TARGET_PRECISION = 0.9
MIN_TEXTS_PER_SERVICE = 5
MIN_SERVICES = 2
FOLDS = 5
SEED = 20261201
# The fit learns from at most this many rule-mapped posts, the most recent ones: its cost grows with its
# training posts (about 3 CPU-s per 1,000 on 2 cores) and the build refits it whenever they change, so
# without a bound a city's nightly build would slow down with every year of history.
MAX_TRAINING_POSTS = 5000
# Bump whenever `_pipeline`, `fit`, `predict` or `KeptModel` change what they compute: it keys the cached
# results and the kept model.
REVISION = "2"

_HASHTAG = re.compile(r"#\w+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"(?u)\b\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")

Floats = NDArray[np.float64]


def keyword_stem(keyword: str) -> str:
    """The part of the keyword every text its keyword_regex matches contains (a cheap test before the
    pattern)."""
    lowered = keyword.lower()
    return lowered[:-1] if re.search(r"[^aeiou\W]y$", lowered) else lowered


def rule_free_text(text: str, keyword_patterns: Iterable[tuple[str, re.Pattern[str]]] = ()) -> str:
    """The lower-cased text without hashtags and without every match of the keyword patterns, given as
    (keyword_stem, pattern compiled for lower-cased text as civicpulse.build.keyword_regex writes it):
    what is left for the classifier once the cues the rules use are gone, so it cannot just learn the
    rules back. A pattern only runs when its stem is in what is left (it cannot match otherwise)."""
    lowered = _HASHTAG.sub(" ", text.lower())
    for stem, pattern in keyword_patterns:
        if stem in lowered:
            lowered = pattern.sub(" ", lowered)
    return _SPACES.sub(" ", lowered).strip()


@dataclass(frozen=True)
class Prediction:
    """The most probable service, its probability, and whether it clears the threshold."""

    service_id: str
    confidence: float
    assigned: bool


@dataclass(frozen=True)
class ServiceClassifier:
    """A fitted classifier, the threshold chosen for it and what that threshold gave out of fold."""

    pipeline: object
    services: tuple[str, ...]
    threshold: float
    trained_on: int
    oof_assigned: int
    oof_correct: int

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return predict(self, texts)


@dataclass(frozen=True)
class Evaluation:
    """Labelled texts: how many, how many were assigned a service, how many of those rightly."""

    texts: int
    assigned: int
    correct: int


def _pipeline(counts: tuple[TermCounts, TermCounts] | None = None) -> object:
    """The classifier: word 1-2-grams and char_wb 2-5-grams, tf-idf weighted, and a logistic loss.
    With `counts` (`_term_counts`) the vectorizers count each text's n-grams once for all fits."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline, make_union

    if counts is None:
        words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
        )
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    else:
        words = counted_tfidf(counts[0], sublinear_tf=True)
        chars = counted_tfidf(counts[1], sublinear_tf=True, min_df=2)
    # Logistic loss by stochastic gradient descent: probabilities like a logistic regression's, fitted in
    # a fraction of the time (the fit runs at every build, six times with the out-of-fold ones).
    return make_pipeline(
        make_union(words, chars), SGDClassifier(loss="log_loss", alpha=1e-4, random_state=SEED)
    )


def _term_counts() -> tuple[TermCounts, TermCounts]:
    """The n-gram counts of `_pipeline()`'s two vectorizers' own analyzers: `fit` runs six fits and
    five out-of-fold transforms over the same texts, and analysing and counting n-grams is most of
    a tf-idf fit's time. Same n-grams, so the same vocabulary, matrices and model."""
    union = _pipeline().steps[0][1]  # type: ignore[attr-defined]
    words, chars = (TermCounts(vectorizer.build_analyzer()) for _, vectorizer in union.transformer_list)
    return words, chars


@functools.cache
def _library_versions() -> tuple[str, ...]:
    versions = []
    for name in ("scikit-learn", "scipy", "numpy"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} unknown")
    return tuple(versions)


def settings_key(*, target_precision: float = TARGET_PRECISION) -> str:
    """A hash of the settings `fit` and `predict` depend on beyond their inputs: this module's
    REVISION, the settings and the versions of the libraries that compute them."""
    settings = [
        REVISION,
        target_precision,
        MIN_TEXTS_PER_SERVICE,
        MIN_SERVICES,
        FOLDS,
        SEED,
        _library_versions(),
    ]
    return hashlib.sha256(json.dumps(settings).encode()).hexdigest()


def inputs_key(
    training: Iterable[tuple[str, str]],
    to_predict: Iterable[tuple[str, str]],
    *,
    target_precision: float = TARGET_PRECISION,
) -> str:
    """A hash of everything `fit` on the (text, label) pairs of `training` and `predict` on the texts of
    the (id, text) pairs of `to_predict` depend on: the pairs in order and `settings_key`. Equal keys
    give equal results."""
    digest = hashlib.sha256(settings_key(target_precision=target_precision).encode())
    for part, pairs in (("train", training), ("predict", to_predict)):
        digest.update(f"\n{part}\n".encode())
        for first, second in pairs:
            digest.update(json.dumps([first, second]).encode() + b"\n")
    return digest.hexdigest()


def wilson_lower(successes: int, trials: int, z: float = 1.96) -> float:
    """Lower end of the Wilson score interval of a proportion (95% by default)."""
    if trials == 0:
        return 0.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (centre - spread) / (1 + z * z / trials)


def choose_threshold(confidences: Sequence[float], correct: Sequence[bool], target: float) -> float:
    """The lowest confidence such that the predictions at or above it are right >= `target` of the
    time with 95% confidence (the Wilson lower bound of their precision reaches `target`): a margin
    for the new texts the threshold will be applied to. Infinity when no confidence qualifies (then
    nothing is assigned)."""
    order = sorted(range(len(confidences)), key=lambda i: (-confidences[i], i))
    threshold = float("inf")
    right = 0
    for rank, index in enumerate(order, start=1):
        right += bool(correct[index])
        # A threshold admits every prediction of equal confidence: judge at the end of a tie.
        tie_continues = rank < len(order) and confidences[order[rank]] == confidences[index]
        if not tie_continues and wilson_lower(right, rank) >= target:
            threshold = confidences[index]
    return threshold


def trainable(labels: Sequence[str]) -> set[str]:
    """The services with enough texts to learn from."""
    return {label for label, count in Counter(labels).items() if count >= MIN_TEXTS_PER_SERVICE}


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    target_precision: float = TARGET_PRECISION,
    memoize: bool = True,
) -> ServiceClassifier | None:
    """Fit on (rule-free text, service) pairs; None when there is too little to learn from (fewer
    than MIN_SERVICES services with MIN_TEXTS_PER_SERVICE texts each). Texts of services with fewer
    texts are left out: such a service is never inferred. `memoize=False` lets the vectorizers
    analyse and count every text at every fit (the reference `_term_counts` is tested against)."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    keep = trainable(labels)
    rows = [i for i, label in enumerate(labels) if label in keep and texts[i].strip()]
    if len(keep) < MIN_SERVICES or len({labels[i] for i in rows}) < MIN_SERVICES:
        return None
    x = [texts[i] for i in rows]
    y = np.array([labels[i] for i in rows])
    if min(Counter(y.tolist()).values()) < MIN_TEXTS_PER_SERVICE:
        return None
    # Imported only once there is something to fit: scikit-learn (with scipy.stats) is most of the cost.
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    counts = _term_counts() if memoize else None
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    oof = cross_val_predict(clone(_pipeline(counts)), x, y, cv=folds, method="predict_proba")
    classes = np.array(sorted(set(y.tolist())))
    best = oof.argmax(axis=1)
    confidences = [float(c) for c in oof.max(axis=1)]
    correct = [bool(c) for c in classes[best] == y]
    threshold = choose_threshold(confidences, correct, target_precision)
    assigned = [c >= threshold for c in confidences]
    pipeline = _pipeline(counts)
    pipeline.fit(x, y)  # type: ignore[attr-defined]
    return ServiceClassifier(
        pipeline=pipeline,
        services=tuple(str(c) for c in pipeline.classes_),  # type: ignore[attr-defined]
        threshold=threshold,
        trained_on=len(x),
        oof_assigned=sum(assigned),
        oof_correct=sum(a and c for a, c in zip(assigned, correct, strict=True)),
    )


def predict(classifier: ServiceClassifier, texts: Sequence[str]) -> list[Prediction]:
    """The most probable service of each text; assigned when its probability clears the threshold and
    the text has any words left (an empty rule-free text is never assigned)."""
    if not texts:
        return []
    probabilities = classifier.pipeline.predict_proba(list(texts))  # type: ignore[attr-defined]
    return _predictions(classifier.services, classifier.threshold, texts, probabilities)


def _predictions(
    services: Sequence[str], threshold: float, texts: Sequence[str], probabilities: Floats
) -> list[Prediction]:
    predictions = []
    for text, row in zip(texts, probabilities, strict=True):
        best = int(row.argmax())
        confidence = float(row[best])
        assigned = bool(text.strip()) and confidence >= threshold
        predictions.append(Prediction(services[best], confidence, assigned))
    return predictions


def evaluate(classifier: ServiceClassifier, texts: Sequence[str], labels: Sequence[str]) -> Evaluation:
    """Predict labelled texts: how many were assigned, and how many of those got their label."""
    predictions = predict(classifier, texts)
    assigned = [p for p in predictions if p.assigned]
    correct = sum(p.service_id == label for p, label in zip(predictions, labels, strict=True) if p.assigned)
    return Evaluation(len(predictions), len(assigned), correct)


def word_ngrams(text: str) -> list[str]:
    """The word analyzer of `_pipeline()` without scikit-learn: lower-cased `\\b\\w+\\b` tokens, then
    every bigram, in scikit-learn's order (tests/test_service_inference_kept.py)."""
    tokens = _WORD.findall(text.lower())
    return tokens + [" ".join(tokens[i : i + 2]) for i in range(len(tokens) - 1)]


def char_wb_ngrams(text: str) -> list[str]:
    """The char_wb 2-5-gram analyzer of `_pipeline()` without scikit-learn: each word padded with a
    space, a word shorter than n counted once, in scikit-learn's order."""
    ngrams = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(2, 6):
            ngrams += [padded[i : i + n] for i in range(max(len(padded) - n, 0) + 1)]
            if len(padded) <= n:
                break
    return ngrams


_ANALYZERS = (word_ngrams, char_wb_ngrams)


def _expit(x: float) -> float:
    """scipy.special.expit of one value: the C library's exp, whose last bit NumPy's own exp may not share."""
    try:
        return 1.0 / (1.0 + math.exp(-x))
    except OverflowError:
        return 0.0


def _term_keys(terms: Iterable[str], salt: bytes) -> NDArray[np.uint64]:
    """64-bit keyed hashes of n-grams: what a kept model stores instead of its vocabulary's text."""
    keys = [
        int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8, key=salt).digest(), "little")
        for term in terms
    ]
    return np.array(keys, dtype=np.uint64)


@dataclass(frozen=True)
class KeptModel:
    """A fitted classifier as NumPy arrays, to keep between builds and predict without scikit-learn:
    per analyzer the keyed hashes of its vocabulary's n-grams (`keys`, sorted) and their feature
    columns, the idf and the linear model of every feature column. No n-gram is stored as text."""

    services: tuple[str, ...]
    threshold: float
    salt: bytes
    keys: tuple[NDArray[np.uint64], NDArray[np.uint64]]
    columns: tuple[NDArray[np.int64], NDArray[np.int64]]
    idf: Floats
    coef: Floats
    intercept: Floats

    @classmethod
    def of(cls, classifier: ServiceClassifier, salt: bytes) -> KeptModel:
        """The arrays of a `fit` result (its tf-idf vectorizers' vocabularies and idf, its SGD model)."""
        union, model = (step for _, step in classifier.pipeline.steps)  # type: ignore[attr-defined]
        keys, columns, idf, offset = [], [], [], 0
        for _, vectorizer in union.transformer_list:
            terms = list(vectorizer.vocabulary_)
            hashed = _term_keys(terms, salt)
            order = np.argsort(hashed, kind="stable")
            if len(np.unique(hashed)) != len(hashed):
                raise ValueError("two n-grams share a 64-bit key")
            keys.append(hashed[order])
            columns.append(np.array([vectorizer.vocabulary_[terms[i]] + offset for i in order], np.int64))
            idf.append(np.asarray(vectorizer.idf_, np.float64))
            offset += len(terms)
        return cls(
            classifier.services,
            classifier.threshold,
            salt,
            (keys[0], keys[1]),
            (columns[0], columns[1]),
            np.concatenate(idf),
            np.asarray(model.coef_, np.float64),
            np.asarray(model.intercept_, np.float64),
        )

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """What `predict` gives with the classifier this was kept from, bit for bit."""
        if not texts:
            return []
        return _predictions(self.services, self.threshold, texts, self.probabilities(texts))

    def to_bytes(self) -> bytes:
        arrays = {
            "services": np.array(self.services, dtype=str),
            "threshold": np.array(self.threshold),
            "salt": np.frombuffer(self.salt, np.uint8),
            "word_keys": self.keys[0],
            "char_keys": self.keys[1],
            "word_columns": self.columns[0],
            "char_columns": self.columns[1],
            "idf": self.idf,
            "coef": self.coef,
            "intercept": self.intercept,
        }
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> KeptModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(
                tuple(str(s) for s in arrays["services"]),
                float(arrays["threshold"]),
                arrays["salt"].tobytes(),
                (arrays["word_keys"], arrays["char_keys"]),
                (arrays["word_columns"], arrays["char_columns"]),
                arrays["idf"],
                arrays["coef"],
                arrays["intercept"],
            )

    def _features(self, texts: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.int64], Floats]:
        """(row, column, tf-idf value) of every non-zero feature, as the pipeline's FeatureUnion has them:
        a row's word block then its char block, columns ascending in each, sublinear tf times idf,
        each block's values divided by their l2 norm summed in that order (scikit-learn's loop)."""
        rows: list[int] = []
        columns: list[NDArray[np.int64]] = []
        values: list[Floats] = []
        for block, analyze in enumerate(_ANALYZERS):
            counts = [Counter(analyze(text)) for text in texts]
            distinct = sorted({term for counted in counts for term in counted})
            hashed = _term_keys(distinct, self.salt)
            at = np.searchsorted(self.keys[block], hashed).clip(max=max(len(self.keys[block]) - 1, 0))
            known = self.keys[block][at] == hashed
            column_of = dict(
                zip(distinct, np.where(known, self.columns[block][at], -1).tolist(), strict=True)
            )
            for row, counted in enumerate(counts):
                found = sorted((column_of[t], n) for t, n in counted.items() if column_of[t] >= 0)
                cols = np.array([c for c, _ in found], np.int64)
                tfidf = (np.log(np.array([n for _, n in found], np.float64)) + 1.0) * self.idf[cols]
                norm = math.sqrt(float(np.cumsum(tfidf * tfidf)[-1])) if len(tfidf) else 0.0
                rows += [row] * len(cols)
                columns.append(cols)
                values.append(tfidf / norm if norm else tfidf)
        order = np.argsort(np.array(rows, np.int64), kind="stable")  # word block before char block
        return np.array(rows, np.int64)[order], np.concatenate(columns)[order], np.concatenate(values)[order]

    def probabilities(self, texts: Sequence[str]) -> Floats:
        """SGDClassifier.predict_proba of the kept model: the decision summed feature by feature in
        column order (as scipy's sparse product does), logistic, one-vs-rest normalised."""
        rows, columns, values = self._features(texts)
        products = values[:, None] * self.coef[:, columns].T
        bounds = np.searchsorted(rows, np.arange(len(texts) + 1))
        decision = np.zeros((len(texts), len(self.intercept)))
        for row, (start, end) in enumerate(itertools.pairwise(bounds)):
            if end > start:  # cumsum adds in order, as the sparse product's loop does
                decision[row] = np.cumsum(products[start:end], axis=0)[-1]
        decision += self.intercept
        probability: Floats = np.vectorize(_expit, otypes=[np.float64])(decision)
        if probability.shape[1] == 1:
            return np.hstack([1 - probability, probability])
        total = probability.sum(axis=1)
        probability[total == 0] = 1
        total[total == 0] = probability.shape[1]
        normalised: Floats = probability / total[:, None]
        return normalised
