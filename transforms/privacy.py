"""PII redaction for feedback text, and keyed pseudonyms for author and caller ids.

`redact` replaces, in this order: emails (also spelled out, "jane dot doe at gmail dot com") by
[EMAIL]; dates of birth introduced as such ("DOB 03/14/1985", "born 3/14/85") by [DOB]; SSNs by
[SSN]; Luhn-valid payment card numbers by [CARD]; US and international phone numbers by [PHONE];
US street addresses ("1432 Elm St", "221 North Maple Avenue Apt 4", "PO Box 12") by [ADDRESS].

It leaves alone what residents write about their case: amounts, times, durations, ordinary dates,
years, "311", and numbers introduced as ticket, case, order or confirmation numbers (a 10-digit
number after "ticket #" is not a phone number; a card-length number that fails the Luhn check is not
a card). Everything is done with precompiled regular expressions, at tens of thousands of texts
per second.
"""

from __future__ import annotations

import hashlib
import hmac
import re

__all__ = ["Redactor", "pseudonymize", "redact"]

_ID_CONTEXT = re.compile(
    r"(?:ticket|case|confirmation|conf|order|reference|ref|request|sr|tracking|permit|application|"
    r"invoice|claim|citation|incident|report|receipt|transaction|account|acct|policy|id|#)"
    r"[\s.:#-]*(?:number|no|num|id|#)?[\s.:#-]*$",
    re.IGNORECASE,
)


def _has_id_context(text: str, start: int) -> bool:
    return _ID_CONTEXT.search(text[max(0, start - 30) : start]) is not None


_TLD = r"(?:com|org|net|gov|edu|mil|us|io|co|info|biz|me|app|ca|uk|mx|es|fr|de|au|in|ai|dev)"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}\b", re.IGNORECASE)
_DOT = r"\s*(?:\.|\(dot\)|\[dot\]|\{dot\}|<dot>|\bdot\b)\s*"
_AT = r"\s*(?:@|\(at\)|\[at\]|\{at\}|<at>|\bat\b)\s*"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.])([a-z0-9_+-]+(?:{_DOT}[a-z0-9_+-]+)*)({_AT})([a-z0-9-]+)((?:{_DOT}[a-z0-9-]+)*{_DOT}{_TLD})\b",
    re.IGNORECASE,
)
_SPELLED_TOKEN = re.compile(r"\bdot\b|[(\[{<](?:at|dot)[)\]}>]", re.IGNORECASE)
_MAIL_PROVIDERS = frozenset(
    re.findall(
        r"\w+",
        "gmail googlemail yahoo ymail hotmail outlook live msn aol icloud me mac comcast att sbcglobal "
        "verizon protonmail proton gmx mail zoho fastmail cox charter earthlink bellsouth",
    )
)

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}(?:[/.-](?:\d{4}|\d{2}))?(?!\d)"
    r"|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}(?!\d)"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?(?!\d))"
)
_DOB = re.compile(
    rf"(\b(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born)(?:\s+(?:is|was|on|of))?\s*[:#-]?\s*)({_DATE})",
    re.IGNORECASE,
)

_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])")
_SSN_CONTEXT = re.compile(
    r"(\b(?:ssn|ss#|ss\s+#|social\s+security(?:\s+(?:number|no\.?|#))?|social(?=\s*(?:is|was|#|:|number)))"
    r"\s*(?:is|was|number|no\.?|#)?\s*[:#-]?\s*)"
    r"(\d{9}|\d{3}[- ]\d{2}[- ]\d{4}"
    r"|(?:ending\s+in\s+|last\s+(?:4|four)\s+(?:digits\s+)?(?:is\s+|are\s+)?)?\d{4})(?!\d)",
    re.IGNORECASE,
)

_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")

_PHONE = re.compile(
    r"(?<![\w+/.-])(?:"
    r"\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}"
    r"|(?:1[\s.-]?)?\(\d{3}\)\s?\d{3}[\s.-]?\d{4}"
    r"|(?:1[\s.-])?\d{3}[\s.-]\d{3}[\s.-]\d{4}"
    r"|1?\d{10}"
    r"|[2-9]\d{2}[.-]\d{4}"
    r")(?:\s*(?:ext\.?|x|extension)\s*\d{1,5})?(?![\w/-]|\.\w|-\d)",
    re.IGNORECASE,
)

_STREET_SUFFIX = (
    r"(?:st|street|ave|av|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|pl|place|way|pkwy|parkway|"
    r"ter|terrace|cir|circle|hwy|highway|trl|trail|loop|sq|square|pike|aly|alley|plz|plaza|cres|crescent|"
    r"xing|expy|expressway|fwy|freeway|tpke|turnpike|trace|trce)"
)
_DIRECTION = r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west|northeast|northwest|southeast|southwest)\.?"
_NOT_STREET_NAME = (
    r"(?!(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|seconds?|secs?|miles?|mi|km|blocks?|"
    r"times?|people|persons?|cars?|lanes?|ways?|stars?|steps?|feet|foot|ft|inch(?:es)?|stor(?:y|ies)|"
    r"pages?|calls?|percent|dollars?|hundreds?|thousands?|millions?|billions?|dozens?|bucks|cents|kids|children|adults|residents|members|houses|homes|units?|"
    r"items?|trips?|visits?|trucks?|buses|bins?|cans?|bags?|yards?|acres?|degrees?|points?|votes?|"
    r"more|other|of|or|and|to|the|a|an|in|at|on|for|by|with|from|is|was|were|are)\b)"
)
_ADDRESS = re.compile(
    r"(?<![\w$#/.,:-])(?P<number>\d{1,6}(?:/\d{1,6})?(?:-?[a-z])?)(?!\s*(?:am|pm|a\.m|p\.m)\b)(?:\s+|(?=[a-z]{3,}))"
    rf"(?:{_DIRECTION}\s+)?"
    rf"(?P<name>(?:{_NOT_STREET_NAME}(?:\d{{1,3}}(?:st|nd|rd|th)|(?:st|mt|ft)\.|[a-z][a-z'-]*)\s+){{1,4}})"
    rf"(?P<suffix>{_STREET_SUFFIX})\b\.?"
    rf"(?:\s+{_DIRECTION}(?![\w]))?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|fl|floor|rm|room|bldg|#)\.?\s*#?\s*[a-z0-9-]{1,6}\b)?"
    r"(?:,?\s+[a-z][a-z .'-]{1,30}?,?\s+[a-z]{2}\.?\s+\d{5}(?:-\d{4})?\b)?",
    re.IGNORECASE,
)
_COMMON_WORD_SUFFIXES = frozenset(
    {
        "way",
        "drive",
        "court",
        "place",
        "circle",
        "square",
        "loop",
        "trail",
        "lane",
        "trace",
        "terrace",
        "alley",
        "plaza",
        "pike",
        "crescent",
    }
)
_PO_BOX = re.compile(r"\bp\.?\s?o\.?\s*box\s+#?\d{1,8}\b", re.IGNORECASE)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _spelled_email(match: re.Match[str]) -> str:
    local, at, domain, _ = match.groups()
    spelled = _SPELLED_TOKEN.search(match.group()) is not None or "@" in at
    if spelled or re.search(r"[._\d]", local) or domain.lower() in _MAIL_PROVIDERS:
        return "[EMAIL]"
    return match.group()


def _card(match: re.Match[str]) -> str:
    digits = _NON_DIGIT.sub("", match.group())
    is_card = 13 <= len(digits) <= 19 and _luhn_valid(digits) and len(set(digits)) > 1
    if is_card and not _has_id_context(match.string, match.start()):
        return "[CARD]"
    return match.group()


_NON_DIGIT = re.compile(r"\D")
_EXTENSION = re.compile(r"\s*(?:ext\.?|x|extension)\s*\d+$", re.IGNORECASE)


def _phone(match: re.Match[str]) -> str:
    found = match.group()
    if _has_id_context(match.string, match.start()):
        return found
    number = _EXTENSION.sub("", found)
    digits = _NON_DIGIT.sub("", number)
    if number.startswith("+"):
        return "[PHONE]" if 8 <= len(digits) <= 15 else found
    if number.isdigit():
        national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
        if len(national) != 10 or national[0] in "01" or national[3] in "01" or len(set(national)) < 3:
            return found
    return "[PHONE]"


def _address(match: re.Match[str]) -> str:
    """An address, unless it is an id, or a common word ("way", "drive") after a one-digit number
    and a lower-case name ("my 4S dies way faster")."""
    if _has_id_context(match.string, match.start()):
        return match.group()
    suffix, name, number = match.group("suffix", "name", "number")
    lower_case = not suffix[0].isupper() and not name[0].isupper()
    if suffix.lower() in _COMMON_WORD_SUFFIXES and lower_case and len(_NON_DIGIT.sub("", number)) < 2:
        return match.group()
    return "[ADDRESS]"


def _ssn(match: re.Match[str]) -> str:
    return match.group() if _has_id_context(match.string, match.start()) else "[SSN]"


_ACCOUNT = re.compile(
    r"(\b(?:(?:utility|water|billing|customer|member|bank|checking|savings)\s+)?"
    r"(?:account|acct|a/c|customer|member)\.?\s*(?:number|no\.?|num|#|id)?\s*(?:is|was)?\s*[:#-]?\s*#?\s*)"
    r"((?=[a-z0-9-]*\d[a-z0-9-]*\d[a-z0-9-]*\d[a-z0-9-]*\d)[a-z0-9][a-z0-9-]{2,24}[a-z0-9])(?![\w-])",
    re.IGNORECASE,
)


class Redactor:
    """`redact` with organisation-specific account or case number formats (config `privacy.account_patterns`).

    Each pattern is a regular expression matched case-insensitively as a whole token; matches become
    [ACCOUNT], before any other rule, so a case number is never mistaken for a phone number.
    """

    def __init__(self, account_patterns: tuple[str, ...] | list[str] = ()) -> None:
        self.account_patterns = tuple(account_patterns)
        self._custom = (
            re.compile(
                r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in self.account_patterns) + r")(?![\w-])",
                re.IGNORECASE,
            )
            if self.account_patterns
            else None
        )

    def __call__(self, text: str) -> str:
        if self._custom is not None:
            text = self._custom.sub("[ACCOUNT]", text)
        return redact(text)


def redact(text: str) -> str:
    """Replace emails, phones, SSNs, Luhn-valid card numbers, street addresses, DOBs and numbers
    introduced as account or customer numbers by placeholders."""
    if "@" in text:
        text = _EMAIL.sub("[EMAIL]", text)
    lowered = text.lower()
    if " at " in lowered or "(at)" in lowered or "[at]" in lowered or "{at}" in lowered or "<at>" in lowered:
        text = _SPELLED_EMAIL.sub(_spelled_email, text)
    if not any(c.isdigit() for c in text):
        return text
    text = _ACCOUNT.sub(lambda m: m.group(1) + "[ACCOUNT]", text)
    text = _DOB.sub(lambda m: m.group(1) + "[DOB]", text)
    text = _SSN_CONTEXT.sub(lambda m: m.group(1) + "[SSN]", text)
    text = _SSN.sub(_ssn, text)
    text = _CARD.sub(_card, text)
    text = _PHONE.sub(_phone, text)
    text = _PO_BOX.sub("[ADDRESS]", text)
    return _ADDRESS.sub(_address, text)


def pseudonymize(key: bytes, value: str, namespace: str = "") -> str:
    """A stable keyed pseudonym (HMAC-SHA256, first 24 hex characters) of `value` within `namespace`.

    The same key, namespace and value always give the same pseudonym, so one person's records can
    be grouped; without the key it cannot be reversed or recomputed from a guessed value. Namespaces
    (for example the source name) keep equal ids from different systems apart. `value` is used as
    given: normalise it first if the source is case-insensitive.
    """
    if not key:
        raise ValueError("pseudonymize needs a non-empty secret key")
    message = f"{len(namespace)}:{namespace}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:24]
