"""Normalize feedback text for VADER and the theme matcher without removing sentiment cues.

VADER reads capitalisation ("GREAT"), punctuation ("!!!"), emoticons (":(", "<3") and emoji, so
those are kept. What is removed carries no sentiment and confuses tokenizers: HTML markup
(Mastodon posts are HTML), URLs, and the '#' of hashtags (the word is kept; CamelCase hashtags are
split, "#NeverAgain" -> "Never Again"). Typographic apostrophes and quotes become ASCII so VADER's
negation list ("can't", "don't") matches what phones type ("can’t"). Runs of spaces collapse to one
space and line breaks to one newline, so call notes written one item per line keep their sentence
boundaries.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean_for_sentiment", "strip_html"]

_BLOCK_TAG = re.compile(
    r"<\s*(?:br|/?p|/?div|/?li|/?ul|/?ol|/?h[1-6]|/?blockquote|/?pre|/?tr|hr)\b[^<>]*>", re.IGNORECASE
)
_ANY_TAG = re.compile(r"<!--.*?-->|<\s*/?\s*[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]*)?/?\s*>", re.DOTALL)
_URL_ENDINGS = r"(?:com|org|net|gov|edu|us|io|ly|co|info|me|app|social)"
_URL = re.compile(
    r"""(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>"']*[^\s<>"'.,;:!?)\]}]"""
    r"|(?<![@\w.-])(?:[a-z0-9-]+\.)+" + _URL_ENDINGS + r"/[^\s<>\"']*[^\s<>\"'.,;:!?)\]}]"
    r"|(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:com|org|net|gov|edu)\b(?![.@-]?\w)",
    re.IGNORECASE,
)
# Every match of _URL holds one of these: a cheap test that skips _URL for most texts.
_MAYBE_URL = re.compile(r"://|www\.|\." + _URL_ENDINGS, re.IGNORECASE)
_URL_ENDING = re.compile(r"\." + _URL_ENDINGS)  # in lower-case text


def _maybe_url(text: str) -> bool:
    """Whether `_MAYBE_URL` matches; in ASCII text by substring tests on its lower-case form, faster."""
    if not text.isascii():
        return _MAYBE_URL.search(text) is not None
    lower = text.lower()
    return "://" in lower or "www." in lower or ("." in lower and _URL_ENDING.search(lower) is not None)


_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u2060": "",
        "\ufeff": "",
    }
)
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r" ?\n[\s]*")


def strip_html(text: str) -> str:
    """Remove HTML tags (block tags become line breaks) and unescape entities."""
    if "<" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _ANY_TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _hashtag_words(match: re.Match[str]) -> str:
    word = match.group(1).replace("_", " ").strip()
    if word.isupper() or word.islower() or word.isdigit():
        return word
    return _CAMEL.sub(" ", word)


# What `\s` matches in ASCII besides ' ' and '\n' (a character class: faster than a set over the text)
_OTHER_ASCII_SPACE = re.compile("[\t\x0b\x0c\r\x1c\x1d\x1e\x1f]")


def _single_spaces(text: str) -> bool:
    """Whether _SPACES would leave `text` as it is: no space but ' ' and '\n', none doubled. Every
    white-space character but ' ' is unprintable, so a printable text has no other; a text with a
    line break is decided by the regex when ASCII, else not skipped."""
    if "  " in text:
        return False
    return text.isprintable() or (text.isascii() and _OTHER_ASCII_SPACE.search(text) is None)


def clean_for_sentiment(text: str) -> str:
    """Return `text` without HTML, URLs and '#' signs, with whitespace collapsed.

    Emoji, emoticons, capitalisation and punctuation are kept unchanged.
    """
    text = strip_html(text)
    if not text.isascii():  # ASCII text is in NFC already and holds none of _QUOTES' characters
        text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _maybe_url(text):
        text = _URL.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(_hashtag_words, text)
    if not _single_spaces(text):
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _NEWLINES.sub("\n", text)
    return text.strip()
