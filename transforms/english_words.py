"""Whether a text's words are English, by wordfreq's word frequency lists.

wordfreq (3.1.1, Apache-2.0) ships, per language, the words of at least one occurrence per million
tokens of its sources (the 'small' lists: 29,000 English words, with inflections, "website",
"couldn't", "lol"). A word in the English list is not always English ("no", "la", "hay", "est" are
there too), so the words are also looked up in the lists of the other Latin-script languages
`transforms.language` profiles: the text is English when every word is in the English list and the
sum of their Zipf frequencies (log10 of occurrences per billion words; a missing word counts 0) in
English, plus `ENGLISH_PRIOR`, is above that sum in each other language. "Communication" (English
4.68, French 4.81) is English; "No" (English 6.35, Spanish 7.16) and "No hay" are not.

The lists are read from wordfreq's data files directly (its documented "cBpack" format: a gzipped
msgpack list of a header and then, at index i, the words of frequency 10**(-i/100)): importing
wordfreq would also import ftfy, langcodes and its tokenizers, 0.3 CPU-s a process, for the same
numbers (`tests/transforms/test_english_words.py` checks them against `wordfreq.zipf_frequency`).
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from collections.abc import Collection, Container
from pathlib import Path

import msgpack  # type: ignore[import-untyped]

__all__ = [
    "ENGLISH_PRIOR",
    "OTHER_LANGUAGES",
    "english_words_only",
    "judge",
    "warm_english_words",
    "zipf_table",
]

# wordfreq's codes of the Latin-script languages of transforms.language's profiles ('fil' is 'tl')
OTHER_LANGUAGES: tuple[str, ...] = ("es", "fr", "pt", "de", "it", "nl", "fil", "vi")
# What English is given over another language, in Zipf units for the whole text: the texts scored
# are mostly English, so a text of cognates as frequent in French ("Communication.") stays English,
# while one whose words are one Zipf unit (ten times) more frequent elsewhere ("No") does not.
ENGLISH_PRIOR = 0.5


def _data_dir() -> Path:
    spec = importlib.util.find_spec("wordfreq")  # finds the package without importing it
    if spec is None or spec.origin is None:
        raise ImportError("wordfreq is not installed (it is a dependency of civicpulse: make install)")
    return Path(spec.origin).parent / "data"


def zipf_table(language: str, among: Container[str] | None = None) -> dict[str, float]:
    """Each word of wordfreq's small list for `language` (only those in `among`, if given) and its
    Zipf frequency, unrounded (wordfreq's `zipf_frequency` rounds it to two decimals)."""
    with gzip.open(_data_dir() / f"small_{language}.msgpack.gz", "rb") as file:
        pack = msgpack.unpack(file, raw=False)
    if pack[0] != {"format": "cB", "version": 1}:
        raise ValueError(f"wordfreq's {language} list is not in the cBpack format read here: {pack[0]!r}")
    return {
        word: 9.0 - index / 100
        for index, bucket in enumerate(pack[1:])
        for word in bucket
        if among is None or word in among
    }


@functools.cache
def _tables() -> tuple[dict[str, tuple[float, float]], tuple[dict[str, float], ...]]:
    """Each English word's Zipf frequency in English and its highest in `OTHER_LANGUAGES` (0 if in
    none), and each of those languages' lists restricted to the English words (the only ones ever
    looked up there)."""
    english = zipf_table("en")
    others = tuple(zipf_table(language, english) for language in OTHER_LANGUAGES)
    highest = dict.fromkeys(english, 0.0)
    for table in others:
        for word, zipf in table.items():
            if zipf > highest[word]:
                highest[word] = zipf
    return {word: (zipf, highest[word]) for word, zipf in english.items()}, others


def warm_english_words() -> None:
    """Read the lists now (once per process), not at the first text."""
    _tables()


def english_words_only(words: Collection[str]) -> bool:
    """Whether there are words, all of them in the English list, and likelier English than any other
    listed language (see the module docstring). `words` are lower-case, without outer apostrophes."""
    return bool(words) and judge(words) == (None, True)


def judge(words: Collection[str]) -> tuple[str | None, bool]:
    """The first of `words` not in the English list and False, or None and whether the words are
    likelier English than any other listed language; in one pass over the words when they are."""
    english, others = _tables()
    total = ENGLISH_PRIOR
    bound = 0.0  # at least any other language's total: the sum of each word's highest elsewhere
    for word in words:
        entry = english.get(word)
        if entry is None:
            return word, False
        total += entry[0]
        bound += entry[1]
    return None, bound < total or all(sum(table.get(word, 0.0) for word in words) < total for table in others)
