"""The word lists read from wordfreq's data files are wordfreq's own, and the English-words rule."""

from __future__ import annotations

import pytest

from transforms import english_words
from transforms.english_words import OTHER_LANGUAGES, english_words_only, zipf_table


@pytest.mark.parametrize("language", ["en", *OTHER_LANGUAGES])
def test_the_lists_read_here_give_wordfreqs_zipf_frequencies(language: str) -> None:
    import wordfreq

    table = zipf_table(language)
    assert len(table) > 10_000
    sample = [*sorted(table)[::97], "the", "la", "no", "hay", "couldn't", "daycare", "servicio"]
    expected = {word: wordfreq.zipf_frequency(word, language, wordlist="small") for word in sample}
    assert {word: round(table.get(word, 0.0), 2) for word in sample} == expected


def test_the_other_lists_are_restricted_to_english_words() -> None:
    english, others = english_words._tables()
    assert len(others) == len(OTHER_LANGUAGES)
    assert all(set(table) <= set(english) for table in others)
    assert english["hay"] == (zipf_table("en")["hay"], zipf_table("es")["hay"])


@pytest.mark.parametrize(
    "words",
    [
        ["communication"],  # as frequent in French, within the prior
        ["construction", "hay"],
        ["information", "explanation", "discussion", "content", "pace"],
        ["couldn't"],
        ["none"],
    ],
)
def test_texts_of_english_words_are_english(words: list[str]) -> None:
    assert english_words_only(words)


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["no"],  # Spanish, Portuguese and Italian too, and more frequent there
        ["no", "hay"],
        ["la", "casa"],
        ["todo", "bien"],  # "todo" is in no English list
        ["très", "bien"],
        ["jeg", "ser", "ikke"],
        ["potholes", "xqzt"],  # one word in no list
    ],
)
def test_other_texts_are_not(words: list[str]) -> None:
    assert not english_words_only(words)
