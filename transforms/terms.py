"""Terms of a feedback text for emerging-theme detection: words and two-word phrases.

`text_terms` lower-cases the cleaned text (no HTML or URLs, see `clean_for_sentiment`), removes
redaction tokens ("[EMAIL]", "[PHONE]", ...), @handles, e-mail addresses, numbers and emoji, and
returns the distinct words of 3+ letters (no digits) that are not stopwords, plus the two-word phrases of
adjacent words in the same sentence where neither word is a stopword. Each term counts once per
text. `marts.emerging_terms` drops the terms the theme taxonomy already matched in that text.

`TOKENIZER_VERSION` keys `ops.term_cache`: bump `_REVISION` whenever tokenising or stopwords change.
"""

from __future__ import annotations

import re

from transforms.text_clean import clean_for_sentiment

__all__ = ["STOPWORDS", "TOKENIZER_VERSION", "text_terms"]

_REVISION = "1"
TOKENIZER_VERSION = f"terms{_REVISION}"

_STOPWORD_TEXT = """
    a about above after again against ago all almost also am an and any are aren't around as at away back
    be because been before being below between both but by can can't cannot could couldn't did didn't do
    does doesn't doing don't done down during each either else even ever every few for from further get
    gets getting got gotta had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
    herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself
    just let let's like made make makes many may me might more most much must mustn't my myself need needs
    no nor not now of off on once one only or other ought our ours ourselves out over own per please pls plz
    put quite rather really said same say says see seem seems shall shan't she she'd she'll she's should
    shouldn't since so some still such sure take than that that's the their theirs them themselves then
    there there's these they they'd they'll they're they've thing things this those though through thru
    till to too toward towards under until up upon us very via was wasn't way we we'd we'll we're we've
    well were weren't what what's whatever when when's where where's whether which while who who's whom
    whose why why's will with within without won't would wouldn't yet you you'd you'll you're you've your
    yours yourself yourselves yeah yes yep nope okay ok oh ah um uh lol lmao omg smh tbh btw imo imho idk
    wtf ugh hey hi hello thanks thank thx today tomorrow yesterday tonight day days week weeks month months
    year years time times hour hours minute minutes morning afternoon evening night last next first second
    new old good great bad best worst better worse lot lots something anything nothing everything someone
    anyone everyone nobody somebody anybody everybody always never often sometimes already ever maybe
    actually literally basically totally seriously honestly definitely probably also anyway though else
    went go goes going gone come comes came coming know knew known think thought want wanted wants try
    tried trying tell told call called calling use used using look looking looked find found give gave
    keep kept able unable via amp rt cc per etc
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_REDACTION = re.compile(r"\[[A-Z_]+\]")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_SENTENCE = re.compile(r"[.!?;:\n()\"]+")
_WORD = re.compile(r"[a-z0-9\u00e0-\u00ff]+(?:'[a-z]+)?")


def _sentence_words(sentence: str) -> list[str]:
    return [word.removesuffix("'s") for word in _WORD.findall(sentence)]


def text_terms(text: str) -> list[str]:
    """The distinct terms (words and two-word phrases) of `text`, in first-seen order."""
    cleaned = clean_for_sentiment(text)
    cleaned = _REDACTION.sub(" . ", cleaned)
    cleaned = _EMAIL.sub(" . ", cleaned)
    cleaned = _HANDLE.sub(" . ", cleaned).lower().replace("\u2019", "'")
    terms: dict[str, None] = {}
    for sentence in _SENTENCE.split(cleaned):
        words = _sentence_words(sentence)
        previous: str | None = None
        for word in words:
            content = (
                len(word) >= 3
                and word not in STOPWORDS
                # isalpha() first: most words are letters only, and a letter is never a digit
                and (word.isalpha() or not any(c.isdigit() for c in word))
            )
            if content:
                terms.setdefault(word)
                if previous is not None:
                    terms.setdefault(f"{previous} {word}")
            previous = word if content else None
    return list(terms)
