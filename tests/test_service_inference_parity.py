"""The service classifier with memoized n-gram analysis gives exactly what sklearn's own analysis gives,
on real resident texts: SeeClickFix requests (by request type) and NHS feedback (by service)."""

from __future__ import annotations

import pytest

from civicpulse.service_inference import fit, rule_free_text
from tests.service_labelled_texts import nhs_pairs, open311_pairs


@pytest.mark.parametrize("load", [open311_pairs, nhs_pairs], ids=["open311", "nhs"])
def test_memoized_analysis_fits_and_predicts_exactly_like_sklearns(load: object) -> None:
    pairs = load()  # type: ignore[operator]
    texts = [rule_free_text(text) for text, _ in pairs]
    # Labelled texts train (the unlabelled ones are what a build predicts), every other one held back.
    train = [i for i, (_, label) in enumerate(pairs) if label and i % 2 == 0]
    unseen = [i for i in range(len(pairs)) if i not in set(train)]
    train_texts, train_labels = [texts[i] for i in train], [pairs[i][1] for i in train]

    memoized = fit(train_texts, train_labels)
    reference = fit(train_texts, train_labels, memoize=False)
    assert memoized is not None and reference is not None
    assert memoized.services == reference.services and len(memoized.services) >= 3
    assert (memoized.threshold, memoized.trained_on) == (reference.threshold, reference.trained_on)
    assert (memoized.oof_assigned, memoized.oof_correct) == (reference.oof_assigned, reference.oof_correct)
    to_predict = [texts[i] for i in unseen]
    predictions = memoized.predict(to_predict)
    assert predictions == reference.predict(to_predict)
    assert len({p.service_id for p in predictions}) >= 2 and len({p.confidence for p in predictions}) > 100
    assert memoized.predict(train_texts) == reference.predict(train_texts)
