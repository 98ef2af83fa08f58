import math
import statistics

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

from tests.conftest import SHARED_REAL
from transforms import sentiment
from transforms.sentiment import (
    SCORER_VERSION,
    WHOLE_TEXT_MAX_WORDS,
    SentimentScore,
    score_text,
    score_texts,
    split_paragraph,
)
from transforms.text_clean import clean_for_sentiment

TWEETS = SHARED_REAL / "vader" / "tweets_GroundTruth.txt"
VADER = SentimentIntensityAnalyzer()

LONG_CALL_NOTE = (
    "Caller phoned about her water bill for the third time this month. "
    "She said the bill doubled even though nobody has been living at the property since March. "
    "I checked the meter readings with her and explained that the last two readings were estimated. "
    "She was furious that nobody told her and said this is the worst service she has ever had. "
    "I opened a re-read request and gave her the reference number. "
    "She thanked me for explaining the next steps and for staying on the line."
)


@pytest.mark.parametrize(
    "text",
    [
        "The clerk was AMAZING and so helpful!!! 😀",
        "Waited 3 hours and nobody helped me :(",
        "I don't hate the new website",
        "The permit office is on Main Street",
        "<p>Paying online was easy &amp; quick, thanks #CityHall https://riverton.gov/pay</p>",
        "It\u2019s not great, but the staff tried their best",
    ],
)
def test_single_sentence_scores_exactly_as_raw_vader_on_cleaned_text(text: str) -> None:
    cleaned = clean_for_sentiment(text)
    raw = VADER.polarity_scores(cleaned)
    score = score_text(text)
    assert (score.compound, score.pos, score.neu, score.neg) == (
        raw["compound"],
        raw["pos"],
        raw["neu"],
        raw["neg"],
    )
    assert score.sentence_count == 1
    assert score.language in ("en", "und")


def test_labels_follow_the_compound_thresholds() -> None:
    assert score_text("I love the new online renewal, great job").label == "positive"
    assert score_text("Terrible service, I hate this office").label == "negative"
    assert score_text("The permit office is on Main Street").label == "neutral"


def test_short_multi_sentence_post_keeps_whole_text_vader_and_finds_most_negative_sentence() -> None:
    text = (
        "Renewed my registration online. The site crashed twice and I lost my payment! Staff fixed it though."
    )
    score = score_text(text)
    assert score.compound == VADER.polarity_scores(text)["compound"]
    assert score.sentence_count == 3
    assert score.most_negative_sentence == "The site crashed twice and I lost my payment!"
    expected_worst = VADER.polarity_scores("The site crashed twice and I lost my payment!")["compound"]
    assert score.most_negative_compound == expected_worst < -0.05


def test_long_civic_call_note_blends_whole_text_and_worst_sentence() -> None:
    """A civic note is not pulled to neutral by the length-weighted mean (transforms/sentiment_domain.py)."""
    assert len(LONG_CALL_NOTE.split()) > WHOLE_TEXT_MAX_WORDS
    sentences = [s.strip() for s in split_paragraph(LONG_CALL_NOTE) if s.strip()]
    assert len(sentences) == 6
    per_sentence = [VADER.polarity_scores(s) for s in sentences]
    weights = [len(s.split()) for s in sentences]
    expected = math.fsum(w * p["compound"] for w, p in zip(weights, per_sentence, strict=True)) / sum(weights)

    score = score_text(LONG_CALL_NOTE)
    assert score.sentence_count == 6
    assert score.compound is not None and score.compound < expected < 0
    assert score.pos is not None and score.neu is not None and score.neg is not None
    assert score.pos + score.neu + score.neg == pytest.approx(1.0, abs=0.01)
    assert score.most_negative_sentence == sentences[3]
    assert score.most_negative_compound == min(p["compound"] for p in per_sentence)


def test_positive_text_has_no_most_negative_sentence() -> None:
    score = score_text("Great staff. Quick service. Thank you!")
    assert score.most_negative_sentence is None and score.most_negative_compound is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Esperé dos horas en la oficina y nadie me atendió. Pésimo servicio.", "es"),
        ("Le site ne fonctionne pas quand je veux payer", "fr"),
    ],
)
def test_non_english_texts_are_unscored_but_keep_their_language(text: str, language: str) -> None:
    score = score_text(text)
    assert score == SentimentScore(None, None, None, None, "unscored", language, 0, None, None)


def test_emoji_only_text_is_scored_with_undetermined_language() -> None:
    score = score_text("😠😠")
    assert score.language == "und"
    assert score.label == "negative"


def test_empty_text_is_unscored() -> None:
    assert score_text("  <p></p> ").label == "unscored"


def test_identical_texts_are_scored_once() -> None:
    scorer = sentiment._scorer()
    before = scorer.texts_scored
    texts = [
        "Long line at the DMV :(",
        "Quick and easy!",
        "Long line at the DMV :(",
        "Long line at the DMV :(",
    ]
    results = score_texts(texts, workers=1)
    assert scorer.texts_scored - before == 2
    assert results[0] is results[2] is results[3]
    assert results[1] == score_text("Quick and easy!")


def test_progress_reports_distinct_texts() -> None:
    calls: list[tuple[int, int]] = []
    score_texts(
        ["a good day", "a bad day", "a good day"], workers=1, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (2, 2)


def test_parallel_scoring_equals_sequential(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        f"Visit {i}: the clerk was {'great' if i % 3 else 'rude'}. Waited {i} minutes!" for i in range(240)
    ]
    texts += [LONG_CALL_NOTE, "Muy mal servicio", "😀", ""] * 3
    sequential = score_texts(texts, workers=1)
    monkeypatch.setattr(sentiment, "PARALLEL_MIN_TEXTS", 0)
    calls: list[tuple[int, int]] = []
    parallel = score_texts(texts, workers=2, progress=lambda d, t: calls.append((d, t)))
    assert parallel == sequential
    assert len(calls) > 1 and calls[-1] == (244, 244)


def test_scorer_version_names_its_parts() -> None:
    assert SCORER_VERSION.startswith("cp2-") and "vader3.3.2" in SCORER_VERSION and "lang" in SCORER_VERSION


def test_correlation_with_human_ratings_is_not_below_raw_vader() -> None:
    """VADER's 4,200 human-rated tweets (published raw VADER r = 0.881)."""
    rows = [line.split("\t") for line in TWEETS.read_text(encoding="utf-8").splitlines()]
    ratings = [float(r[1]) for r in rows]
    texts = [r[2] for r in rows]
    scores = score_texts(texts, workers=1)
    scored = [i for i, s in enumerate(scores) if s.compound is not None]
    assert len(scored) / len(texts) >= 0.995
    human = [ratings[i] for i in scored]
    raw_r = statistics.correlation(human, [VADER.polarity_scores(texts[i])["compound"] for i in scored])
    civicpulse_r = statistics.correlation(human, [scores[i].compound or 0.0 for i in scored])
    assert raw_r > 0.86
    assert civicpulse_r >= raw_r - 0.005, (raw_r, civicpulse_r)
