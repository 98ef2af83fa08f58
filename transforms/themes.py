"""Government CX themes matched by phrase rules from a YAML taxonomy (config/themes.yml).

Each theme lists `include` phrases (any match tags the text) and `exclude` phrases (an include
match is dropped when an exclude phrase matches in the same sentence), plus optional
service-specific include phrases. Matching is multi-label, case-insensitive, on word boundaries,
after `clean_for_sentiment` (no HTML or URLs, hashtags as words, typographic apostrophes as ').

Phrase syntax (kept small so CX staff can edit it):

* words are separated by spaces or hyphens in the text ("log in" also matches "log-in");
* every word of 3+ letters also matches its simple inflections: -s/-es, -ed, -ing, with a final
  'e' dropped ("charge" -> "charged", "charging"), 'y' -> "ies"/"ied" ("apply" -> "applied") and a
  doubled final consonant ("log" -> "logged"); words already ending in a single 's' are kept as
  written, and irregular forms ("paid", "took") must be listed;
* "can't", "won't", "didn't", ... also match "cant", "cannot", "can not", "did not", ...;
* `=word` matches the word exactly as written, without inflections ("=notice" is not "noticed");
* `{n}` matches a number: digits ("2", "45", "2.5", "2+") or a number word ("two", "a few");
* `[a|b c|d]` matches one of the alternatives (each may be several words); an empty alternative
  (`[very|so|]`) makes the group optional.

`Taxonomy.version` is a short hash of the file's bytes; it keys the theme cache.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # the regex parser, to read phrase patterns
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from transforms.text_clean import clean_for_sentiment
from transforms.theme_decide import decide, examples, load_model, theme_decide_version
from transforms.theme_model import Example, ThemeModel

__all__ = ["A11_DRIVERS", "DEFAULT_TAXONOMY_PATH", "Taxonomy", "Theme", "ThemeMatch", "compile_phrase"]

A11_DRIVERS = frozenset(
    {"trust", "effectiveness", "ease", "efficiency", "transparency", "humanity", "employee"}
)
DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parent.parent / "config" / "themes.yml"

_TOP_LEVEL_KEYS = frozenset({"themes", "model"})
_THEME_KEYS = frozenset({"label", "a11_driver", "description", "include", "exclude", "services"})
_REQUIRED_THEME_KEYS = ("label", "a11_driver", "include")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")

_NUMBER_WORDS = (
    "a couple of|a couple|a few|couple of|couple|few|several|many|multiple|an|a|one|two|three|four|five|six|"
    "seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|forty-five|fifty|sixty|ninety|"
    "a hundred|hundred|dos|tres|cuatro|cinco|seis|siete|ocho|diez|varias|varios"
)
_NUMBER = rf"(?:\d+(?:[.,:]\d+)?\+?|(?:{_NUMBER_WORDS}))"
_SEPARATOR = r"[\s\-/]+"
_NUMBER_SEPARATOR = r"[\s\-]*"
_NO_INFLECTION = frozenset(
    re.findall(
        r"\w+",
        """the and for not was are you any too all but our his her its who why how has had can did per via yet
        nor one she him they them this that with from than then when what into onto just very been have were
        your their there here still over under after again even ever never only since until nobody anyone
        someone everyone online about without because always every each more most much many some same also
        ago yes off out""",
    )
)
_NEGATED = {"can't": "(?:can'?t|cannot|can not)", "won't": "(?:won'?t|will not)"}
_TOKEN = re.compile(r"\[[^\[\]]*\]|\S+")
_SENTENCE_BREAK = re.compile(r"[.!?;\n]+(?:\s|$)")


@dataclass(frozen=True)
class ThemeMatch:
    theme_id: str
    label: str
    a11_driver: str
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    theme_id: str
    label: str
    a11_driver: str
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    services: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""


def _inflect(word: str) -> str:
    if len(word) < 3 or not word.isalpha() or word in _NO_INFLECTION:
        return re.escape(word)
    if word.endswith(("ss", "sh", "ch", "x", "z")):
        return f"{word}(?:es|ed|ing)?"
    if word.endswith("s"):
        return word
    if word.endswith("ee"):
        return f"{word}s?"
    if word.endswith("e"):
        return f"{word[:-1]}(?:e|es|ed|ing)"
    if word.endswith("y") and word[-2] not in "aeiou":
        return f"{word[:-1]}(?:y|ies|ied|ying)"
    last = word[-1]
    return f"{word}(?:s|es|ed|ing|{last}ed|{last}ing)?"


def _word_pattern(word: str) -> str:
    if word == "{n}":
        return _NUMBER
    if word.startswith("=") and len(word) > 1:
        return re.escape(word[1:])
    if word in _NEGATED:
        return _NEGATED[word]
    if word.endswith("n't") and len(word) > 3:
        return f"{re.escape(word[:-3])}(?:n'?t|{_SEPARATOR}not)"
    if "-" in word:
        return r"[\s\-]?".join(_word_pattern(part) for part in word.split("-") if part)
    if "'" in word:
        return "'?".join(re.escape(part) for part in word.split("'"))
    return _inflect(word)


def _words_pattern(words: str) -> str:
    """Pattern of a space-separated run of words and `{n}`/`[...]` tokens."""
    tokens = _TOKEN.findall(words)
    if not tokens:
        raise ValueError("empty phrase")
    pattern = ""
    separator: str | None = None
    for token in tokens:
        optional = False
        if token.startswith("["):
            if not token.endswith("]"):
                raise ValueError(f"unbalanced '[' in {words!r}")
            alternatives = [a.strip() for a in token[1:-1].split("|")]
            optional = "" in alternatives
            alternatives = [a for a in alternatives if a]
            if not alternatives:
                raise ValueError(f"empty alternatives in {words!r}")
            part = "(?:" + "|".join(_words_pattern(a) for a in alternatives) + ")"
        elif "[" in token or "]" in token or "|" in token or "{" in token.replace("{n}", ""):
            raise ValueError(f"malformed token {token!r} in {words!r}")
        else:
            part = _word_pattern(token)
        if separator is None:
            pattern += f"(?:{part}{_SEPARATOR})?" if optional else part
            if optional:
                continue
        else:
            pattern += f"(?:{separator}{part})?" if optional else separator + part
            if optional:
                continue
        separator = _NUMBER_SEPARATOR if token == "{n}" else _SEPARATOR
    if separator is None:
        raise ValueError(f"phrase {words!r} has only optional parts")
    return pattern


def compile_phrase(phrase: str) -> str:
    """The regular expression (without word boundaries) of one taxonomy phrase."""
    text = " ".join(phrase.lower().replace("\u2019", "'").split())
    return _words_pattern(text)


_KEY_LENGTH = 6
_WORD_RUN = re.compile(r"\w+")


_SEPARATOR_CLASS_ITEMS = frozenset(
    {
        (sre_parse.CATEGORY, sre_parse.CATEGORY_SPACE),
        (sre_parse.LITERAL, ord("-")),
        (sre_parse.LITERAL, ord("/")),
    }
)


def _starts(items: list[Any], budget: int) -> set[str]:
    """How the matches of a parsed phrase pattern can begin: their first word, as "word " when the
    word ends within `budget` characters, else its first `budget` characters. "" stands for a
    start that is not known."""
    if not items:
        return {" "}  # the phrase ends, and the full pattern then requires a non-word character
    if budget == 0:
        return {""}
    (op, arg), rest = items[0], items[1:]
    if op is sre_parse.LITERAL:
        char = chr(arg)
        if not _WORD_RUN.match(char):
            return {" "}
        return {char + tail for tail in _starts(rest, budget - 1)}
    if op is sre_parse.BRANCH:
        return set().union(*(_starts([*branch, *rest], budget) for branch in arg[1]))
    if op is sre_parse.SUBPATTERN:
        return _starts([*arg[-1], *rest], budget)
    if op is sre_parse.IN:
        if list(arg) == [(sre_parse.CATEGORY, sre_parse.CATEGORY_DIGIT)]:
            return {digit for digit in "0123456789"} if budget > 0 else {""}
        if set(arg) <= _SEPARATOR_CLASS_ITEMS:
            return {" "}
        return {""}
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
        low, _, body = arg
        found = _starts([*body, *rest], budget)
        return found if low > 0 else found | _starts(rest, budget)
    return {""}


def _is_separator(item: Any) -> bool:
    """A run of at least one separator character (so what follows starts a word)."""
    op, arg = item
    if op is sre_parse.MAX_REPEAT and arg[0] >= 1 and len(arg[2]) == 1:
        op, arg = arg[2][0]
    return op is sre_parse.IN and set(arg) <= _SEPARATOR_CLASS_ITEMS


def _word_keys(items: list[Any]) -> frozenset[str] | None:
    """The most selective key set of a parsed phrase: at the phrase's start or after any of its
    mandatory separators a word begins whose `_starts` are all known; every match has one of them
    at the start of one of the text's words."""
    best: frozenset[str] | None = None
    for index in range(len(items)):
        if index > 0 and not _is_separator(items[index - 1]):
            continue
        starts = _starts(items[index:], _KEY_LENGTH)
        if any(start in ("", " ") for start in starts):
            continue
        keys = frozenset(starts)
        if best is None or min(map(len, keys)) > min(map(len, best)):
            best = keys
    return best


_Shape = tuple[frozenset[str] | None, frozenset[str] | None]
# The shapes of the shipped taxonomy's phrases (`write_shapes`, `make theme-shapes`): parsing them all
# is ~0.3 CPU-s a process, most of a night's theme matching. They hold for this file's code and this
# Python's regex parser only (`_shapes_fingerprint`); any other phrase is parsed.
SHAPES_PATH = Path(__file__).with_name("theme_shapes.json")
_SHAPES: dict[str, _Shape] = {}


def _parse_shape(phrase: str) -> _Shape:
    items = list(sre_parse.parse(compile_phrase(phrase)))
    first = _starts(items, _KEY_LENGTH)
    return _word_keys(items), None if first & {"", " "} else frozenset(first)


def _phrase_shape(phrase: str) -> _Shape:
    """A phrase's keys (`_word_keys`) and the `_starts` of its first word, None if not all known
    (parsed once per phrase: a service's own patterns repeat the theme's phrases)."""
    if not _SHAPES:
        _SHAPES.update(_precomputed_shapes(SHAPES_PATH))
    shape = _SHAPES.get(phrase)
    if shape is None:
        shape = _SHAPES[phrase] = _parse_shape(phrase)
    return shape


def _shapes_fingerprint() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"python {sys.version_info.major}.{sys.version_info.minor}".encode())
    return digest.hexdigest()[:16]


def _precomputed_shapes(path: Path) -> dict[str, _Shape]:
    """The shapes `write_shapes` wrote to `path`, or none if it is missing or was written by other code."""
    try:
        document = json.loads(path.read_bytes())
        fingerprint = _shapes_fingerprint()  # reads this file's source, absent from a bytecode-only install
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("fingerprint") != fingerprint:
        return {}
    return {
        phrase: (None if keys is None else frozenset(keys), None if first is None else frozenset(first))
        for phrase, (keys, first) in document["shapes"].items()
    }


def shapes_document(phrases: Iterable[str]) -> str:
    """The JSON `write_shapes` writes for `phrases`, one phrase a line: each one parsed, keys sorted
    (the same bytes each time)."""
    lines = []
    for phrase in sorted(set(phrases)):
        keys, first = _parse_shape(phrase)
        shape = [None if keys is None else sorted(keys), None if first is None else sorted(first)]
        lines.append(f"{json.dumps(phrase)}: {json.dumps(shape)}")
    return f'{{"fingerprint": "{_shapes_fingerprint()}", "shapes": {{\n' + ",\n".join(lines) + "\n}}\n"


def taxonomy_phrases(taxonomy: Taxonomy) -> set[str]:
    return {
        phrase
        for theme in taxonomy.themes
        for phrase in (*theme.include, *theme.exclude, *(p for ps in theme.services.values() for p in ps))
    }


def write_shapes(taxonomy_path: Path = DEFAULT_TAXONOMY_PATH, out: Path = SHAPES_PATH) -> None:
    out.write_text(shapes_document(taxonomy_phrases(Taxonomy.load(taxonomy_path))), encoding="utf-8")


def _phrase_keys(phrases: Iterable[str]) -> frozenset[str] | None:
    """The keys of `phrases` (`_word_keys`), or None if some phrase has none (then the theme is
    always searched). A theme none of whose keys begins a word of a text cannot match it."""
    keys: set[str] = set()
    for phrase in phrases:
        found = _phrase_shape(phrase)[0]
        if found is None:
            return None
        keys |= found
    return frozenset(keys)


def _keys_of_word(word: str) -> tuple[str, ...]:
    """The `_starts` keys a word begins with: its prefixes up to `_KEY_LENGTH` letters, and the word
    itself followed by a space if it is that short."""
    keys = (word[:1], word[:2], word[:3], word[:4], word[:5], word[:6])  # _KEY_LENGTH prefixes
    return (*keys, word + " ") if len(word) <= _KEY_LENGTH else keys


def _text_keys(text: str) -> set[str]:
    """The `_starts` keys of the words of a text."""
    keys: set[str] = set()
    for word in _WORD_RUN.findall(text):
        keys.update(_keys_of_word(word))
    return keys


class _WordKeys:
    """The `_starts` keys of one text's words: of the word at a position (`_candidates` records those
    of its candidate words) and of the whole text (`_text_keys`, on first use)."""

    __slots__ = ("_text_keys", "at", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.at: dict[int, tuple[str, ...]] = {}
        self._text_keys: set[str] | None = None

    def of_word(self, at: int) -> tuple[str, ...]:
        keys = self.at.get(at)
        if keys is None:
            word = _WORD_RUN.match(self.text, at)
            keys = self.at[at] = _keys_of_word(word.group()) if word else ()
        return keys

    def of_text(self) -> set[str]:
        if self._text_keys is None:
            self._text_keys = _text_keys(self.text)
        return self._text_keys


def _candidates(
    text: str, index: Mapping[str, tuple[int, ...]], words: _WordKeys | None = None
) -> dict[int, list[int]]:
    """Slot -> where the words of `text` begin that have one of the slot's first-word keys (`index`:
    key -> slots), in text order: the only places a match of the slot's phrases can begin (their
    words' keys recorded in `words`)."""
    found: dict[int, list[int]] = {}
    get = index.get
    for match in _WORD_RUN.finditer(text):
        at = match.start()
        keys = _keys_of_word(match.group())
        for key in keys:
            slots = get(key)
            if slots is None:
                continue
            if words is not None:
                words.at[at] = keys
            for slot in slots:
                starts = found.get(slot)
                if starts is None:
                    found[slot] = [at]
                elif starts[-1] != at:
                    starts.append(at)
    return found


class _Alternation:
    r"""Phrases as one expression `(?<!\w)(?:phrase|...)(?!\w)`, and their matches in a text.

    When the first word of every phrase has known `_starts` (`first_keys`), a match can only begin
    where a word with one of those keys begins (`_candidates`), and only by a phrase one of whose
    own first-word keys that word has: `hits` tries those phrases there, in the expression's order,
    each as `(?<!\w)(?:phrase)(?!\w)` (the expression's alternatives are tried in that order with
    the same ending, so the first phrase that matches is the expression's match), and finds what
    `finditer` finds (leftmost, non-overlapping). A phrase is compiled the first time a word could
    start it in a text that also holds one of its keys (`_word_keys`; without one it cannot match
    there), once per process for every theme and service that lists it (`_EXPRESSIONS`): a night's
    few texts reach few phrases, and compiling every expression was most of a small run's theme scoring.
    Trying phrases one by one costs more per text than one match of the whole expression, so a large
    batch (more than `_PHRASE_BY_PHRASE_TEXTS` texts: a fresh warehouse) compiles the whole expression
    (`pattern`) and tries it at the candidates instead (`hits` without `words`). Every phrase has been
    parsed already (`_phrase_shape`), so an invalid phrase still fails when the index is built."""

    __slots__ = ("_by_key", "_compiled", "_keys", "_patterns", "first_keys", "source")

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = tuple(phrases)
        shapes = {compile_phrase(p): _phrase_shape(p) for p in phrases}
        firsts = {pattern: first for pattern, (_, first) in shapes.items()}
        # Longest first, so a longer phrase wins where two begin at one place; ties by text, not by the
        # set's hash order, so every process builds the same expression.
        self._patterns = sorted(firsts, key=lambda p: (-len(p), p))
        self._keys = [shapes[pattern][0] for pattern in self._patterns]
        self.source = r"(?<!\w)(?:" + "|".join(self._patterns) + r")(?!\w)"
        self._compiled: re.Pattern[str] | None = None
        known = [first for first in firsts.values() if first is not None]
        self.first_keys = frozenset().union(*known) if len(known) == len(firsts) else None
        by_key: dict[str, list[int]] = {}
        if self.first_keys is not None:
            for position, pattern in enumerate(self._patterns):
                for key in firsts[pattern] or ():
                    by_key.setdefault(key, []).append(position)
        self._by_key = {key: tuple(positions) for key, positions in by_key.items()}

    @property
    def pattern(self) -> re.Pattern[str]:
        """The whole expression, compiled on first use."""
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled

    def hits(
        self, text: str, candidates: Sequence[int] | None = None, words: _WordKeys | None = None
    ) -> list[tuple[int, str]]:
        """(start, matched text) of each match, as `finditer` finds them. With `first_keys`, at the
        `candidates` of a text (`_candidates`): the phrases their words can start, one by one, given
        `words` (their keys, recorded by `_candidates`), else the whole expression; else by `finditer`."""
        if self.first_keys is None or candidates is None:
            return [(m.start(), m.group()) for m in self.pattern.finditer(text)]
        found: list[tuple[int, str]] = []
        end = 0
        if words is None:
            match = self.pattern.match
            for at in candidates:
                if at >= end:
                    hit = match(text, at)
                    if hit is not None:
                        found.append((at, hit.group()))
                        end = hit.end()
            return found
        by_key = self._by_key
        for at in candidates:
            if at < end:
                continue
            positions: set[int] = set()
            for key in words.of_word(at):
                positions.update(by_key.get(key, ()))
            for position in sorted(positions):
                pattern = self._patterns[position]
                expression = _EXPRESSIONS.get(pattern)
                if expression is None:
                    keys = self._keys[position]
                    if keys is not None and keys.isdisjoint(words.of_text()):
                        continue  # not compiled for a text it cannot match
                    expression = _EXPRESSIONS[pattern] = re.compile(r"(?<!\w)(?:" + pattern + r")(?!\w)")
                hit = expression.match(text, at)
                if hit is not None:
                    found.append((at, hit.group()))
                    end = hit.end()
                    break
        return found


# The largest batch of texts `match_many` searches phrase by phrase (`_Alternation`).
_PHRASE_BY_PHRASE_TEXTS = 1000
# A phrase's pattern -> its expression between `_Alternation`'s word boundaries, compiled once per
# process (the taxonomy's phrases bound its size).
_EXPRESSIONS: dict[str, re.Pattern[str]] = {}


def _alternation(phrases: Iterable[str]) -> _Alternation | None:
    phrases = tuple(phrases)
    return _Alternation(phrases) if phrases else None


# (alternation, its slot in the first-key index, the theme's keys for an include alternation)
_Search = tuple["_Alternation | None", int, "frozenset[str] | None"]


class _CompiledTheme:
    """A theme's phrases as alternations and keys, built on first use: a taxonomy loaded for its
    themes and version only (as `refresh_config_tables` loads it) compiles nothing."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._by_service: dict[str, tuple[_Alternation | None, frozenset[str] | None]] = {}

    @functools.cached_property
    def include(self) -> _Alternation | None:
        return _alternation(self.theme.include)

    @functools.cached_property
    def keys(self) -> frozenset[str] | None:
        return _phrase_keys(self.theme.include)

    @functools.cached_property
    def exclude(self) -> _Alternation | None:
        return _alternation(self.theme.exclude)

    def include_for(self, service_id: str | None) -> tuple[_Alternation | None, frozenset[str] | None]:
        """The include phrases, extended with the service's own phrases (compiled on first use),
        and their keys."""
        if service_id is None or service_id not in self.theme.services:
            return self.include, self.keys
        if service_id not in self._by_service:
            phrases = (*self.theme.include, *self.theme.services[service_id])
            self._by_service[service_id] = (_alternation(phrases), _phrase_keys(phrases))
        return self._by_service[service_id]


def _check_phrases(theme_id: str, key: str, value: Any, *, allow_empty: bool) -> tuple[str, ...]:
    if value is None and allow_empty:
        return ()
    if not isinstance(value, list) or (not value and not allow_empty):
        kind = "list" if allow_empty else "non-empty list"
        raise ValueError(f"theme {theme_id!r}: {key!r} must be a {kind} of phrases")
    for phrase in value:
        if not isinstance(phrase, str) or not phrase.strip():
            raise ValueError(f"theme {theme_id!r}: {key!r} has an empty or non-string phrase: {phrase!r}")
        try:
            compile_phrase(phrase)
        except ValueError as exc:
            raise ValueError(f"theme {theme_id!r}: {key!r} has an invalid phrase {phrase!r}: {exc}") from exc
    return tuple(value)


def _parse_theme(theme_id: Any, spec: Any) -> Theme:
    if not isinstance(theme_id, str) or not _ID.match(theme_id):
        raise ValueError(f"theme id {theme_id!r} must be snake_case (a-z, 0-9, _)")
    if not isinstance(spec, dict):
        raise ValueError(f"theme {theme_id!r}: must be a mapping of keys, got {type(spec).__name__}")
    unknown = sorted(set(map(str, spec)) - _THEME_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_THEME_KEYS))
        raise ValueError(f"theme {theme_id!r}: unknown key {unknown[0]!r} (allowed: {allowed})")
    for key in _REQUIRED_THEME_KEYS:
        if key not in spec:
            raise ValueError(f"theme {theme_id!r}: missing key {key!r}")
    for key in ("label", "description"):
        if key in spec and (not isinstance(spec[key], str) or not spec[key].strip()):
            raise ValueError(f"theme {theme_id!r}: {key!r} must be a non-empty string")
    driver = spec["a11_driver"]
    if driver not in A11_DRIVERS:
        drivers = ", ".join(sorted(A11_DRIVERS))
        raise ValueError(f"theme {theme_id!r}: 'a11_driver' must be one of {drivers}, got {driver!r}")
    include = _check_phrases(theme_id, "include", spec["include"], allow_empty=False)
    exclude = _check_phrases(theme_id, "exclude", spec.get("exclude"), allow_empty=True)
    services_spec = spec.get("services") or {}
    if not isinstance(services_spec, dict):
        raise ValueError(f"theme {theme_id!r}: 'services' must map service ids to lists of phrases")
    services: dict[str, tuple[str, ...]] = {}
    for service_id, phrases in services_spec.items():
        if not isinstance(service_id, str) or not _ID.match(service_id):
            raise ValueError(f"theme {theme_id!r}: 'services' has an invalid service id {service_id!r}")
        services[service_id] = _check_phrases(theme_id, f"services.{service_id}", phrases, allow_empty=False)
    return Theme(
        theme_id=theme_id,
        label=spec["label"].strip(),
        a11_driver=driver,
        include=include,
        exclude=exclude,
        services=services,
        description=str(spec.get("description", "")).strip(),
    )


class _UniqueKeyLoader(yaml.CSafeLoader):  # libyaml's parser: a tenth of the pure-Python one's time
    pass


def _mapping_without_duplicates(loader: yaml.CSafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise ValueError(f"duplicate key {key!r} (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


_ThemeSearch = tuple[_CompiledTheme, _Search, _Search]


class Taxonomy:
    """A validated theme taxonomy with one regular expression per theme (and service), compiled on
    the first match.

    Each theme's expression is tried only where a word of the text begins with one of the keys its
    phrases' first words can begin with (`_Alternation.first_keys`); one index per service maps each
    key to the themes it may start, so a text's words are looked up once for all themes. A theme
    whose phrases' first words are not all known falls back to its keys anywhere in the text
    (`_phrase_keys`) and a plain search. Neither ever changes a match."""

    def __init__(self, themes: Iterable[Theme], version: str, model: ThemeModel | None = None) -> None:
        self.themes: tuple[Theme, ...] = tuple(themes)
        self.model = model
        self.version = theme_decide_version(version, model)
        ids = [t.theme_id for t in self.themes]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate theme ids")
        self._compiled = tuple(_CompiledTheme(theme) for theme in self.themes)
        self._services_with_phrases = frozenset(s for t in self.themes for s in t.services)
        self._by_service: dict[str | None, tuple[list[_ThemeSearch], dict[str, tuple[int, ...]], bool]] = {}

    @classmethod
    def load(cls, path: Path = DEFAULT_TAXONOMY_PATH) -> Taxonomy:
        raw = Path(path).read_bytes()
        try:
            document = yaml.load(raw.decode("utf-8"), Loader=_UniqueKeyLoader)
        except (yaml.YAMLError, ValueError) as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(document, dict):
            raise ValueError(f"{path}: expected a mapping with a 'themes' key")
        unknown = sorted(set(map(str, document)) - _TOP_LEVEL_KEYS)
        if unknown:
            raise ValueError(f"{path}: unknown top-level key {unknown[0]!r} (allowed: themes, model)")
        themes_spec = document.get("themes")
        if not isinstance(themes_spec, dict) or not themes_spec:
            raise ValueError(f"{path}: 'themes' must be a non-empty mapping of theme ids to themes")
        try:
            themes = [_parse_theme(theme_id, spec) for theme_id, spec in themes_spec.items()]
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc
        model = load_model(Path(path), document.get("model"))
        return cls(themes, hashlib.sha256(raw).hexdigest()[:12], model)

    def match(self, text: str, service_id: str | None = None) -> list[ThemeMatch]:
        """Themes found in `text`, in taxonomy order, with the matched words as they appear (lower-cased)."""
        return self.match_many([text], [service_id])[0]

    def match_many(self, texts: Sequence[str], service_ids: Sequence[str | None]) -> list[list[ThemeMatch]]:
        """`match` for many texts at once (the model scores them in one batch)."""
        cleaned = [clean_for_sentiment(text).lower() for text in texts]
        by_phrase = len(cleaned) <= _PHRASE_BY_PHRASE_TEXTS
        rules = [
            self._phrase_matches(c, s, by_phrase=by_phrase) if c else {}
            for c, s in zip(cleaned, service_ids, strict=True)
        ]
        decided = decide(cleaned, rules, self.model)
        return [
            [
                ThemeMatch(t.theme_id, t.label, t.a11_driver, found[t.theme_id])
                for t in self.themes
                if t.theme_id in found
            ]
            for found in decided
        ]

    def examples(
        self, texts: Sequence[str], service_ids: Sequence[str | None], themes: Sequence[frozenset[str]]
    ) -> list[Example]:
        """Labelled texts as model training examples (phrase and pattern evidence of this taxonomy)."""
        cleaned = [clean_for_sentiment(text).lower() for text in texts]
        rules = [self._phrase_matches(c, s) for c, s in zip(cleaned, service_ids, strict=True)]
        return examples(cleaned, rules, themes=themes)

    def _index(self, service_id: str | None) -> tuple[list[_ThemeSearch], dict[str, tuple[int, ...]], bool]:
        """For a service: each theme with its include and exclude (alternation, slot), the key ->
        slots index of their first-word keys (slots 2i and 2i+1 for theme i), and whether every
        alternation has first-word keys; built on first use."""
        if service_id not in self._by_service:
            themes: list[_ThemeSearch] = []
            slots: dict[str, list[int]] = {}
            complete = True
            for position, compiled in enumerate(self._compiled):
                try:
                    include, keys = compiled.include_for(service_id)
                    exclude = compiled.exclude
                except re.error as exc:
                    raise ValueError(
                        f"theme {compiled.theme.theme_id!r}: a phrase compiles to an invalid pattern: {exc}"
                    ) from exc
                pair = ((include, 2 * position, keys), (exclude, 2 * position + 1, None))
                for alternation, slot, _ in pair:
                    if alternation is None:
                        continue
                    if alternation.first_keys is None:
                        complete = False
                        continue
                    for key in alternation.first_keys:
                        slots.setdefault(key, []).append(slot)
                themes.append((compiled, pair[0], pair[1]))
            self._by_service[service_id] = (themes, {k: tuple(v) for k, v in slots.items()}, complete)
        themes, index, complete = self._by_service[service_id]
        return themes, index, complete

    def _phrase_matches(
        self, cleaned: str, service_id: str | None, *, by_phrase: bool = False
    ) -> dict[str, tuple[str, ...]]:
        """Each theme's include matches (evidence) in a cleaned text; `by_phrase` tries the phrases
        one by one where they can begin (see `_Alternation`), else the whole expressions."""
        if service_id not in self._services_with_phrases:
            service_id = None  # a service without phrases of its own matches as no service
        themes, index, complete = self._index(service_id)
        words = _WordKeys(cleaned) if by_phrase else None
        candidates = _candidates(cleaned, index, words)
        text_keys = None if complete else _text_keys(cleaned)
        breaks: list[int] | None = None
        found: dict[str, tuple[str, ...]] = {}
        for compiled, (include, slot, keys), (exclude, exclude_slot, _) in themes:
            if include is None:
                continue
            if include.first_keys is not None:
                if slot not in candidates:
                    continue
            elif text_keys is not None and keys is not None and keys.isdisjoint(text_keys):
                continue
            hits = include.hits(cleaned, candidates.get(slot, []), words)
            if not hits:
                continue
            if exclude is not None:
                excluded = [
                    start for start, _ in exclude.hits(cleaned, candidates.get(exclude_slot, []), words)
                ]
                if excluded:
                    if breaks is None:
                        breaks = [m.end() for m in _SENTENCE_BREAK.finditer(cleaned)]
                    blocked = {bisect.bisect_right(breaks, start) for start in excluded}
                    hits = [(s, t) for s, t in hits if bisect.bisect_right(breaks, s) not in blocked]
                    if not hits:
                        continue
            found[compiled.theme.theme_id] = tuple(dict.fromkeys(" ".join(t.split()) for _, t in hits))
        return found


if __name__ == "__main__":
    write_shapes()
