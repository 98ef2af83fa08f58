"""transforms.vader_fast gives exactly vaderSentiment's dicts (compared by `repr`: key order, types,
-0.0 and every bit of every float), on rule-by-rule cases, 5,000 texts mutated from the shared
real texts and all of VADER's human-rated tweets; and civicpulse's scores do not change with it.
The 100,000-text run is `python -m transforms.vader_fast --parity 100000`."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

from bench.real_texts import REAL_DIR, real_texts
from transforms.sentiment import _Scorer
from transforms.vader_fast import ENV_VAR, FastVader, compound_function, fast_supported, polarity_function
from transforms.vader_parity import mismatches, mutated_texts, rule_marks, scorers

needs_real = pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"shared real data not found at {REAL_DIR}")

# One or more texts per rule of VADER 3.3.2, each paired with a variant the rule changes, so that
# every case below is known to exercise its rule (the score differs) as well as to match.
RULE_CASES = {
    "booster": ("The service was good.", "The service was very good."),
    "booster in caps": ("The service was VERY good.", "The service was very good."),
    "dampener": ("The service was good.", "The service was slightly good."),
    "kind of": ("The book was good.", "The book was only kind of good."),
    "sort of two back": ("It was good", "It sort of was good"),
    "all caps word": ("The service was GOOD.", "The service was good."),
    "all caps text (no differential)": ("THE SERVICE WAS GOOD", "The service was GOOD"),
    "negation": ("The staff were helpful.", "The staff were not helpful."),
    "contraction negation": ("It is a horrible book.", "It isn't a horrible book."),
    "negation two back": ("Nurses were kind", "Nurses were never really kind"),
    "negation three back": ("Nothing all was good", "Something all was good"),
    "never so": ("It has never been good.", "It has never been so good."),
    "never this": ("never this good", "always this good"),
    "so two back (the start_i 2 quirk)": ("I am so very happy", "I am not very happy"),
    "without doubt": ("Without a doubt, excellent idea.", "Without a question, excellent idea."),
    "no as negation": ("no problems", "problems"),
    "no or": ("no bad or good", "no bad and good"),
    "no no": ("no no good", "no good"),
    "least": ("the least helpful clerk", "the most helpful clerk"),
    "at least": ("at least helpful", "very least helpful"),
    "least first": ("least helpful", "most helpful"),
    "but": ("The food was good, but the service was awful.", "The food was good, and the service was awful."),
    "but with repeated values": ("good good bad but good bad", "good good bad and good bad"),
    "the shit": ("With VADER, sentiment analysis is the shit!", "With VADER, sentiment analysis is shit!"),
    "bad ass": ("On the other hand, VADER is quite bad ass", "On the other hand, VADER is quite bad"),
    "kiss of death": ("that was the kiss of death", "that was the death"),
    "to die for": ("a cake to die for", "a cake to die"),
    "yeah right": ("ok yeah right great", "ok yeah great"),
    "exclamation": ("Great service!", "Great service!!!!!!"),
    "question marks": ("Bad service??", "Bad service????"),
    "emoticon": ("Make sure you :) today", "Make sure you today"),
    "emoji": ("Catch utf-8 emoji such as \U0001f498 and \U0001f48b", "Catch utf-8 emoji such as"),
    "emoji glued": ("ok\U0001f601\U0001f601 fine", "ok fine"),
    "emoji after space": (" ok \U0001f601", "ok"),
    "punctuation kept on short tokens": ("it's :-( ok", "it's ok"),
    "unicode whitespace": ("good\u00a0\u2003service", "service"),
    "case-changing unicode": ("\u0130STANBUL was GREAT", "\u0130stanbul was great"),
}
EDGE_TEXTS = [
    "", " ", "\n\t", "!!!", "???", ":)", "no", "but", "kind of", "the", "NO NO NO", "but but good",
    "least", "at least", "\U0001f600", "\u2764\ufe0f", "a\U0001f600b", "good " * 300, "bad but " * 200,
]  # fmt: skip


@pytest.fixture(scope="module")
def pair() -> tuple[FastVader, SentimentIntensityAnalyzer]:
    analyzer = SentimentIntensityAnalyzer()
    return FastVader(analyzer), analyzer


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_each_rule_case_matches_the_reference_and_the_rule_changes_the_score(
    name: str, pair: tuple[FastVader, SentimentIntensityAnalyzer]
) -> None:
    fast, reference = pair
    with_rule, without = RULE_CASES[name]
    assert repr(fast.polarity_scores(with_rule)) == repr(reference.polarity_scores(with_rule))
    assert repr(fast.polarity_scores(without)) == repr(reference.polarity_scores(without))
    assert reference.polarity_scores(with_rule) != reference.polarity_scores(without)


def test_edge_texts_match_the_reference(pair: tuple[FastVader, SentimentIntensityAnalyzer]) -> None:
    fast, reference = pair
    for text in EDGE_TEXTS:
        assert repr(fast.polarity_scores(text)) == repr(reference.polarity_scores(text)), text


def test_a_str_subclass_is_scored_like_a_str(pair: tuple[FastVader, SentimentIntensityAnalyzer]) -> None:
    class Note(str):
        pass

    fast, reference = pair
    assert fast.polarity_scores(Note("Not bad at all!")) == reference.polarity_scores("Not bad at all!")


def test_mismatches_catches_a_one_bit_difference_and_minus_zero() -> None:
    fast, reference = scorers()

    def off_by_one_bit(text: str) -> dict[str, float]:
        scores = fast(text)
        scores["pos"] = math.nextafter(scores["pos"], 1.0)
        return scores

    def minus_zero(text: str) -> dict[str, float]:
        return {key: -value if value == 0 else value for key, value in fast(text).items()}

    texts = ["The staff were great.", "Bus stop sign missing"]
    assert [t for t, _, _ in mismatches(texts, (off_by_one_bit, reference))] == texts
    assert [t for t, _, _ in mismatches(texts, (minus_zero, reference))] == texts
    assert mismatches(texts, (fast, reference)) == []


def test_polarity_function_chooses_by_argument_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    analyzer = SentimentIntensityAnalyzer()
    assert fast_supported()
    assert polarity_function(analyzer, fast=False) == analyzer.polarity_scores
    assert isinstance(polarity_function(analyzer, fast=True).__self__, FastVader)  # type: ignore[attr-defined]
    monkeypatch.setenv(ENV_VAR, "reference")
    assert polarity_function(analyzer) == analyzer.polarity_scores
    monkeypatch.setenv(ENV_VAR, "turbo")
    with pytest.raises(ValueError, match="CIVICPULSE_VADER='turbo': set it to 'fast' or 'reference'"):
        polarity_function(analyzer)


def test_compound_alone_is_the_reference_compound_bit_for_bit() -> None:
    """`FastVader.compound` (no pos/neu/neg) on the rule cases, the edge texts and 5,000 mutated texts
    (real ones where the shared data is), and `compound_function` for either choice of VADER."""
    analyzer = SentimentIntensityAnalyzer()
    texts = [text for case in RULE_CASES.values() for text in case] + EDGE_TEXTS
    texts += list(mutated_texts([text for _, text in real_texts()] or texts, 5_000, seed=17))
    fast, reference = compound_function(analyzer, fast=True), compound_function(analyzer, fast=False)
    assert isinstance(getattr(fast, "__self__", None), FastVader)
    expected = [repr(analyzer.polarity_scores(text)["compound"]) for text in texts]
    assert [repr(fast(text)) for text in texts] == expected
    assert [repr(reference(text)) for text in texts[::10]] == expected[::10]
    assert len(set(expected)) > 500


def test_mutated_texts_are_deterministic_and_exercise_every_rule() -> None:
    seeds = ["The clerk was helpful and the wait was short.", "Pothole on Main St, car damaged."]
    first = list(mutated_texts(seeds, 3_000, seed=5))
    assert first == list(mutated_texts(seeds, 3_000, seed=5))
    assert first != list(mutated_texts(seeds, 3_000, seed=6))
    marks = rule_marks(first)
    assert all(count >= 30 for count in marks.values()), marks
    with pytest.raises(ValueError, match="at least one seed"):
        next(mutated_texts([], 1))


@needs_real
def test_5000_mutated_real_texts_are_identical() -> None:
    real = [text for _, text in real_texts()]
    assert mismatches(list(mutated_texts(real, 5_000, seed=2026))) == []


@needs_real
def test_every_human_rated_tweet_is_identical() -> None:
    path = Path(REAL_DIR) / "vader" / "tweets_GroundTruth.txt"
    tweets = [line.split("\t", 2)[2] for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(tweets) == 4_200
    assert mismatches(tweets) == []


@needs_real
def test_civicpulse_scores_are_the_same_with_the_reference_vader(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [text for _, text in real_texts()][::4]
    fast_scorer = _Scorer()
    monkeypatch.setenv(ENV_VAR, "reference")
    reference_scorer = _Scorer()
    assert isinstance(fast_scorer._polarity_scores.__self__, FastVader)  # type: ignore[attr-defined]
    assert not isinstance(reference_scorer._polarity_scores.__self__, FastVader)  # type: ignore[attr-defined]
    for text in texts:
        assert fast_scorer.score(text) == reference_scorer.score(text), text
