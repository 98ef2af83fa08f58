"""detect_language skips langdetect where it cannot change the answer, or where the text is certainly
English: the same languages as before on every shared real text but the reviewed lists below. The
reference is the detector's decision as it was, kept here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.real_texts import REAL_DIR, real_texts
from transforms import language
from transforms.language import detect_language
from transforms.language_guard import accept_guess
from transforms.text_clean import clean_for_sentiment

pytestmark = pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"shared real data not found at {REAL_DIR}")


def _reference(text: str) -> str:
    """detect_language without the langdetect skip (word scoring and guess guard shared)."""
    text = language._NOISE.sub(" ", text)
    lower = text.lower().replace("\u2019", "'")
    latin_letters = -1
    if not lower.isascii():
        script_lang, latin_letters = language._script_language(lower)
        if script_lang is not None:
            return script_lang
    scores: dict[str, float] = {}
    words = language._WORD.findall(lower)
    if not words:
        return "und"
    for word in words:
        langs = language._WORD_LANGS.get(word)
        if langs is None and "'" in word:
            word = word.strip("'")
            langs = language._WORD_LANGS.get(word) or language._WORD_LANGS.get(word.replace("'", ""))
        if langs:
            for lang in langs:
                scores[lang] = scores.get(lang, 0.0) + 1.0
        elif word in language._ENGLISH_LEXICON:
            scores["en"] = scores.get("en", 0.0) + language._ENGLISH_LEXICON_WEIGHT
    if latin_letters >= 0:
        for ch in lower:
            lang_of_char = language._CHAR_LANGS.get(ch)
            if lang_of_char is not None:
                scores[lang_of_char] = scores.get(lang_of_char, 0.0) + 1.0
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_lang, best = ranked[0] if ranked else ("und", 0.0)
    _second_lang, second = ranked[1] if len(ranked) > 1 else ("und", 0.0)
    if best >= language._MIN_WINNING_SCORE and best >= 1.5 * second + 0.5:
        return best_lang
    if best >= 1.0 and second == 0.0:
        return best_lang
    if best > second and len(words) <= 3:
        return best_lang
    if (
        len(words) >= language._FALLBACK_MIN_WORDS
        and sum(len(w) for w in words) >= language._FALLBACK_MIN_LETTERS
    ):
        accepted = accept_guess(language._langdetect(text), words, scores)
        if accepted is not None:
            return accepted
    return best_lang if best > second else "und"


# English texts the former detector left 'und' (langdetect unsure) or marked Afrikaans, now 'en' without
# langdetect: short, no word of any language's profile, and an English word ("needs", "holes", "lane").
CERTAINLY_ENGLISH_NOW = {
    "Bike Lane Ends Abruptly": "und",
    "Bike Lane Needs Repainting": "und",
    "Crumbling pavement - multiple areas": "und",
    "Debris / bagged leaves / 3 -total / Supv. 502 adv": "und",
    "Donald Ave needs sweeping,": "af",
    "Pot holes - stratfield dr": "und",
}


# English texts the former detector left 'und' or marked with another language, now 'en' because their
# words are English by wordfreq's lists (transforms.english_words), each with its former decision.
ENGLISH_WORDS_NOW = Path(__file__).resolve().parents[1] / "data" / "language_english_words.json"


def test_languages_equal_the_reference_on_every_real_text_but_the_listed() -> None:
    cleaned = {clean_for_sentiment(text) for _, text in real_texts()} - {""}
    assert len(cleaned) > 8000
    differences = [(text, detect_language(text), _reference(text)) for text in sorted(cleaned)]
    changed = {text: before for text, now, before in differences if now != before}
    english_words_now = {
        row["text"]: row["before"] for row in json.loads(ENGLISH_WORDS_NOW.read_text("utf-8"))
    }
    assert changed == CERTAINLY_ENGLISH_NOW | english_words_now
    assert all(detect_language(text) == "en" for text in changed)
    # the real texts once marked French were English ones (ENGLISH_WORDS_NOW)
    assert {lang for _, lang, _ in differences} >= {"en", "und", "es", "tr"}


def test_the_numpy_detector_gives_langdetects_probabilities() -> None:
    """Every shared real text of four or more words (a spread sample) and a few non-English ones."""
    from langdetect.detector import Detector  # type: ignore[import-untyped]

    factory, reference_factory = language.warm_langdetect(), _langdetects_own_factory()
    texts = [clean_for_sentiment(text) for _, text in real_texts()]
    sample = [text for text in texts if len(text.split()) >= 4][::25]
    sample += [
        "kisa zamanda mirrorlari cikar gibi geliyor",
        "Muy mal servicio en la oficina",
        "Le service était lent",
    ]
    differences = []
    for text in sample:
        reference, fast = Detector(reference_factory), language._fast_detector(factory)
        reference.append(text)
        fast.append(text)
        expected = [(p.lang, p.prob) for p in reference.get_probabilities()]
        if [(p.lang, p.prob) for p in fast.get_probabilities()] != expected:
            differences.append(text)
    assert differences == []
    assert len(sample) > 300


def test_deciding_without_the_last_trials_gives_langdetects_answer() -> None:
    """`decide(p)` stops the trials once the answer is known: it names the language of langdetect's own
    `get_probabilities()[0]` when that has probability p or more, else None, for every real text
    that reaches langdetect, a spread sample of the others and thresholds across (0.5, 1]."""
    factory = language.warm_langdetect()
    texts = [clean_for_sentiment(text) for _, text in real_texts()]
    reached: list[str] = []
    consult = language._langdetect
    for text in texts:
        if len(text.split()) >= 4:
            language._langdetect = lambda t: reached.append(t) or None  # type: ignore[assignment,func-returns-value]
            try:
                detect_language(text)
            finally:
                language._langdetect = consult
    sample = reached + [text for text in texts if len(text.split()) >= 4][::40] + ["x y z w"]
    assert len(reached) > 20  # 22 since texts of English words skip langdetect (60 before)
    differences = []
    for threshold in (0.51, 0.85, 0.99999, 1.0):
        for text in sample:
            full, early = language._fast_detector(factory), language._fast_detector(factory)
            full.append(text)
            early.append(text)
            probabilities = full.get_probabilities()
            expected = probabilities[0].lang if probabilities and probabilities[0].prob >= threshold else None
            if early.decide(threshold) != expected:
                differences.append((threshold, text))
    assert differences == []
    with pytest.raises(ValueError, match="not in"):
        language._fast_detector(factory).decide(0.5)


def test_the_ascii_word_pattern_finds_the_words_of_the_general_one() -> None:
    from transforms.vader_parity import mutated_texts

    texts = [text for _, text in real_texts()]
    texts = [text.lower() for text in texts + list(mutated_texts(texts, 5_000, seed=5)) if text.isascii()]
    texts += ["'cause", "rock'n'roll", "a''b '' 'x' y'", "o'clock's"]
    differing = [t for t in texts if language._ASCII_WORD.findall(t) != language._WORD.findall(t)]
    assert differing == []


def _langdetects_own_factory() -> Any:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory  # type: ignore[import-untyped]

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def test_the_profile_rows_are_langdetects_own() -> None:
    """Every n-gram's row built on first use equals the one langdetect's load_profile builds."""
    own, lazy = _langdetects_own_factory(), language.warm_langdetect()
    assert lazy.langlist == own.langlist
    assert set(lazy.word_lang_prob_map) == set(own.word_lang_prob_map)
    assert len(lazy.word_lang_prob_map) == len(own.word_lang_prob_map) > 80_000
    differing = [w for w, row in own.word_lang_prob_map.items() if lazy.word_lang_prob_map[w] != row]
    assert differing == []
    assert "no such n-gram" not in lazy.word_lang_prob_map
