"""When `transforms.language` may trust langdetect's guess for a text its word profiles cannot decide.

langdetect (character n-grams) is unreliable on short texts: "Remove old pole / Remove old pole" comes
back as Slovene. Measured on the development parts of our labelled English texts (SeeClickFix and
NHS, 1,739 texts): the profiles + langdetect fallback marked 1 English text non-English; lingua
(`lingua-language-detector` 2.1.1, a 96 MB wheel) restricted to 8 languages marked 27, and with all
languages in low-accuracy mode 36, so lingua is not used (measured again in session 10, with the
word-frequency check that now runs first: docs/sentiment.md, "the candidates measured").

The guard, for texts shorter than `MIN_WORDS_WITHOUT_EVIDENCE` words: a guess for a language the
profiles saw no evidence for is replaced by 'en' when the text has English words (the profile's or
`COMMON_ENGLISH`, frequent English words of reports and comments that are in no profile); a guess
of 'en' and guesses for texts without any English word are kept ("kisa zamanda ... geliyor" is
still Turkish).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["COMMON_ENGLISH", "MIN_WORDS_WITHOUT_EVIDENCE", "accept_guess"]

MIN_WORDS_WITHOUT_EVIDENCE = 25

_COMMON_ENGLISH_WORDS = """
    old remove removed replace replaced pole poles road roads street streets tree trees limb limbs
    light lights lamp water trash garbage cart carts pickup pick bulk yard yards grass weeds park
    sidewalk curb drain sewer hole holes pothole potholes sign signs stop lane lanes car cars truck
    house home property lot building dead animal dog cat noise loud paint painted graffiti fence
    broken missing leaking leak flooding flood clean cleaned cut mow mowed dump dumped debris pile
    large small big long short high low left right front side corner block near next across behind
    between along area place city county town school church bus train bridge hill river
    nurse nurses doctor doctors ward hospital care treatment appointment appointments staff team
    kind caring friendly rude quick slow long wait waiting seen felt feel listened explained
    first second last next every each other another same own such few little lot lots
"""
COMMON_ENGLISH = frozenset(_COMMON_ENGLISH_WORDS.split())


def accept_guess(guessed: str | None, words: Sequence[str], scores: Mapping[str, float]) -> str | None:
    """The language to return for langdetect's `guessed` code, or None to fall through."""
    if guessed is None or guessed == "en" or scores.get(guessed, 0.0) > 0.0:
        return guessed
    if len(words) >= MIN_WORDS_WITHOUT_EVIDENCE:
        return guessed if not any(scores.values()) else None
    if scores.get("en", 0.0) > 0.0 or any(w in COMMON_ENGLISH for w in words):
        return "en"
    return None if any(scores.values()) else guessed
