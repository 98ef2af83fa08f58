"""The kept model (service_inference.KeptModel) predicts without scikit-learn exactly what the fitted
pipeline predicts, bit for bit, on real resident texts, after a round trip through its stored bytes;
its analyzers are scikit-learn's; its bytes hold no n-gram as text."""

from __future__ import annotations

import numpy as np
import pytest

from civicpulse.service_inference import (
    KeptModel,
    _pipeline,
    char_wb_ngrams,
    fit,
    rule_free_text,
    word_ngrams,
)
from tests.bytes_search import found_in
from tests.service_labelled_texts import nhs_pairs, open311_pairs

SALT = bytes.fromhex("00112233445566778899aabbccddeeff")


def test_the_analyzers_are_scikit_learns() -> None:
    words, chars = (v.build_analyzer() for _, v in _pipeline().steps[0][1].transformer_list)  # type: ignore[attr-defined]
    odd = ["", " ", "a", "I  am", "x\ty\n\nz", "héllo wörld", "one-two three_four 5 6", "  padded  "]
    texts = [text for text, _ in open311_pairs() + nhs_pairs()] + odd
    assert [word_ngrams(t) for t in texts] == [words(t) for t in texts]
    assert [char_wb_ngrams(t) for t in texts] == [chars(t) for t in texts]


@pytest.mark.parametrize("load", [open311_pairs, nhs_pairs], ids=["open311", "nhs"])
def test_the_kept_model_predicts_bit_for_bit_like_the_fitted_pipeline(load: object) -> None:
    pairs = load()  # type: ignore[operator]
    texts = [rule_free_text(text) for text, _ in pairs]
    train = [i for i, (_, label) in enumerate(pairs) if label and i % 2 == 0]
    classifier = fit([texts[i] for i in train], [pairs[i][1] for i in train])
    assert classifier is not None
    kept = KeptModel.from_bytes(KeptModel.of(classifier, SALT).to_bytes())
    unseen = [texts[i] for i in range(len(pairs)) if i % 2] + ["", "zzqx unheard words"]
    expected = classifier.pipeline.predict_proba(unseen)  # type: ignore[attr-defined]
    assert kept.probabilities(unseen).tobytes() == np.asarray(expected).tobytes()
    predictions = kept.predict(unseen)
    assert predictions == classifier.predict(unseen)
    assert len({p.service_id for p in predictions}) >= 2 and len({p.confidence for p in predictions}) > 100
    assert not predictions[-2].assigned


def test_two_services_predict_as_the_pipeline_does() -> None:
    pairs = [(t, label) for t, label in open311_pairs() if label in ("Roadway", "Garbage")]
    texts, labels = [rule_free_text(t) for t, _ in pairs], [label for _, label in pairs]
    classifier = fit(texts[::2], labels[::2])
    assert classifier is not None and len(classifier.services) == 2
    kept = KeptModel.from_bytes(KeptModel.of(classifier, SALT).to_bytes())
    assert kept.predict(texts[1::2]) == classifier.predict(texts[1::2])


def test_the_kept_bytes_hold_no_ngram_as_text() -> None:
    pairs = open311_pairs()[::2]
    texts, labels = [rule_free_text(t) for t, _ in pairs], [label for _, label in pairs]
    classifier = fit(texts, labels)
    assert classifier is not None
    data = KeptModel.of(classifier, SALT).to_bytes()
    # The services (labels) and the names of the stored arrays are in the bytes, by design.
    named = {w for name in [*labels, "services", "word_columns", "char_columns"] for w in word_ngrams(name)}
    words = {w for text in texts for w in word_ngrams(text) if len(w) >= 6}
    words = {w for w in words if not any(w in name for name in named)}
    assert len(words) > 1000
    # NumPy writes strings as UTF-32: look for both encodings.
    assert found_in(data, [w.encode() for w in words] + [w.encode("utf-32-le") for w in words]) == []
