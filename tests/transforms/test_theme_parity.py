"""Phrase matching with word keys, tried at word starts only, finds exactly what the plain per-theme
search found; the theme model's features are HashingVectorizer's, bit for bit.

The reference is the phrase layer as it was (every theme's pattern searched in every text), kept
here; the comparison covers every shared real text with every service of the project's config. The
pattern layer and the theme model decide on top of these phrase matches (transforms/theme_decide.py).
"""

from __future__ import annotations

import bisect
import subprocess
import sys

import pytest
import yaml

from bench.real_texts import REAL_DIR, real_texts
from tests.transforms.test_theme_model import assert_same_matrix, hashing_vectorizer_features
from transforms.text_clean import clean_for_sentiment
from transforms.theme_model import _sigmoid, features
from transforms.themes import (
    _SENTENCE_BREAK,
    DEFAULT_TAXONOMY_PATH,
    Taxonomy,
    Theme,
    _Alternation,
    _candidates,
    _phrase_keys,
    _text_keys,
    _WordKeys,
)

pytestmark = pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"shared real data not found at {REAL_DIR}")
PROJECT_CONFIG = DEFAULT_TAXONOMY_PATH.parent.parent / "civicpulse.yml"


def _reference_match(taxonomy: Taxonomy, cleaned: str, service_id: str | None) -> dict[str, tuple[str, ...]]:
    breaks: list[int] | None = None
    found: dict[str, tuple[str, ...]] = {}
    for compiled in taxonomy._compiled:
        include, _ = compiled.include_for(service_id)
        if include is None:
            continue
        hits = [(m.start(), m.group()) for m in include.pattern.finditer(cleaned)]
        if not hits:
            continue
        if compiled.exclude is not None:
            excluded = [m.start() for m in compiled.exclude.pattern.finditer(cleaned)]
            if excluded:
                if breaks is None:
                    breaks = [m.end() for m in _SENTENCE_BREAK.finditer(cleaned)]
                blocked = {bisect.bisect_right(breaks, start) for start in excluded}
                hits = [(s, t) for s, t in hits if bisect.bisect_right(breaks, s) not in blocked]
                if not hits:
                    continue
        found[compiled.theme.theme_id] = tuple(dict.fromkeys(" ".join(t.split()) for _, t in hits))
    return found


@pytest.mark.parametrize("by_phrase", [False, True], ids=["whole expressions", "phrase by phrase"])
def test_matches_equal_the_reference_on_every_real_text_and_service(by_phrase: bool) -> None:
    taxonomy = Taxonomy.load()
    configured = [s["id"] for s in yaml.safe_load(PROJECT_CONFIG.read_text())["services"]]
    with_phrases = sorted({s for theme in taxonomy.themes for s in theme.services})
    # a service without phrases of its own matches as no service does: one of them stands for all
    services: list[str | None] = [*with_phrases, next(s for s in configured if s not in with_phrases), None]
    differences = []
    matched = 0
    for key, text in real_texts():
        cleaned = clean_for_sentiment(text).lower()
        if not cleaned:
            continue
        for service in services:
            ours = taxonomy._phrase_matches(cleaned, service, by_phrase=by_phrase)
            if ours != _reference_match(taxonomy, cleaned, service):
                differences.append((key, service))
            matched += bool(ours)
    assert differences == []
    assert matched > 1000


def test_the_project_taxonomy_is_searched_at_word_starts_only() -> None:
    """Every theme's phrases have known first words, so the word-start search is what runs."""
    compiled = Taxonomy.load()._compiled
    assert all(c.include is not None and c.include.first_keys for c in compiled)
    assert all(c.exclude.first_keys for c in compiled if c.exclude is not None)


@pytest.mark.parametrize(
    ("phrases", "text"),
    [
        (("log in", "login"), "log in, login, log-in; relogin and login2 x"),
        (("{n} hours",), "waited 3hours then 2 hours, a few hours, 45hours"),
        (("$5 fee", "fee"), "a $5 fee and a fee, fees, $5 fees"),
    ],
)
def test_word_start_search_gives_what_finditer_gives(phrases: tuple[str, ...], text: str) -> None:
    alternation = _Alternation(phrases)
    expected = [(m.start(), m.group()) for m in alternation.pattern.finditer(text)]
    index = {key: (0,) for key in alternation.first_keys or ()}
    assert expected and alternation.hits(text, _candidates(text, index).get(0, [])) == expected
    words = _WordKeys(text)
    assert alternation.hits(text, _candidates(text, index, words).get(0, []), words) == expected


def test_a_small_batch_compiles_only_the_phrases_its_words_can_start() -> None:
    """A night's texts compile a few phrases, not every theme's expression (run in a fresh
    interpreter: the compiled phrases are kept per process)."""
    code = (
        "from transforms import themes\n"
        "taxonomy = themes.Taxonomy.load()\n"
        "taxonomy.match_many(['the wait on the phone was two hours'], [None])\n"
        "phrases = {p for t in taxonomy.themes for p in (*t.include, *t.exclude)}\n"
        "print(len(themes._EXPRESSIONS), len(phrases), sum(c._compiled is not None for c in [\n"
        "    a for t in taxonomy._compiled for a in (t.include, t.exclude) if a is not None]))\n"
    )
    compiled, phrases, whole = map(
        int,
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout.split(),
    )
    assert 0 < compiled < phrases / 10
    assert whole == 0


def test_every_theme_of_the_project_taxonomy_has_word_keys() -> None:
    """A theme without keys is searched in every text; the project's taxonomy has none such."""
    assert all(compiled.keys for compiled in Taxonomy.load()._compiled)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("log in", "i could not log-in today"),
        ("can't pay", "i cannot pay online"),
        ("{n} hours", "waited 3hours"),
        ("[very|so|] rude", "so rude"),
        ("=notice", "a notice came"),
        ("charge", "they charged me twice"),
        ("six", "six weeks"),
    ],
)
def test_a_matching_text_has_one_of_the_phrase_keys(phrase: str, text: str) -> None:
    phrase_keys = _phrase_keys([phrase])
    assert phrase_keys is not None and not phrase_keys.isdisjoint(_text_keys(text))
    assert Taxonomy([Theme("t", "T", "ease", (phrase,))], "v").match(text) != []


def test_model_features_and_probabilities_equal_the_sklearn_ones_on_every_real_text() -> None:
    """`features` is HashingVectorizer's matrix and `predict` (which sums the matrix's nonzeros
    itself) gives what the sparse product with each theme's weights gives, bit for bit."""
    taxonomy = Taxonomy.load()
    model = taxonomy.model
    assert model is not None
    texts = list(dict.fromkeys(text for _, text in real_texts()))
    examples = taxonomy.examples(texts, [None] * len(texts), [frozenset()] * len(texts))
    assert sum(bool(e.rule_themes or e.pattern_themes) for e in examples) > 500
    reference = hashing_vectorizer_features(examples)
    assert_same_matrix(features(examples), reference)
    probabilities = model.predict(examples)
    for theme_id, spec in model._themes.items():
        expected = _sigmoid(spec.platt[0] * (reference @ spec.weights + spec.intercept) + spec.platt[1])
        assert probabilities[theme_id].tobytes() == expected.tobytes(), theme_id
