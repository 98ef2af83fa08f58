import pytest

from evaluation.language_dev import NON_ENGLISH_SAMPLES
from tests.conftest import SHARED_REAL
from transforms.language import detect_language

TWEETS = SHARED_REAL / "vader" / "tweets_GroundTruth.txt"

SAMPLES = {
    "en": [
        "I waited two hours at the DMV and nobody helped me",
        "The website keeps crashing when I try to pay my water bill",
        "Thank you to the clerk who helped me renew my license!",
        "why is my bill so high this month??",
        "Great service today, in and out in 10 minutes",
        "can't log in to the portal again",
        "Trash pickup missed again on Elm St",
        "Staff was rude and unhelpful",
        "Worst. Customer. Service. Ever.",
        "I love Los Angeles",
        "Went to the Casa de la Cultura event, it was great",
        "DMV sucks",
    ],
    **{lang: list(texts) for lang, texts in NON_ENGLISH_SAMPLES.items()},
}


@pytest.mark.parametrize(
    ("expected", "text"), [(lang, text) for lang, texts in SAMPLES.items() for text in texts]
)
def test_detects_language(expected: str, text: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["😀😀😀", "#DMV #fail", "@cityhall :(", "👍", "12345", "", "!!!", "No"])
def test_no_linguistic_evidence_is_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_langdetect_fallback_is_deterministic() -> None:
    text = "kisa zamanda mirrorlari cikar gibi geliyor"
    first = detect_language(text)
    assert first == "tr"
    assert all(detect_language(text) == first for _ in range(5))


def _tweets() -> list[str]:
    lines = TWEETS.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[2] for line in lines]


def test_real_english_tweets_are_not_taken_for_other_languages() -> None:
    tweets = _tweets()
    languages = [detect_language(t) for t in tweets]
    english_or_unknown = sum(lang in ("en", "und") for lang in languages)
    assert english_or_unknown / len(tweets) >= 0.995
    assert languages.count("en") / len(tweets) >= 0.97


@pytest.mark.parametrize(
    "text",
    ["Remove old pole\nRemove old pole", "Remove old pole", "Dead tree limbs near the bridge", "Broken curb"],
)
def test_short_english_reports_are_never_marked_with_another_language(text: str) -> None:
    assert detect_language(text) in ("en", "und")


@pytest.mark.parametrize(
    "text",
    [
        "Yard debris needs pickup",
        "Bike Lane Needs Repainting",
        "Pot holes - stratfield dr",
        "Donald Ave needs sweeping,",
    ],
)
def test_certainly_english_texts_are_english_without_langdetect(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decided by the word lists alone: langdetect (which reads some of them as Dutch or Afrikaans)
    must not be consulted."""
    from transforms import language

    def _no_langdetect(_text: str) -> str | None:
        raise AssertionError(f"langdetect consulted for {_text!r}")

    monkeypatch.setattr(language, "_langdetect", _no_langdetect)
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Construction Hay",  # "hay" is Spanish too
        "E C D - Vacant lots",  # "e" is Portuguese too
        "Non-Chronic",
        "Underage - Licensed Est",
        "Pudding.",
        "Communication.",
        "Quicker appointments.",
        "None",
    ],
)
def test_texts_of_english_words_are_english(text: str) -> None:
    """Every word of two or more letters (but capitalised abbreviations in mixed-case text) is in
    wordfreq's English list and likelier English than the other profiled languages."""
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("expected", "text"),
    [("es", "No hay citas"), ("es", "Todo bien"), ("und", "la casa"), ("und", "No."), ("und", "N/a")],
)
def test_words_english_shares_with_other_languages_do_not_make_a_text_english(
    expected: str, text: str
) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("tr", "kisa zamanda mirrorlari cikar gibi geliyor"),
        ("es", "cierra la puerta!!!!!!!! Oh yeaaaah... Clases de español"),
    ],
)
def test_ambiguous_or_foreign_texts_still_reach_langdetect(expected: str, text: str) -> None:
    assert detect_language(text) == expected
