"""Parity and speed of transforms.vader_fast against the reference `vaderSentiment`.

`mutated_texts(seeds, count, seed)` derives `count` texts deterministically from real `seeds` by
mutations aimed at every rule VADER has: case (ALL CAPS words among lower-case ones, whole texts in
caps), "!" and "?" runs, emoji (with and without surrounding spaces) and emoticons, negations
("not", "never so", "no ... or", "without doubt", contractions), boosters and dampeners (also in
caps), "kind of" / "sort of" / "just enough", "least" / "at least" / "very least", "but",
VADER's special-case idioms, lexicon words around each other, repeated words (which VADER's
'but' rule treats by value, not position), punctuation glued to words, unicode whitespace,
accents and case-changing letters, truncation and shuffling.

`mismatches(texts)` lists the texts whose fast and reference dicts differ in any way: `repr` of
both is compared, so key order, int/float types, -0.0 and every bit of every float count.

`python -m transforms.vader_fast --parity N` checks N mutated texts plus every shared real text;
`--speed` times both scorers (CPU seconds, best of interleaved rounds) on the shared real texts.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from vaderSentiment import vaderSentiment as _vs  # type: ignore[import-untyped]

from transforms.vader_fast import FastVader

__all__ = ["mismatches", "mutated_texts", "rule_marks", "run_cli", "scorers", "speed"]

_NEGATIONS = [
    "not", "never", "isn't", "don't", "no", "nor", "without", "cannot", "aint", "wont", "nothing",
    "NOT", "Never", "wasn't", "couldn't", "nope", "uh-uh", "seldom", "despite", "n't",
]  # fmt: skip
_PHRASES = [
    "never so", "never this", "no good or", "no fun nor", "without doubt", "without a doubt",
    "kind of", "Kind Of", "sort of", "just enough", "at least", "very least", "the least",
    "least", "LEAST", "but", "BUT", "But,", "but...", "yeah right", "the shit", "the bomb",
    "bad ass", "badass", "bus stop", "kiss of death", "to die for", "beating heart",
    "cut the mustard", "in the red", "under the weather", "kinda", "sorta", "kind-of",
    "no no", "so so", "this this", "not not", "very very", "but but",
]  # fmt: skip
_EMOTICONS = [":)", ":(", ":D", ":-)", ":-(", ";)", ":P", "<3", "</3", ":'(", "XD", "=)", ":/", "^_^"]
_PUNCT_RUNS = ["!", "!!", "!!!", "!!!!!", "?", "??", "???", "????", "?!", "!?!?", "...", ".", ",", ";"]
_UNICODE = [
    "\u00a0", "\u2003", "\u200b", "\t", "\n", "\u2014", "\u201cquoted\u201d", "caf\u00e9",
    "\u0130stanbul", "STRASSE \u00df", "\u00c9T\u00c9", "\u65e5\u672c", "\u0394\u03b5\u03bb\u03c4\u03b1",
    "\ufb01ne", "\u2019s", "\u00a3", "\u00f1", "\u2665", "\u2764\ufe0f", "\U0001f468\u200d\U0001f469",
]  # fmt: skip
_CONTRACTIONS = ["can't", "won't", "I'm", "it's", "they're", "shouldn't", "ain't", "y'all", "o'clock"]


class _Pools:
    """Words and symbols drawn from VADER's own tables."""

    def __init__(self, analyzer: Any) -> None:
        lexicon: dict[str, float] = analyzer.lexicon
        words = sorted(k for k in lexicon if " " not in k)
        self.words = [w for w in words if w.isalpha()]
        self.symbols = [w for w in words if not w.isalpha()]
        self.boosters = sorted(k for k in _vs.BOOSTER_DICT if " " not in k)
        self.emojis = sorted(k for k in analyzer.emojis if len(k) == 1)


def _caps(rng: random.Random, word: str) -> str:
    pick = rng.random()
    if pick < 0.5:
        return word.upper()
    if pick < 0.7:
        return word.capitalize()
    return word


def _insert(rng: random.Random, words: list[str], item: str) -> None:
    words.insert(rng.randint(0, len(words)), item)


def _mutate(rng: random.Random, text: str, pools: _Pools) -> str:
    words = text.split(" ") if rng.random() < 0.8 else text.split()
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(16)
        if op == 0 and words:
            k = rng.randrange(len(words))
            words[k] = words[k].upper()
        elif op == 1:
            words = [w.upper() for w in words] if rng.random() < 0.5 else [w.lower() for w in words]
        elif op == 2:
            target = rng.randrange(len(words)) if words else 0
            if words:
                words[target] += rng.choice(_PUNCT_RUNS)
            else:
                words.append(rng.choice(_PUNCT_RUNS))
        elif op == 3:
            emoji = rng.choice(pools.emojis)
            if words and rng.random() < 0.5:
                k = rng.randrange(len(words))
                words[k] = words[k] + emoji if rng.random() < 0.5 else emoji + words[k]
            else:
                _insert(rng, words, emoji * rng.randint(1, 3))
        elif op == 4:
            _insert(rng, words, _caps(rng, rng.choice(_NEGATIONS)))
        elif op == 5:
            _insert(rng, words, _caps(rng, rng.choice(pools.boosters)))
        elif op == 6:
            _insert(rng, words, rng.choice(_PHRASES))
        elif op == 7:
            _insert(rng, words, rng.choice(_EMOTICONS + pools.symbols))
        elif op == 8:
            _insert(rng, words, rng.choice(_CONTRACTIONS))
        elif op == 9:
            _insert(rng, words, rng.choice(_UNICODE))
        elif op == 10:
            # a lexicon word with a modifier right before it: the rules' trigger
            modifier = rng.choice(pools.boosters + _NEGATIONS + ["least", "no", "kind of", "so", "this"])
            _insert(rng, words, f"{modifier} {_caps(rng, rng.choice(pools.words))}")
        elif op == 11 and words:
            k = rng.randrange(len(words))
            words.insert(k, words[k])
        elif op == 12 and len(words) > 3:
            cut = rng.randint(1, len(words) - 1)
            words = words[cut:] if rng.random() < 0.5 else words[:cut]
        elif op == 13 and len(words) > 1:
            k = rng.randrange(len(words) - 1)
            words[k], words[k + 1] = words[k + 1], words[k]
        elif op == 14 and words:
            k = rng.randrange(len(words))
            mark = rng.choice(["'", '"', "(", ")", "*", "-", "#", "@", "...", "'s"])
            words[k] = mark + words[k] if rng.random() < 0.5 else words[k] + mark
        else:
            _insert(rng, words, _caps(rng, rng.choice(pools.words)))
    joiner = rng.choice([" ", " ", " ", "  ", "\n", "\u00a0"])
    return joiner.join(words)


def mutated_texts(seeds: Sequence[str], count: int, seed: int = 13) -> Iterator[str]:
    """`count` texts mutated from `seeds` (cycled in a shuffled order), the same for the same
    arguments."""
    if not seeds:
        raise ValueError("mutated_texts needs at least one seed text")
    rng = random.Random(seed)
    pools = _Pools(_vs.SentimentIntensityAnalyzer())
    order = list(seeds)
    rng.shuffle(order)
    for k in range(count):
        yield _mutate(rng, order[k % len(order)], pools)


def rule_marks(texts: Sequence[str]) -> dict[str, int]:
    """How many of `texts` carry each cue VADER has a rule for (the corpus's variety)."""
    analyzer = _vs.SentimentIntensityAnalyzer()
    emojis = {k for k in analyzer.emojis if len(k) == 1}
    symbols = {k for k in analyzer.lexicon if not k.isalpha() and " " not in k}
    negations = set(_vs.NEGATE)
    boosters = {k for k in _vs.BOOSTER_DICT if " " not in k}
    idioms = [k for k in _vs.SPECIAL_CASES if " " in k]
    marks = dict.fromkeys(
        ["emoji", "emoticon", "negation", "n't", "booster", "kind of", "least", "no", "but", "idiom",
         "caps word", "!!", "??", "non-ASCII"],
        0,
    )  # fmt: skip
    for text in texts:
        words = text.split()
        lows = {w.lower() for w in words}
        lower = " ".join(words).lower()
        found = {
            "emoji": not emojis.isdisjoint(text),
            "emoticon": not symbols.isdisjoint(words),
            "negation": not negations.isdisjoint(lows),
            "n't": "n't" in lower,
            "booster": not boosters.isdisjoint(lows),
            "kind of": "kind of" in lower or "sort of" in lower,
            "least": "least" in lows,
            "no": "no" in lows,
            "but": "but" in lows,
            "idiom": any(idiom in lower for idiom in idioms),
            "caps word": any(w.isupper() for w in words) and not all(w.isupper() for w in words),
            "!!": "!!" in text,
            "??": "??" in text,
            "non-ASCII": not text.isascii(),
        }
        for name, present in found.items():
            marks[name] += present
    return marks


Scorer = Callable[[str], dict[str, float]]


def scorers() -> tuple[Scorer, Scorer]:
    """(fast, reference) `polarity_scores` over one analyzer."""
    analyzer = _vs.SentimentIntensityAnalyzer()
    return FastVader(analyzer).polarity_scores, analyzer.polarity_scores


def mismatches(
    texts: Sequence[str], pair: tuple[Scorer, Scorer] | None = None
) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    """(text, fast, reference) for every text whose two results differ in any bit; `pair` is
    (fast, reference), by default `scorers()`."""
    fast, reference = pair or scorers()
    found = []
    for text in texts:
        got, want = fast(text), reference(text)
        if repr(got) != repr(want):
            found.append((text, got, want))
    return found


def speed(texts: Sequence[str], rounds: int = 5) -> tuple[float, float]:
    """(fast, reference) texts per CPU second: the best of `rounds` interleaved runs of each."""
    fast, reference = scorers()
    best = {"fast": float("inf"), "reference": float("inf")}
    for _ in range(rounds):
        for name, score in (("reference", reference), ("fast", fast)):
            started = time.process_time()
            for text in texts:
                score(text)
            best[name] = min(best[name], time.process_time() - started)
    return len(texts) / best["fast"], len(texts) / best["reference"]


def _real() -> list[str]:
    from bench.real_texts import REAL_DIR, real_texts

    texts = [text for _, text in real_texts()]
    if not texts:
        raise SystemExit(f"no shared real texts in {REAL_DIR}: the parity corpus is mutated from them")
    return texts


def run_cli(argv: Sequence[str]) -> int:
    usage = "usage: python -m transforms.vader_fast --parity N | --speed [ROUNDS]"
    if not argv or argv[0] not in ("--parity", "--speed"):
        print(usage, file=sys.stderr)
        return 2
    try:
        number = int(argv[1]) if len(argv) > 1 else (100_000 if argv[0] == "--parity" else 5)
    except ValueError:
        print(f"{argv[1]!r} is not a whole number; {usage}", file=sys.stderr)
        return 2
    real = _real()
    if argv[0] == "--speed":
        fast, reference = speed(real, number)
        print(f"{len(real)} shared real texts, best of {number} interleaved rounds (texts/CPU-s):")
        print(f"  vaderSentiment {reference:,.0f}  vader_fast {fast:,.0f}  speed-up {fast / reference:.2f}x")
        return 0
    started = time.perf_counter()
    texts = [*real, *mutated_texts(real, number)]
    bad = mismatches(texts)
    elapsed = time.perf_counter() - started
    marks = ", ".join(f"{name} {count:,}" for name, count in rule_marks(texts).items())
    print(f"texts with each cue: {marks}")
    for text, got, want in bad[:20]:
        print(f"MISMATCH {text!r}\n  fast      {got}\n  reference {want}")
    print(
        f"{len(texts) - len(bad):,} of {len(texts):,} texts identical ({len(real):,} real, {number:,} "
        f"mutated, seed 13) in {elapsed:.0f}s"
    )
    return 1 if bad else 0
