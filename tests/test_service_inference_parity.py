"""The service classifier with memoized n-gram analysis gives exactly what sklearn's own analysis gives,
on real resident texts: SeeClickFix requests (by request type) and NHS feedback (by service)."""

from __future__ import annotations

import re

import pytest

from civicpulse.config import load_config
from civicpulse.paths import DEFAULT_CONFIG
from civicpulse.service_inference import fit, keyword_stem, rule_free_text
from civicpulse.warehouse.build import keyword_regex
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


def _every_pattern_applied(text: str, patterns: list[re.Pattern[str]]) -> str:
    lowered = re.sub(r"#\w+", " ", text.lower())
    for pattern in patterns:
        lowered = pattern.sub(" ", lowered)
    return re.sub(r"\s+", " ", lowered).strip()


def test_rule_free_text_skipping_patterns_without_their_stem_changes_no_text() -> None:
    """The demo city's keyword rules on the real SeeClickFix and NHS texts: running a pattern only
    when its keyword's stem is in the text gives what running every pattern gives."""
    config = load_config(DEFAULT_CONFIG)
    keywords = [
        pattern
        for source in config.sources
        for match in source.service_map.values()
        for kind, pattern in match.rules()
        if kind == "keyword"
    ]
    compiled = [re.compile(keyword_regex(k), re.ASCII) for k in keywords]
    stems = [keyword_stem(k) for k in keywords]
    texts = [text for text, _ in open311_pairs() + nhs_pairs()]
    assert len(keywords) > 50
    changed = 0
    for text in texts:
        expected = _every_pattern_applied(text, compiled)
        assert rule_free_text(text, zip(stems, compiled, strict=True)) == expected
        changed += expected != rule_free_text(text)
    assert changed > 100
