"""The service classifier on small written texts: rule cues removed, threshold, fit, predict, evaluate."""

from __future__ import annotations

import re

import pytest

from civicpulse.service_inference import (
    choose_threshold,
    evaluate,
    fit,
    keyword_stem,
    predict,
    rule_free_text,
    wilson_lower,
)
from civicpulse.warehouse.build import keyword_regex

WATER = [
    "my bill doubled this month and the meter reading looks estimated",
    "the meter reader never came, the bill says estimated again",
    "why is my bill so high, there is no leak in the house",
    "autopay charged me twice for the same bill",
    "the leak adjustment on my bill finally went through",
    "brown tap water again this morning on our street",
    "low pressure in the shower since the main break",
    "who do i call about a leak at the meter box",
    "the late fee on my bill is unfair, i paid on time",
    "tap water smells like chlorine today",
]
PARKS = [
    "the playground slide is broken again",
    "booked a picnic shelter for saturday, easy",
    "swim lessons at the pool filled up in five minutes",
    "the soccer fields are flooded after the rain",
    "lifeguards at the pool were great with the kids",
    "the trail by the river needs new benches",
    "summer camp signup crashed at nine sharp",
    "tennis courts lights stay off after dark",
    "the dog run gate is broken",
    "pool hours are too short on weekends",
]
VEHICLES = [
    "waited three hours at the counter to renew my license",
    "real id appointments are booked out for six weeks",
    "the kiosk ate my card and printed no sticker",
    "my road test got cancelled with no notice",
    "renewed my license online in two minutes, nice",
    "the sticker never arrived in the mail",
    "the counter closed early and sent everyone home",
    "road test examiner was kind and clear",
    "need a real id before my flight next month",
    "the title transfer took three visits",
]


def _labelled() -> tuple[list[str], list[str]]:
    texts = WATER + PARKS + VEHICLES
    labels = ["water"] * len(WATER) + ["parks"] * len(PARKS) + ["vehicles"] * len(VEHICLES)
    return texts, labels


def test_rule_free_text_drops_hashtags_and_rule_keywords_with_their_inflections() -> None:
    patterns = [(keyword_stem(k), re.compile(keyword_regex(k), re.ASCII)) for k in ("permit", "water bill")]
    text = "Two PERMITS later and my Water Bills still wrong #RivertonPermits #Riverton"
    assert rule_free_text(text, patterns) == "two later and my still wrong"
    assert rule_free_text("permitted use", patterns) == "permitted use"


def test_wilson_lower_bound() -> None:
    assert wilson_lower(0, 0) == 0.0
    assert wilson_lower(50, 50) == pytest.approx(0.9286, abs=1e-4)
    assert wilson_lower(50, 51) == pytest.approx(0.8970, abs=1e-4)


def test_threshold_admits_predictions_while_precision_is_surely_above_target() -> None:
    # 50 right predictions at 0.99 .. 0.50, then 50 wrong ones at 0.49 .. 0.00.
    confidences = [round(0.99 - 0.01 * i, 2) for i in range(100)]
    correct = [i < 50 for i in range(100)]
    # 50/50 has a Wilson lower bound of 0.93; 50/51 of 0.897, below 0.9: the first wrong one is out.
    assert choose_threshold(confidences, correct, 0.9) == 0.50
    assert choose_threshold(confidences, [False] * 100, 0.9) == float("inf")
    assert choose_threshold([], [], 0.9) == float("inf")


def test_threshold_takes_a_tie_as_a_whole() -> None:
    confidences = [0.9] * 40 + [0.8] * 30
    correct = [True] * 40 + [True] * 15 + [False] * 15  # the 0.8 tie is half wrong
    assert choose_threshold(confidences, correct, 0.9) == 0.9
    # Order within the tie does not matter: the same threshold with the wrong ones first.
    reordered = [True] * 40 + [False] * 15 + [True] * 15
    assert choose_threshold(confidences, reordered, 0.9) == 0.9


def test_fit_predict_assigns_confident_texts_and_leaves_the_rest() -> None:
    texts, labels = _labelled()
    # 30 texts cannot show 90% precision with 95% confidence (that takes 35 right in a row); 60% can.
    classifier = fit(texts, labels, target_precision=0.6)
    assert classifier is not None
    assert classifier.services == ("parks", "vehicles", "water")
    assert classifier.trained_on == len(texts)
    assert 0 < classifier.threshold < 1
    new = [
        "my bill says estimated again, is the meter broken",
        "the pool and the playground were packed today",
        "real id appointment at the counter took all morning",
        "",
    ]
    predictions = predict(classifier, new)
    assert [p.service_id for p in predictions[:3]] == ["water", "parks", "vehicles"]
    assert all(p.assigned for p in predictions[:3])
    assert all(p.confidence >= classifier.threshold for p in predictions[:3])
    assert not predictions[3].assigned, "an empty rule-free text is never assigned"
    assert predict(classifier, []) == []


def test_too_few_texts_to_be_sure_of_the_target_assign_nothing() -> None:
    texts, labels = _labelled()
    classifier = fit(texts, labels, target_precision=0.9)
    assert classifier is not None
    assert classifier.threshold == float("inf")
    assert not any(p.assigned for p in predict(classifier, ["my bill says estimated again"]))


def test_fit_is_deterministic() -> None:
    texts, labels = _labelled()
    first, second = fit(texts, labels, target_precision=0.6), fit(texts, labels, target_precision=0.6)
    assert first is not None and second is not None
    assert first.threshold == second.threshold
    probe = ["the bill and the pool and the counter", "leak", "camp"]
    assert predict(first, probe) == predict(second, probe)


def test_a_service_with_too_few_texts_is_never_inferred() -> None:
    texts, labels = _labelled()
    classifier = fit([*texts, "library card renewal", "library hours"], [*labels, "library", "library"])
    assert classifier is not None
    assert "library" not in classifier.services


def test_too_little_to_learn_from_gives_no_classifier() -> None:
    assert fit(WATER, ["water"] * len(WATER)) is None
    assert fit(WATER[:4] + PARKS[:4], ["water"] * 4 + ["parks"] * 4) is None
    assert fit([], []) is None
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        fit(["a", "b"], ["x"])


def test_evaluate_counts_assigned_and_right() -> None:
    texts, labels = _labelled()
    classifier = fit(texts, labels, target_precision=0.6)
    assert classifier is not None
    probe = ["the meter reading on my bill", "the pool was closed", "my license renewal"]
    result = evaluate(classifier, probe, ["water", "parks", "water"])
    predictions = predict(classifier, probe)
    assert result.texts == 3
    assert result.assigned == sum(p.assigned for p in predictions)
    expected_right = sum(
        p.assigned and p.service_id == label
        for p, label in zip(predictions, ["water", "parks", "water"], strict=True)
    )
    assert result.correct == expected_right
    assert result.correct < result.assigned or not predictions[2].assigned
