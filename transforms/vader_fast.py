"""VADER's `polarity_scores`, re-implemented to give bit-identical dicts several times faster.

`FastVader(analyzer).polarity_scores(text)` returns exactly what `vaderSentiment` 3.3.2's
`SentimentIntensityAnalyzer.polarity_scores(text)` returns: the same tokens, rules, float operations
in the same order and the same rounding. Only the bookkeeping differs: the reference rebuilds the
lower-cased token list for every rule applied to every lexicon word (quadratic in the text's
length), concatenates the text one character at a time to replace emoji, and formats idiom
strings for every lexicon word; here the text is lower-cased and each token looked up once, only
the non-ASCII characters of non-ASCII texts are checked for emoji, a text without a lexicon word
returns at once, and idiom strings are only formed when a nearby token can be part of one. The
lexicon, emoji descriptions and rule tables are taken from the installed `vaderSentiment`, so they
cannot drift; a different `vaderSentiment` version falls back to the reference (`FAST_VERSION`).

Parity: `python -m transforms.vader_fast --parity 100000` compares both on that many texts mutated
from the shared real texts (transforms/vader_parity.py) plus every shared real text, VADER's 4,200
human-rated tweets among them; `--speed` times both.
"""

from __future__ import annotations

import math
import os
import re
import string
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from importlib import metadata
from itertools import compress
from typing import Any

from vaderSentiment import vaderSentiment as _vs  # type: ignore[import-untyped]

__all__ = [
    "ENV_VAR",
    "FAST_VERSION",
    "FastVader",
    "compound_function",
    "fast_supported",
    "holds_any",
    "may_be_negative",
    "negative_risks",
    "polarity_function",
]

FAST_VERSION = "3.3.2"  # the vaderSentiment release whose arithmetic this module reproduces

_N_SCALAR: float = _vs.N_SCALAR
_C_INCR: float = _vs.C_INCR
_BOOSTER: dict[str, float] = _vs.BOOSTER_DICT
_SPECIAL: dict[str, float] = _vs.SPECIAL_CASES
_NEGATE = frozenset(_vs.NEGATE)
_PUNCTUATION = string.punctuation
# Every word of a multi-word SPECIAL_CASES or BOOSTER_DICT key: an idiom can only match where one
# of the tokens around a lexicon word is among them.
_IDIOM_WORDS = frozenset(word for key in (*_SPECIAL, *_BOOSTER) if " " in key for word in key.split(" "))
_OR_NOR = ("or", "nor")

Scores = dict[str, float]


def fast_supported() -> bool:
    """Whether the installed vaderSentiment is the release this module reproduces."""
    try:
        return metadata.version("vaderSentiment") == FAST_VERSION
    except metadata.PackageNotFoundError:
        return False


class FastVader:
    """Bit-identical, faster `polarity_scores` for one reference `SentimentIntensityAnalyzer`."""

    def __init__(self, analyzer: Any) -> None:
        self._reference = analyzer
        self._lexicon: dict[str, float] = analyzer.lexicon
        # The reference compares each character with the emoji keys, so only one-character keys
        # can ever match.
        self._emojis: dict[str, str] = {k: v for k, v in analyzer.emojis.items() if len(k) == 1}
        # Emoji are non-ASCII characters: ASCII texts are left alone, and in the others only the
        # non-ASCII characters are looked up (a character class of all 1,200 emoji is slow in `re`).
        self._ascii_needs_emoji = any(k.isascii() for k in self._emojis)
        pattern = "." if self._ascii_needs_emoji else "[^\\x00-\\x7f]"
        self._candidate_re = re.compile(pattern, re.DOTALL)

    def _replace_emoji(self, text: str) -> str:
        """The reference's character loop: each emoji becomes its description, preceded by a
        space unless it starts the text or follows a ' ' that is not itself an emoji."""
        emojis = self._emojis

        def describe(match: re.Match[str]) -> str:
            char = match.group()
            description = emojis.get(char)
            if description is None:
                return char
            start = match.start()
            if start == 0 or match.string[start - 1] == " ":
                return description
            return " " + description

        return self._candidate_re.sub(describe, text)

    def polarity_scores(self, text: str) -> Scores:
        if type(text) is not str:  # the reference's own handling of other types
            reference: Scores = self._reference.polarity_scores(text)
            return reference
        found = self._sentiments(text)
        if found is None:
            # every sentiment is 0: compound 0/sqrt(15) and neu n/n
            return {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
        sentiments, hits, stripped = found
        if not sentiments:
            return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
        return _score_valence(sentiments, hits, stripped)

    def compound(self, text: str) -> float:
        """`polarity_scores(text)["compound"]`, without the pos/neu/neg sums and their rounding."""
        if type(text) is not str:
            return float(self._reference.polarity_scores(text)["compound"])
        found = self._sentiments(text)
        if not found or not found[0]:
            return 0.0
        return round(_compound(found[0], found[2])[0], 4)

    def _sentiments(self, text: str) -> tuple[list[float], list[int], str] | None:
        """The valence of each token of `text` (emoji replaced, stripped), the places that may hold a
        non-zero one and the stripped text; None when no token is in the lexicon."""
        if self._ascii_needs_emoji or not text.isascii():
            text = self._replace_emoji(text)
        text = text.strip()

        punctuation = _PUNCTUATION
        lexicon = self._lexicon
        if text.isascii():
            # ASCII lower-casing keeps every character's place and punctuation, so the lower-case
            # tokens are the tokens of the lower-case text.
            lows = [s if len(s := w.strip(punctuation)) > 2 else w for w in text.lower().split()]
        else:
            lows = [(s if len(s := w.strip(punctuation)) > 2 else w).lower() for w in text.split()]
        n = len(lows)
        if n == 0:
            return [], [], text
        in_lex = list(map(lexicon.__contains__, lows))
        if True not in in_lex:
            return None
        # A token is upper-case exactly when its word is: VADER strips only uncased characters.
        upper = list(map(str.isupper, text.split()))
        is_cap_diff = 0 < n - sum(upper) < n
        hits = list(compress(range(n), in_lex))
        sentiments: list[float] = [0] * n
        for i in hits:
            low = lows[i]
            if low in _BOOSTER:
                continue
            if low == "kind" and i < n - 1 and lows[i + 1] == "of":
                continue
            sentiments[i] = self._valence(i, lows, in_lex, upper, is_cap_diff)
        if "but" in lows:
            _but_check(lows.index("but"), sentiments)
        return sentiments, hits, text

    def _valence(
        self,
        i: int,
        lows: list[str],
        in_lex: list[bool],
        upper: list[bool],
        is_cap_diff: bool,
    ) -> float:
        """`sentiment_valence` for the lexicon word at `i`, same operations in the same order."""
        n = len(lows)
        low = lows[i]
        base = self._lexicon[low]
        valence = base
        if low == "no" and i != n - 1 and in_lex[i + 1]:
            valence = 0.0
        if (
            (i > 0 and lows[i - 1] == "no")
            or (i > 1 and lows[i - 2] == "no")
            or (i > 2 and lows[i - 3] == "no" and lows[i - 1] in _OR_NOR)
        ):
            valence = base * _N_SCALAR
        if upper[i] and is_cap_diff:
            if valence > 0:
                valence += _C_INCR
            else:
                valence -= _C_INCR

        # A preceding word that is not a booster scales by 0.0, still added (it turns -0.0 into 0.0).
        if i > 0 and not in_lex[i - 1]:
            one = lows[i - 1]
            if one in _BOOSTER:
                valence = valence + _scalar(one, upper[i - 1], valence, is_cap_diff)
            else:
                valence = valence + 0.0
            if one in _NEGATE or "n't" in one:
                valence = valence * _N_SCALAR
        if i > 1 and not in_lex[i - 2]:
            two, one = lows[i - 2], lows[i - 1]
            if two in _BOOSTER:
                s = _scalar(two, upper[i - 2], valence, is_cap_diff)
                if s != 0:
                    s = s * 0.95
                valence = valence + s
            else:
                valence = valence + 0.0
            if two == "never" and (one == "so" or one == "this"):
                valence = valence * 1.25
            elif two == "without" and one == "doubt":
                pass
            elif two in _NEGATE or "n't" in two:
                valence = valence * _N_SCALAR
        if i > 2 and not in_lex[i - 3]:
            three, two, one = lows[i - 3], lows[i - 2], lows[i - 1]
            if three in _BOOSTER:
                s = _scalar(three, upper[i - 3], valence, is_cap_diff)
                if s != 0:
                    s = s * 0.9
                valence = valence + s
            else:
                valence = valence + 0.0
            if (three == "never" and (two == "so" or two == "this")) or (one == "so" or one == "this"):
                valence = valence * 1.25
            elif three == "without" and (two == "doubt" or one == "doubt"):
                pass
            elif three in _NEGATE or "n't" in three:
                valence = valence * _N_SCALAR
            if not _IDIOM_WORDS.isdisjoint(lows[i - 3 : i + 3]):
                valence = _special_idioms(valence, lows, i)

        if i > 0 and lows[i - 1] == "least" and not in_lex[i - 1]:
            if i > 1:
                if lows[i - 2] != "at" and lows[i - 2] != "very":
                    valence = valence * _N_SCALAR
            else:
                valence = valence * _N_SCALAR
        return valence


def _scalar(low: str, is_upper: bool, valence: float, is_cap_diff: bool) -> float:
    """`scalar_inc_dec` for a preceding word (its lower-case form and whether it is upper-case)."""
    scalar = 0.0
    if low in _BOOSTER:
        scalar = _BOOSTER[low]
        if valence < 0:
            scalar *= -1
        if is_upper and is_cap_diff:
            if valence > 0:
                scalar += _C_INCR
            else:
                scalar -= _C_INCR
    return scalar


def _special_idioms(valence: float, lows: list[str], i: int) -> float:
    """`_special_idioms_check`, with the same strings; only called near an idiom word."""
    onezero = f"{lows[i - 1]} {lows[i]}"
    twoonezero = f"{lows[i - 2]} {lows[i - 1]} {lows[i]}"
    twoone = f"{lows[i - 2]} {lows[i - 1]}"
    threetwoone = f"{lows[i - 3]} {lows[i - 2]} {lows[i - 1]}"
    threetwo = f"{lows[i - 3]} {lows[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in _SPECIAL:
            valence = _SPECIAL[seq]
            break
    n = len(lows)
    if n - 1 > i:
        zeroone = f"{lows[i]} {lows[i + 1]}"
        if zeroone in _SPECIAL:
            valence = _SPECIAL[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{lows[i]} {lows[i + 1]} {lows[i + 2]}"
        if zeroonetwo in _SPECIAL:
            valence = _SPECIAL[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in _BOOSTER:
            valence = valence + _BOOSTER[n_gram]
    return valence


def _but_check(bi: int, sentiments: list[float]) -> None:
    """`_but_check` in place, including its use of `list.index` (the first equal value, which is
    not always the current one): what the reference computes, not what it meant."""
    index = sentiments.index
    for k in range(len(sentiments)):
        sentiment = sentiments[k]
        si = index(sentiment)
        if si < bi:
            sentiments[si] = sentiment * 0.5
        elif si > bi:
            sentiments[si] = sentiment * 1.5


def _compound(sentiments: list[float], text: str) -> tuple[float, float]:
    """`score_valence`'s compound score, before rounding, and its punctuation amplifier."""
    sum_s = float(sum(sentiments))
    ep_count = text.count("!")
    if ep_count > 4:
        ep_count = 4
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier: float = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    punct_emph_amplifier = ep_amplifier + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier

    compound = sum_s / math.sqrt((sum_s * sum_s) + 15)
    if compound < -1.0:
        compound = -1.0
    elif compound > 1.0:
        compound = 1.0
    return compound, punct_emph_amplifier


def _score_valence(sentiments: list[float], hits: list[int], text: str) -> Scores:
    """`score_valence` for a non-empty `sentiments` (punctuation counted on `text`). Only the
    places in `hits` can hold a non-zero sentiment, and zeros only add to the neutral count."""
    compound, punct_emph_amplifier = _compound(sentiments, text)
    pos_sum = 0.0
    neg_sum = 0.0
    neu_count = len(sentiments)
    for i in hits:
        sentiment_score = sentiments[i]
        if sentiment_score > 0:
            pos_sum += float(sentiment_score) + 1
            neu_count -= 1
        elif sentiment_score < 0:
            neg_sum += float(sentiment_score) - 1
            neu_count -= 1

    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct_emph_amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct_emph_amplifier

    total = pos_sum + math.fabs(neg_sum) + neu_count
    return {
        "neg": round(math.fabs(neg_sum / total), 3),
        "neu": round(math.fabs(neu_count / total), 3),
        "pos": round(math.fabs(pos_sum / total), 3),
        "compound": round(compound, 4),
    }


def negative_risks(lexicon: Mapping[str, float]) -> frozenset[str]:
    """Every token that can give a text a negative VADER valence with `lexicon` (see `may_be_negative`)."""
    lowering_boosters = {w for key, v in _BOOSTER.items() if v < 0 for w in key.split()}
    negative_idioms = {w for key, v in _SPECIAL.items() if v < 0 for w in key.split()}
    negative_words = {word for word, valence in lexicon.items() if valence <= 0}
    return frozenset(negative_words | lowering_boosters | negative_idioms | _NEGATE | {"least", "no"})


def holds_any(lowered: str, words: Collection[str]) -> bool:
    """Whether a word of `lowered`, as it is or stripped of punctuation as VADER strips it, is in `words`."""
    for word in lowered.split():  # a plain loop: faster than any() over a generator here
        if word in words or word.strip(_PUNCTUATION) in words:
            break
    else:
        return False
    return True


def may_be_negative(text: str, risks: frozenset[str]) -> bool:
    """False only for an ASCII text whose VADER valences are all 0 or more with the lexicon `risks` was
    made from (`negative_risks`): no negative lexicon word or emoticon, no negation ("not", "n't",
    "least", "no"), no booster that lowers a valence ("barely", "kind of") and no negative idiom ("yeah
    right"). Such a text's compound score is 0.0 or more."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return "n't" in lowered or holds_any(lowered, risks)


ENV_VAR = "CIVICPULSE_VADER"  # "fast" (default) or "reference": plain vaderSentiment


def polarity_function(analyzer: Any, *, fast: bool | None = None) -> Callable[[str], Scores]:
    """`polarity_scores` for `analyzer`: this module's when `fast` and the installed
    vaderSentiment is `FAST_VERSION`, else the reference's own method. `fast=None` reads
    `CIVICPULSE_VADER`."""
    if fast is None:
        choice = os.environ.get(ENV_VAR, "fast").strip().lower() or "fast"
        if choice not in ("fast", "reference"):
            raise ValueError(f"{ENV_VAR}={choice!r}: set it to 'fast' or 'reference' (plain vaderSentiment)")
        fast = choice == "fast"
    if fast and fast_supported():
        return FastVader(analyzer).polarity_scores
    method: Callable[[str], Scores] = analyzer.polarity_scores
    return method


def compound_function(analyzer: Any, *, fast: bool | None = None) -> Callable[[str], float]:
    """`polarity_function(analyzer, fast=fast)(text)["compound"]`, faster with `FastVader`."""
    polarity = polarity_function(analyzer, fast=fast)
    owner = getattr(polarity, "__self__", None)
    if isinstance(owner, FastVader):
        return owner.compound
    return lambda text: float(polarity(text)["compound"])


def main(argv: Sequence[str]) -> int:
    from transforms.vader_parity import run_cli

    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
