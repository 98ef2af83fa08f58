"""A supervised theme model: calibrated logistic regression per theme over hashed word and character n-grams.

Why this shape:

* Features are hashed (`HashingVectorizer`), so the model file holds no vocabulary and is rebuilt
  bit-for-bit from the same labels: word 1-2-grams and character 3-4-grams of the cleaned, lower-cased
  text with phone and house numbers masked, plus one indicator per theme found by the phrase rules
  (`config/themes.yml`) and per theme found by `transforms.theme_patterns`, so the model learns when a
  pattern ("for months", "again") really is the theme in this city's texts.
* One L2 logistic regression per theme with enough positive examples (`MIN_POSITIVES`), class
  weights balanced; its regularisation `C` and its decision threshold are chosen on 5 stratified
  cross-validation folds of the training labels only. Scores are calibrated by Platt scaling fitted
  on the out-of-fold scores, so `probability` means "share of such texts a person labelled with the
  theme", and the threshold is the calibrated probability that maximises F1 on the folds.
* Stacked (`COMBINE` = "stacked", written in the file): a modelled theme is decided by its probability
  alone, a phrase match being one of its inputs, so the model can overrule a phrase that its labels
  show is often wrong. Files without `combine` (format 1 before it) keep "phrase OR probability".
  A theme whose phrase and pattern matches, kept whatever the model says, gave a higher F1 on the
  training folds than stacking has its own `combine` = `EVIDENCE_OR` ("evidence OR probability >=
  threshold"): a rare, reliable pattern that a fold's model weighs too little.
* The file is JSON (weights rounded to 4 decimals, those below `MIN_WEIGHT` dropped, keys sorted),
  with `version` = a hash of its content; the version is part of the theme cache key, so trends
  never mix two models silently. Nothing is downloaded at run time.

`ThemeModel.predict` scores many texts at once (the nonzero features of the batch, once per theme).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["COMBINE", "FORMAT", "MIN_POSITIVES", "Example", "ThemeModel", "features", "train"]

FORMAT = 1
# How a phrase match and the probability combine; recorded in the model file (see the module doc).
COMBINE = "stacked"
# A theme whose phrase or pattern matches did better on the folds kept than weighed by the model
# ("evidence OR probability >= threshold") says so with this `combine` of its own.
EVIDENCE_OR = "evidence_or"
N_FEATURES = 2**17
MIN_POSITIVES = 8
FOLDS = 5
C_GRID = (0.3,)  # 1, 3 and 10 were never chosen on the development folds
# A tag the model adds on its own needs a calibrated probability of at least this ("more likely than not").
THRESHOLD_FLOOR = 0.5
_SEED = 0
MIN_WEIGHT = 0.01  # smaller weights move a probability by about 0.01 at most; keeps the file small


@dataclass(frozen=True)
class Example:
    """One labelled text: the cleaned lower-cased text and its theme evidence from rules and patterns."""

    text: str
    rule_themes: frozenset[str]
    pattern_themes: frozenset[str]
    themes: frozenset[str] = frozenset()


# The features are what sklearn's `HashingVectorizer` gives with the settings the model was trained
# with (word 1-2-grams of `(?u)\b\w\w+\b` tokens and `char_wb` 3-4-grams, unsigned counts, l2 norm per
# block), computed without it: importing sklearn costs about 1.8 CPU-s, and its analyzers build every
# n-gram occurrence as a string. Here a distinct word's n-grams are built once a batch and each distinct
# n-gram hashed once, vectorised; tests/transforms/test_theme_model.py and test_theme_parity.py check
# the matrix is HashingVectorizer's, bit for bit.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_U32 = np.uint32


def _rotl(x: NDArray[np.uint32], bits: int) -> NDArray[np.uint32]:
    return (x << _U32(bits)) | (x >> _U32(32 - bits))


def _scramble(k: NDArray[np.uint32]) -> NDArray[np.uint32]:
    return _rotl(k * _U32(0xCC9E2D51), 15) * _U32(0x1B873593)


def _murmur3(keys: Sequence[bytes]) -> NDArray[np.int64]:
    """MurmurHash3 (x86, 32 bits, seed 0) of each key as a signed integer, what
    `sklearn.utils.murmurhash3_32` gives; the keys of one length are hashed together."""
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    order = np.argsort(lengths, kind="stable")
    data = np.frombuffer(b"".join([keys[i] for i in order.tolist()]), dtype=np.uint8)
    result = np.empty(len(keys), dtype=np.int64)
    offset = 0
    groups = np.unique(lengths[order], return_index=True, return_counts=True)
    for length, first, count in zip(*groups, strict=True):
        raw = data[offset : offset + length * count].reshape(count, length)
        offset += length * count
        blocks = length // 4
        h = np.zeros(count, dtype=np.uint32)
        if blocks:
            words = np.ascontiguousarray(raw[:, : 4 * blocks]).view("<u4").astype(np.uint32)
            for block in range(blocks):
                h = _rotl(h ^ _scramble(words[:, block]), 13) * _U32(5) + _U32(0xE6546B64)
        if length % 4:
            tail = np.zeros(count, dtype=np.uint32)
            for byte in range(length % 4):
                tail |= raw[:, 4 * blocks + byte].astype(np.uint32) << _U32(8 * byte)
            h ^= _scramble(tail)
        h ^= _U32(length & 0xFFFFFFFF)
        for shift, multiplier in ((16, 0x85EBCA6B), (13, 0xC2B2AE35)):
            h ^= h >> _U32(shift)
            h *= _U32(multiplier)
        h ^= h >> _U32(16)
        result[order[first : first + count]] = h.view(np.int32)
    return result


def _columns(grams: list[str]) -> NDArray[np.int64]:
    """The hashed column of each n-gram (`abs(murmurhash3_32(gram)) % N_FEATURES`), each distinct
    n-gram hashed once."""
    distinct = list(dict.fromkeys(grams))
    hashed = np.abs(_murmur3([gram.encode("utf-8") for gram in distinct])) % N_FEATURES
    column = dict(zip(distinct, hashed.tolist(), strict=True))
    return np.fromiter(map(column.__getitem__, grams), dtype=np.int64, count=len(grams))


def _char_wb_grams(word: str) -> list[str]:
    """The `char_wb` 3- and 4-grams of one word padded with a space each side (a padded word no
    longer than an n-gram counts once, whole, and ends its n-grams)."""
    padded = f" {word} "
    if len(padded) <= 3:
        return [padded]
    threes = [padded[at : at + 3] for at in range(len(padded) - 2)]
    return threes + [padded[at : at + 4] for at in range(len(padded) - 3)]


def _word_columns(texts: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(text, hashed column) of each word unigram and bigram of the texts: a distinct token, and a
    distinct pair of tokens, is hashed once."""
    rows = [_TOKEN.findall(text) for text in texts]
    sizes = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    flat = list(chain.from_iterable(rows))
    tokens = list(dict.fromkeys(flat))
    ids = dict(zip(tokens, range(len(tokens)), strict=True))
    token_ids = np.fromiter(map(ids.__getitem__, flat), dtype=np.int64, count=len(flat))
    follows = np.ones(len(flat), dtype=np.bool_)  # a next token in the same text
    follows[(np.cumsum(sizes) - 1)[sizes > 0]] = False
    firsts = np.flatnonzero(follows)
    pairs, pair_of = np.unique(token_ids[firsts] * len(tokens) + token_ids[firsts + 1], return_inverse=True)
    lefts, rights = np.divmod(pairs, len(tokens))
    bigrams = [f"{tokens[a]} {tokens[b]}" for a, b in zip(lefts.tolist(), rights.tolist(), strict=True)]
    text_of = np.repeat(np.arange(len(texts)), sizes)
    return (
        np.concatenate([text_of, text_of[firsts]]),
        np.concatenate([_columns(tokens)[token_ids], _columns(bigrams)[pair_of]]),
    )


def _char_columns(texts: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(text, hashed column) of each `char_wb` n-gram: those of a distinct word are built and hashed
    once. (sklearn first replaces runs of whitespace by one space; `str.split` and `\\s` agree on
    what whitespace is, so the words are the same without.)"""
    rows = [text.split() for text in texts]
    flat = list(chain.from_iterable(rows))
    words = list(dict.fromkeys(flat))
    grams = [_char_wb_grams(word) for word in words]
    word_columns = _columns(list(chain.from_iterable(grams)))
    sizes = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    ids = dict(zip(words, range(len(words)), strict=True))
    occurrences = np.fromiter(map(ids.__getitem__, flat), dtype=np.int64, count=len(flat))
    counts = sizes[occurrences]
    ends = np.cumsum(counts)
    # each occurrence's n-grams are its word's run of `word_columns`
    runs = np.repeat((np.cumsum(sizes) - sizes)[occurrences] - (ends - counts), counts)
    per_text = np.diff(np.concatenate([[0], ends])[np.cumsum([0, *map(len, rows)])])
    return np.repeat(np.arange(len(texts)), per_text), word_columns[np.arange(len(runs)) + runs]


def _entries(examples: Sequence[Example]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """(row, column, value) of each nonzero of the feature matrix, by row then column: word and char
    n-gram counts, each block's row divided by its l2 norm, then the evidence indicators (1.0)."""
    from transforms.theme_patterns import mask_numbers

    texts = [mask_numbers(e.text) for e in examples]
    evidence = [
        " ".join(
            [
                *(f"zzrule{t}" for t in sorted(e.rule_themes)),
                *(f"zzpattern{t}" for t in sorted(e.pattern_themes)),
            ]
        )
        for e in examples
    ]
    width = 3 * N_FEATURES
    # (row, column) keys; 32 bits sort faster and hold 10,922 rows (a scoring batch is 5,000)
    kind = np.uint32 if len(examples) * width < 2**32 else np.int64
    keys = []
    for block, (rows, columns) in enumerate(
        (_word_columns(texts), _char_columns(texts), _word_columns(evidence))
    ):
        keys.append((rows * width + block * N_FEATURES + columns).astype(kind))
    unique, counts = np.unique(np.concatenate(keys), return_counts=True)
    rows, columns = np.divmod(unique.astype(np.int64), width)
    groups = rows * 3 + columns // N_FEATURES
    # integer counts: the sums of squares are exact, in any order
    norms = np.sqrt(np.bincount(groups, weights=counts * counts, minlength=3 * len(examples)))
    values = np.where(columns < 2 * N_FEATURES, counts / norms[groups], 1.0)
    return rows, columns, values


def features(examples: Sequence[Example]) -> Any:
    """The sparse feature matrix (rows = examples): word and char n-grams, then evidence indicators."""
    from scipy import sparse  # here, not at import: scoring needs no matrix, only `_entries`

    rows, columns, values = _entries(examples)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(examples)))])
    shape = (len(examples), 3 * N_FEATURES)
    return sparse.csr_matrix((values, columns.astype(np.int32), indptr.astype(np.int32)), shape=shape)


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-x))
    return result


@dataclass(frozen=True)
class _ThemeWeights:
    intercept: float
    weights: NDArray[np.float64]
    platt: tuple[float, float]
    threshold: float
    keeps_evidence: bool


class ThemeModel:
    """A loaded model file: `predict` gives calibrated probabilities per modelled theme."""

    def __init__(self, document: Mapping[str, Any], source: str = "<model>") -> None:
        if document.get("format") != FORMAT:
            raise ValueError(f"{source}: not a civicpulse theme model of format {FORMAT}")
        self.version = str(document["version"])
        self.document = document
        self.stacked = document.get("combine") == COMBINE
        self._themes: dict[str, _ThemeWeights] = {}
        size = 3 * N_FEATURES
        for theme_id, spec in document["themes"].items():
            weights = np.zeros(size)
            for index, value in spec["weights"]:
                weights[int(index)] = float(value)
            a, b = spec["platt"]
            self._themes[theme_id] = _ThemeWeights(
                float(spec["intercept"]),
                weights,
                (float(a), float(b)),
                float(spec["threshold"]),
                spec.get("combine") == EVIDENCE_OR,
            )
        # the columns some theme weighs: the only features a prediction reads
        self._weighed = np.zeros(size, dtype=np.bool_)
        for theme in self._themes.values():
            self._weighed |= theme.weights != 0.0

    @classmethod
    def load(cls, path: Path) -> ThemeModel:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(
                f"{path}: cannot read the theme model ({exc}); rebuild it with `make themes-model`"
            ) from exc
        if not isinstance(document, dict) or "themes" not in document or "version" not in document:
            raise ValueError(f"{path}: not a theme model file; rebuild it with `make themes-model`")
        return cls(document, str(path))

    @property
    def themes(self) -> tuple[str, ...]:
        return tuple(self._themes)

    def threshold(self, theme_id: str) -> float:
        return self._themes[theme_id].threshold

    def keeps_evidence(self, theme_id: str) -> bool:
        """Whether a phrase or pattern match of this theme is kept whatever its probability."""
        return self._themes[theme_id].keeps_evidence

    def predict(self, examples: Sequence[Example]) -> dict[str, NDArray[np.float64]]:
        """Calibrated probability of each modelled theme for each example (arrays in example order)."""
        if not examples:
            return {theme_id: np.zeros(0) for theme_id in self._themes}
        rows, columns, values = _entries(examples)
        weighed = self._weighed[columns]
        rows, columns, values = rows[weighed], columns[weighed], values[weighed]
        result = {}
        for theme_id, spec in self._themes.items():
            # what `features(examples) @ spec.weights` sums, in its order (row by row, by column,
            # from 0.0): `np.add.at` adds in index order; a zero weight adds nothing
            weights = spec.weights[columns]
            used = weights != 0.0
            scores = np.zeros(len(examples))
            np.add.at(scores, rows[used], values[used] * weights[used])
            scores += spec.intercept
            result[theme_id] = _sigmoid(spec.platt[0] * scores + spec.platt[1])
        return result


def _fit(matrix: Any, y: NDArray[np.int64], c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        C=c, class_weight="balanced", solver="liblinear", dual=True, random_state=_SEED, max_iter=1000
    )
    model.fit(matrix, y)
    return model


def _out_of_fold(matrix: Any, y: NDArray[np.int64], c: float) -> NDArray[np.float64]:
    from sklearn.model_selection import StratifiedKFold

    scores = np.zeros(len(y))
    for fit_rows, score_rows in StratifiedKFold(FOLDS, shuffle=True, random_state=_SEED).split(matrix, y):
        scores[score_rows] = _fit(matrix[fit_rows], y[fit_rows], c).decision_function(matrix[score_rows])
    return scores


def _platt(scores: NDArray[np.float64], y: NDArray[np.int64]) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    calibrator = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000)
    calibrator.fit(scores.reshape(-1, 1), y)
    return float(calibrator.coef_[0][0]), float(calibrator.intercept_[0])


def _best_threshold(
    probabilities: NDArray[np.float64], y: NDArray[np.int64], rule: NDArray[np.bool_], floor: float
) -> tuple[float, float]:
    """(threshold >= floor, F1) maximising F1 of `rule OR probability >= threshold` on the folds
    (pass an all-False `rule` for a stacked model)."""
    best = (1.0, -1.0)
    for threshold in np.round(np.arange(floor, 0.96, 0.01), 2):
        predicted = rule | (probabilities >= threshold)
        tp = int(np.sum(predicted & (y == 1)))
        fp = int(np.sum(predicted & (y == 0)))
        fn = int(np.sum(~predicted & (y == 1)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[1] + 1e-9:
            best = (float(threshold), f1)
    return best


def _round(value: float) -> float:
    rounded = round(value, 4)
    return 0.0 if rounded == 0 else rounded


def train(
    examples: Sequence[Example],
    themes: Iterable[str],
    description: str,
    floors: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Fit a model document (JSON-ready) for the themes that have at least `MIN_POSITIVES` examples.

    A theme's threshold is searched from its `floors` entry (default `THRESHOLD_FLOOR`) up."""
    matrix = features(examples)
    document: dict[str, Any] = {
        "format": FORMAT,
        "description": description,
        "examples": len(examples),
        "combine": COMBINE,
        "themes": {},
    }
    cv: dict[str, Any] = {}
    for theme_id in themes:
        y = np.array([int(theme_id in e.themes) for e in examples], dtype=np.int64)
        positives = int(y.sum())
        if positives < MIN_POSITIVES or positives > len(y) - FOLDS:
            continue
        stacked = np.zeros(len(examples), dtype=np.bool_)
        evidence = np.array([theme_id in e.rule_themes or theme_id in e.pattern_themes for e in examples])
        best: tuple[float, float, float, tuple[float, float], bool] | None = None
        for c in C_GRID:
            scores = _out_of_fold(matrix, y, c)
            platt = _platt(scores, y)
            probabilities = _sigmoid(platt[0] * scores + platt[1])
            for keeps, rule in ((False, stacked), (True, evidence)):
                threshold, f1 = _best_threshold(
                    probabilities, y, rule, (floors or {}).get(theme_id, THRESHOLD_FLOOR)
                )
                if best is None or f1 > best[2] + 1e-9:
                    best = (c, threshold, f1, platt, keeps)
        assert best is not None
        c, threshold, f1, platt, keeps = best
        final = _fit(matrix, y, c)
        coefficients = final.coef_[0]
        nonzero = [
            [int(i), _round(float(coefficients[i]))]
            for i in np.flatnonzero(np.abs(coefficients) >= MIN_WEIGHT)
        ]
        document["themes"][theme_id] = {
            "intercept": _round(float(final.intercept_[0])),
            "weights": nonzero,
            "platt": [_round(platt[0]), _round(platt[1])],
            "threshold": threshold,
            **({"combine": EVIDENCE_OR} if keeps else {}),
        }
        cv[theme_id] = {"positives": positives, "C": c, "threshold": threshold, "cv_f1": round(f1, 4)}
        if keeps:
            cv[theme_id]["combine"] = EVIDENCE_OR
    document["cross_validation"] = cv
    document["version"] = model_version(document)
    return document


def model_version(document: Mapping[str, Any]) -> str:
    body = {key: value for key, value in document.items() if key != "version"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]


def dump(document: Mapping[str, Any], path: Path) -> None:
    """Write a model document: sorted keys, one theme per line block, trailing newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
