"""PII redaction for feedback text, and keyed pseudonyms for author and caller ids.

`redact` replaces e-mails (also spaced or spelled out), self-introduced names, IP addresses,
account, case, plate and driver's-licence numbers introduced as such, dates of birth, SSNs,
Luhn-valid card numbers, phone numbers and street addresses by [EMAIL], [NAME], [IP], [ACCOUNT],
[CASE_ID], [PLATE], [DRIVERS_LICENSE], [DOB], [SSN], [CARD], [PHONE] and [ADDRESS]
(docs/quality-and-privacy.md has the list and the measured recall).

It leaves alone amounts, times, durations, dates of service, years, counts, "311", route, highway,
exit and lane numbers, speed limits, ZIP codes alone, and order, confirmation or invoice numbers.
Everything is precompiled regular expressions, each guarded by a cheap substring test.
"""

from __future__ import annotations

import ipaddress
import re

from transforms import street_suffixes
from transforms.pseudonym import pseudonymize

__all__ = ["Redactor", "pseudonymize", "redact"]

_ID_CONTEXT = re.compile(
    r"\b(?:ticket|case|confirmation|conf|order|reference|ref|request|sr|tracking|permit|application|"
    r"invoice|claim|citation|incident|report|receipt|transaction|account|acct|policy|pole|issue|"
    r"inspector|version|room|item|model|serial|part|sku|route|flight|order\s+id)"
    r"[\s.:#-]*(?:number|no|num|id|#)?[\s.:#-]*$",
    re.IGNORECASE,
)


def _has_id_context(text: str, start: int) -> bool:
    return _ID_CONTEXT.search(text[max(0, start - 30) : start]) is not None


_TLD = r"(?:com|org|net|gov|edu|mil|info|biz|app|dev|school|[a-z]{2})"
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
    rf"((?:\b(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born|fecha\s+de\s+nacimiento)|(?<![\w.])b\.)"
    rf"(?:\s+(?:is|was|on|of))?\s*[:#,-]?\s*)({_DATE})",
    re.IGNORECASE,
)

_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])")
_SSN_CONTEXT = re.compile(
    r"(\b(?:ssn|ss#|ss\s+#|social\s+security(?:\s+(?:number|no\.?|#))?|social(?=\s*(?:is|was|#|:|number)))"
    r"\s*(?:is|was|number|no\.?|#)?\s*[:#(-]?\s*)"
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

_DIRECTION_WORD = r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west|northeast|northwest|southeast|southwest)"
_DIRECTION = _DIRECTION_WORD + r"\.?"
# Words that follow a number without being (the start of) a street name: units, counts, function words.
# "ft" is feet unless written "Ft"/"FT" before a capitalised word (Fort: "847 Ft Hill St"); "Day", "Lane"
# and "Page" in capitals are surnames ("73 Lane Street"). The units and counts are ordinary words only in
# lower or upper case: capitalised they are surnames or names ("40 Miles Vista", "632 Foot Close",
# "5 Times Square"). "Center", "Left", "Fast" and the like are lane words only before "lane" or "turn"
# ("the 2 center lanes", "3 left turn lanes"; "12 Center St" is a street).
_COUNT_WORDS = (
    r"minutes?|mins?|hours?|hrs?|weeks?|months?|years?|yrs?|seconds?|secs?|miles?|mi|km|blocks?|"
    r"times?|people|persons?|cars?|ways?|stars?|steps?|feet|foot|inch(?:es)?|meters?|metres?|calls?|"
    r"percent|dollars?|hundreds?|thousands?|millions?|billions?|dozens?|bucks|cents|kids|children|"
    r"adults|residents|members|houses|homes|units?|trees?|potholes?|lights?|poles?|signs?|"
    r"items?|trips?|visits?|trucks?|buses|bins?|cans?|bags?|yards?|acres?|degrees?|points?|votes?"
)
_COUNT_WORDS_UPPER = _COUNT_WORDS.upper()
_NOT_STREET_NAME = (
    rf"(?!(?:(?-i:{_COUNT_WORDS}|{_COUNT_WORDS_UPPER}|"
    r"stor(?:y|ies)|STORIES|days?|DAYS|lanes?|LANES|pages?|PAGES|ft|Ft(?!\.?\s+[A-Z])|FT(?!\.?\s+[A-Z]))|"
    r"traffic|hov|turn|turning|bike|travel|northbound|southbound|eastbound|westbound|exit|mph|speed|passing|"
    r"merge|(?:left|right|express|through|center|centre|middle|outside|inside|fast|slow)"
    r"(?=[^\S\n]+(?:[a-z]+[^\S\n]+)?(?:lanes?|ln|turn|turning)\b)|"
    r"more|other|of|or|and|to|the|a|an|in|at|on|for|by|with|from|is|was|were|are|be|been|has|have|had|"
    r"until|till|past|near|between|behind|along|across|into|onto|over|under|off|out|about|around|after|"
    r"before|than|then|but|so|if|not|no|it|its|this|that|these|those|my|our|your|his|her|their|we|i|you|"
    r"they|he|she|there|here|will|would|can|could|should|all|some|any|each|every|very|just|only|also|still)"
    r"(?![\w'’-]))"
)
_UNIT_WORD = r"(?:apt|apartment|unit|suite|ste|flat|studio|level|lvl|shop|bldg|building)"
_UNIT_AFTER = (
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|flat|studio|fl|floor|rm|room|bldg|#)\.?\s*#?\s*"
    r"(?=[a-z]{0,2}\d|[a-z]\b)[a-z0-9-]{1,6}\b)"
)
# Case-sensitive alternatives for the uncommon street types: "Stairs" or "STAIRS", never "stairs".
_COMMON_CASED = {v for w in street_suffixes.COMMON for v in (w.capitalize(), w.upper())}
_EXTENDED_CASED = {v for w in street_suffixes.EXTENDED for v in (w.capitalize(), w.title(), w.upper())}
_GENERIC_ROAD_WORDS = frozenset({"street", "road", "avenue", "highway", "st", "rd", "ave", "hwy"})
_HOUSE_NUMBER_TAIL = r"(?:[-/]\d{1,6})?(?:-?[a-z](?![a-z]))?(?:\s+1/2)?(?!\s*(?:am|pm|a\.m|p\.m)\b)"
_HOUSE_NUMBER = r"\d{1,6}" + _HOUSE_NUMBER_TAIL
_ADDRESS_TAIL = rf"(?:\s+{_DIRECTION}(?!\w)|{_UNIT_AFTER}|(?-i:,?\s+RD\s+\d{{1,2}}\b)){{0,3}}"
_STREET = (
    rf"(?:{_DIRECTION}\s+)?"
    rf"(?P<name>(?:{_NOT_STREET_NAME}(?:\d{{1,3}}(?:st|nd|rd|th)?[^\S\n]+|[a-z]{{1,3}}\.[^\S\n]*|[a-zà-ÿ][a-zà-ÿ'’-]*[^\S\n]+)){{1,5}})"
    rf"(?P<suffix>{street_suffixes.alternation(street_suffixes.COMMON)}"
    rf"|(?-i:{street_suffixes.alternation(_EXTENDED_CASED)}))(?:\.[a-z]{{1,8}}\b|\b\.?)"
    # (a word glued on by a period goes with it: "Rd.side"); then, in any order, a direction ("NW"), a
    # unit ("Apt 4", "#12") and a NZ rural delivery ("RD 3")
    rf"{_ADDRESS_TAIL}"
    # then a town, state and ZIP ("Springfield, IL 62704"); the town does not run across a sentence end
    r"(?:,?\s+(?:(?:st|ft|mt|pt)\.\s*)?[a-z][a-z '-]{1,30}?,?\s+[a-z]{2}\.?\s+\d{5}(?:-\d{4})?\b)?"
)
# The house number ("12", "12-14", "12B", "123 1/2") and the street. The pattern starts with a digit
# (the look-behind comes after it) so that the regex engine skips quickly to the digits.
_ADDRESS = re.compile(
    rf"(?P<number>\d(?<![\w$#/.,:-]\d)\d{{0,5}}{_HOUSE_NUMBER_TAIL})(?:\s+|(?=[a-z]{{3,}})){_STREET}",
    re.IGNORECASE,
)
# A unit before the number ("Unit 4/12", "Flat 3, 12", "Apt. 413 165") or instead of it
# ("Studio 42R\nStephanie Turnpike").
_UNIT_ADDRESS = re.compile(
    rf"(?<![\w$#/.,:-]){_UNIT_WORD}\.?\s*#?\s*[a-z]?\d{{1,5}}[a-z]?(?:-[a-z0-9]{{1,3}})?(?:\s*[,/]\s*|\s+)"
    rf"(?:(?P<number>{_HOUSE_NUMBER})\s+)?{_STREET}",
    re.IGNORECASE,
)
_UNIT_WORDS = (
    "apt",
    "apartment",
    "unit",
    "suite",
    "ste",
    "flat",
    "studio",
    "level",
    "lvl",
    "shop",
    "bldg",
    "building",
)
# Streets without a street type after the name: "1170 Broadway", "30 Avenue X", "12 The Crescent".
_BARE_STREET = re.compile(
    r"\d(?<![\w$#/.,:-]\d)\d{0,5}(?:-\d{1,4})?\s+(?-i:(?:(?:East|West|North|South|EAST|WEST|NORTH|SOUTH)\s+)?"
    r"(?:Broadway|BROADWAY|Boulevard|BOULEVARD|Parkway|PARKWAY|The\s+Blvd|THE\s+BLVD|Grand\s+Concourse|"
    r"GRAND\s+CONCOURSE|Bowery|BOWERY|(?:Avenue|AVENUE)\s+(?:[A-Z](?!\w)|(?:of|Of|OF)\s+(?:the|The|THE)\s+[A-Z][A-Za-z]+)|"
    rf"(?:The|THE)\s+(?:{street_suffixes.alternation(_EXTENDED_CASED | _COMMON_CASED)})))\b" + _ADDRESS_TAIL,
    re.IGNORECASE,
)

# A numbered street without a house number or an ordinal, as New York writes it: "180 STREET",
# "EAST 180 STREET", "West 42 St". Only with the street type capitalised or in capitals, and a
# one-digit number only before Street, Avenue or Place ("2 Lane Road", "4 Way Stop" are not streets).
_NUMBERED_STREET_TYPES = ("street", "st", "avenue", "ave", "road", "rd", "place", "pl", "drive", "dr",
                          "terrace", "court", "lane", "boulevard", "parkway")  # fmt: skip
_NUMBERED_STREET_CASED = {v for w in _NUMBERED_STREET_TYPES for v in (w.capitalize(), w.upper())}
# The pattern starts with the digits (fast); a direction before them ("EAST 180 STREET") is looked for
# in the few characters before each match.
_NUMBERED_STREET = re.compile(
    r"(?P<number>\d(?<![\w$#/.,:-]\d)\d{0,2})[^\S\n]+"
    rf"(?P<suffix>(?-i:{street_suffixes.alternation(_NUMBERED_STREET_CASED)}))\b\.?"
    # "3 Street Lights", "10 Street Sweepers": street furniture and services, not a street
    r"(?![^\S\n]+(?:lights?|lamps?|signs?|sweep\w*|clean\w*|parking|closures?|repairs?|works?|vendors?|names?)\b)"
    + _ADDRESS_TAIL,
    re.IGNORECASE,
)
_DIRECTION_BEFORE = re.compile(rf"(?<![\w$#/.,:-]){_DIRECTION}[^\S\n]+\Z", re.IGNORECASE)
_ONE_DIGIT_STREET_TYPES = frozenset({"street", "avenue", "place"})


def _numbered_streets(text: str) -> str:
    parts: list[str] = []
    done = 0
    for match in _NUMBERED_STREET.finditer(text):
        number, suffix = match.group("number", "suffix")
        if len(number) == 1 and suffix.lower() not in _ONE_DIGIT_STREET_TYPES:
            continue  # "2 Lane Road", "4 Way Stop"
        if (suffix.lower(), number[-1]) in {("st", "1"), ("rd", "3")} and number[-2:-1] != "1":
            continue  # "21 ST", "43 RD": an ordinal written with a space
        start = match.start()
        direction = _DIRECTION_BEFORE.search(text, max(done, start - 12), start)
        if direction is not None:
            start = direction.start()
        if _has_id_context(text, start) or _preceded_by_road_word(text, start):
            continue
        parts += (text[done:start], "[ADDRESS]")
        done = match.end()
    return "".join((*parts, text[done:])) if parts else text


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
_PO_BOX = re.compile(r"\bp\.?\s?o\.?\s*box\s+#?\d{1,8}\b" + _ADDRESS_TAIL, re.IGNORECASE)


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


# A five-digit number right after a street type or a direction is the ZIP code of that street. One-letter
# directions only in capitals ("it's 12345 Oak Dr" is an address).
_ZIP_AFTER_STREET = re.compile(
    rf"(?<![\w'’])(?:{street_suffixes.alternation(street_suffixes.COMMON)}|{_DIRECTION_WORD}(?<=\w\w)|(?-i:[NSEW]))"
    r"\.?,?[^\S\n]+\Z",
    re.IGNORECASE,
)


def _address(match: re.Match[str]) -> str:
    """An address, unless it is an id, a road or exit number ("exit 12 Main Rd"), a common word
    ("way", "drive") after a one-digit number and a lower-case name ("my 4S dies way faster"), or an
    uncommon street type after ordinary words ("3 Street Lights")."""
    if _has_id_context(match.string, match.start()) or _preceded_by_road_word(match.string, match.start()):
        return match.group()
    suffix, name, number = match.group("suffix", "name", "number")
    if (
        number is not None
        and len(number) == 5
        and _ZIP_AFTER_STREET.search(match.string, max(0, match.start() - 16), match.start())
    ):
        return match.group()  # "moreland ave se 30316 crossing lyndale drive": a ZIP code
    if suffix.lower() not in street_suffixes.COMMON:
        words = name.split()
        if any(not w[0].isupper() and not w[0].isdigit() for w in words):
            return match.group()
        if len(words) == 1 and words[0].lower() in _GENERIC_ROAD_WORDS and suffix[-1] in "sS":
            return match.group()  # "3 Street Lights"
        return "[ADDRESS]"
    digits = len(_NON_DIGIT.sub("", number or ""))
    if digits == 1 and all(w.lower() in street_suffixes.COMMON for w in name.split()):
        return match.group()  # "2 Lane Road", "4 Lane Hwy"
    lower_case = not suffix[0].isupper() and not name[0].isupper()
    if suffix.lower() in _COMMON_WORD_SUFFIXES and lower_case and digits < 2:
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


# Labelled operational ids. Case, permit, service-request, ticket, claim, citation, complaint and
# reference numbers are tied to one resident, so they become [CASE_ID] (analysts still see that one
# was given); order, confirmation, invoice and pole numbers are kept.
_LABEL_ID = r"((?=[a-z0-9-]*\d[a-z0-9-]*\d[a-z0-9-]*\d)[a-z0-9][a-z0-9-]{1,24}[a-z0-9])(?![\w-])"
_CASE = re.compile(
    r"(\b(?:case|permit|service\s+request|sr|ticket|reference|ref|claim|citation|complaint|violation|"
    r"incident|application|license\s+application|request\s+id)\.?\s*(?:number|no\.?|num|#|id)?\s*(?:is|was)?"
    r"\s*[:#-]?\s*#?\s*)" + _LABEL_ID,
    re.IGNORECASE,
)
_LICENCE = re.compile(
    r"(\b(?:driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|licen[cs]e|d\.?l\.?n?|d/l)"
    r"\s*(?:number|no\.?|num|#|id)?\s*(?:is|was)?\s*[:#-]?\s*#?\s*)" + _LABEL_ID,
    re.IGNORECASE,
)
_PLATE = re.compile(
    r"(\b(?i:(?:licen[cs]e\s+)?plates?|tags?|(?:vehicle\s+)?reg(?:istration)?)(?![a-zA-Z])"
    r"\s*(?i:number|no\.?|num|#)?\s*(?i:is|was|reads)?\s*[:#-]?\s*#?\s*)"
    # a later part of letters only is short or joined by a hyphen ("27T-FXNE"), not the next word
    r"((?=[A-Z0-9 -]*[0-9])[A-Z0-9]{1,8}"
    r"(?:(?:[ -](?=[A-Z]{1,3}\b|[A-Z]*\d)|-(?=[A-Z]{4}\b))[A-Z0-9]{1,8}){0,2})(?![\w-])"
)


def _plate(match: re.Match[str]) -> str:
    """A plate has 4 to 10 letters and digits, at least one digit, and is not a year or a count."""
    plate = match.group(2)
    alnum = sum(c.isalnum() for c in plate)
    if not 4 <= alnum <= 10 or re.fullmatch(r"(?:19|20)\d\d", plate):
        return match.group()
    return match.group(1) + "[PLATE]"


_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)"
)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", re.IGNORECASE)


def _ipv6(match: re.Match[str]) -> str:
    found = match.group()
    if "::" not in found and found.count(":") < 5:
        return found
    try:
        ipaddress.IPv6Address(found)
    except ValueError:
        return found
    return "[IP]"


_NAME_WORD = r"(?:[A-ZÀ-Ý][\w'’-]*\.?)"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sr|Sra|Srta|Srita|Lic|Ing|Mtro|Mtra|Prof)\.?\s+)"
_NAME_SUFFIX = r"(?:,?\s+(?:Jr|Sr|MD|PhD|DDS|DVM|II|III|IV)\b\.?)"
_NAME_INTRO = re.compile(
    r"(\b(?i:my\s+name\s+is|my\s+name's|name\s*:|this\s+is|i'm|i’m|i\s+am)\s+)"
    rf"({_TITLE}?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}{_NAME_SUFFIX}?)"
)
# Words that follow "I'm" or "this is" without being a name.
_NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        """a an the and or but not so very really just also still now here there this that it in on at to
        for of
        from with by as about after before again all always am are be been being can cannot could did do does
        done going gone happy sad sorry glad sure tired sick afraid scared worried upset angry disabled
        unable able writing calling reporting requesting asking contacting emailing concerned confused
        disappointed grateful thankful pleased satisfied unhappy frustrated fed new old retired pregnant
        elderly blind deaf homeless single married ok okay fine well good great bad terrible awful no yes
        my your his her our their we you they he she i me us them who what when where why how which one two
        three four five six seven eight nine ten first second last next monday tuesday wednesday thursday
        friday saturday sunday january february march april june july august september october november
        december christmas easter covid nhs city county council dekalb atlanta macon highway hwy
        mental health hospital ward staff service services team care patient patients resident residents
        request please thanks thank dear hi hello re regarding update urgent important""",
    )
)

_NOT_NAME_STARTS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "not",
        "so",
        "very",
        "really",
        "just",
        "also",
        "still",
        "no",
        "yes",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "we",
        "you",
        "they",
        "it",
        "this",
        "that",
        "here",
        "there",
        "what",
        "who",
        "unknown",
        "withheld",
        "redacted",
    ]
)


def _name(match: re.Match[str]) -> str:
    intro, name = match.group(1), match.group(2)
    words = name.split()
    while words and words[-1].strip(".,'’").lower() in _NOT_NAMES:
        words.pop()
    if not words or words[0].strip(".,'’").lower() in _NOT_NAME_STARTS:
        return match.group()
    if not intro.lower().startswith(("my", "name")):
        # "this is", "I'm", "I am": a name only when it is two or more capitalised words none of which
        # is an ordinary word, in text that is not written all in capitals.
        if len(words) < 2 or match.string.isupper() or words[0].lower().endswith("ing"):
            return match.group()
        if any(w.strip(".,'’").lower() in _NOT_NAMES for w in words):
            return match.group()
    rest = name[len(" ".join(words)) :] if name.startswith(" ".join(words)) else ""
    return intro + "[NAME]" + rest


_SPACED_EMAIL = re.compile(
    rf"(?<![\w.+-])([\w.+-]+)\s*@\s*([\w-]+(?:\s*\.\s*[\w-]+)*\s*\.\s*{_TLD})\b", re.IGNORECASE
)


def _spaced_email(match: re.Match[str]) -> str:
    return "[EMAIL]" if re.search(r"[a-z]", match.group(1), re.IGNORECASE) else match.group()


_PHONE_CONTEXT = re.compile(
    r"(\b(?:phone|cell|mobile|tel|telephone|call(?:back)?|cb|contact|text|reach(?:ed)?|fax|number)\b"
    r"[^\d\n]{0,20}?)(\+?\(?\d[\d().\s/-]{5,18}\d(?:\s*(?:ext\.?|x|extension)\s*\d{1,5})?)(?![\w/-]|\.\d)",
    re.IGNORECASE,
)


def _phone_in_context(match: re.Match[str]) -> str:
    number = match.group(2)
    digits = _NON_DIGIT.sub("", _EXTENSION.sub("", number))
    if not 7 <= len(digits) <= 15 or _has_id_context(match.string, match.start(2)):
        return match.group()
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", number):  # a date
        return match.group()
    return match.group(1) + "[PHONE]"


_NUMBERED_ROAD = re.compile(
    r"(?<![\w$#/.,:-])\d{1,6}(?:-?[a-z])?\s+(?:(?:north|south|east|west|[nsew])\.?\s+)?"
    r"(?:highway|hwy\.?|us\s+hwy\.?|us\s+highway|us\s+route|state\s+route|state\s+road|state\s+highway|"
    r"county\s+road|county\s+rd\.?|co\.?\s+rd\.?|cr|sr|route|rte\.?|rt\.?|farm\s+to\s+market|fm|ranch\s+road|rr)"
    r"\s+\d{1,4}[a-z]?\b" + _ADDRESS_TAIL,
    re.IGNORECASE,
)


def _numbered_road(match: re.Match[str]) -> str:
    if _preceded_by_road_word(match.string, match.start()):
        return match.group()
    return "[ADDRESS]"


_ROAD_WORD_BEFORE = re.compile(
    r"(?:exits?|\b(?:since|hwy|highway|route|rte|interstate|i|us|ga|sr|the|speed|limit|over|"
    r"nearly|almost|than|mile|miles|marker|year|years|till|until|before|after)"
    r"|[-#])[\s.]*$",
    re.IGNORECASE,
)


def _preceded_by_road_word(text: str, start: int) -> bool:
    return _ROAD_WORD_BEFORE.search(text[max(0, start - 20) : start]) is not None


_SPANISH_ADDRESS = re.compile(
    r"\b(?:calle|avenida|av\.|boulevard|blvd\.?|callej[oó]n|calzada|cerrada|circuito|circunvalaci[oó]n|"
    r"continuaci[oó]n|corredor|diagonal|eje\s+vial|pasaje|peatonal|perif[eé]rico|privada|prolongaci[oó]n|"
    r"retorno|viaducto|ampliaci[oó]n|andador|carretera|camino)"
    rf"(?:\s+\d{{1,2}}\s+de)?(?:\s+{_NOT_STREET_NAME}[A-ZÀ-Ýa-zà-ÿ][\wÀ-ÿ.'-]*){{1,6}}\s+(?:#\s*|n[oº°]\.?\s*)?\d{{1,5}}[a-z]?\b"
    r"(?:\s*,?\s*(?:(?:interior|int\.|edif\.|depto\.|departamento|piso|local|mz\.?|lt\.?)\s*)?\d{1,5}[a-z]?\b)*"
    + _ADDRESS_TAIL,
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


def _has(lowered: str, words: tuple[str, ...]) -> bool:
    return any(map(lowered.__contains__, words))


def _has_word(lowered: str, words: tuple[str, ...], *, stems: bool = False) -> bool:
    """Whether one of `words` starts a word of `lowered` and, unless they are `stems`, ends it."""
    for word in words:
        at = lowered.find(word)
        while at >= 0:
            if _outside_word(lowered, at - 1) and (stems or _outside_word(lowered, at + len(word))):
                return True
            at = lowered.find(word, at + 1)
    return False


def _outside_word(text: str, index: int) -> bool:
    """Whether `index` is before or after `text`, or a character that regular expressions' \\w is not."""
    return not 0 <= index < len(text) or not (text[index].isalnum() or text[index] == "_")


_DIGIT = re.compile(r"\d")
# SSNs, card and phone numbers all have 7 or more digits, with at most a few separators between two.
_DIGIT_RUN = re.compile(r"\d(?:[\s().+/-]{0,3}\d){6}")
_AT_WORDS = (" at ", "(at)", "[at]", "{at}", "<at>")


# Cheap substring tests that decide whether a rule can match at all: most texts skip most rules.
_NAME_WORDS = ("name", "this is", "i'm", "i’m", "i am")
_ACCOUNT_WORDS = ("acc", "a/c", "customer", "member")
_CASE_WORDS = (
    "case", "permit", "request", "sr", "ticket", "ref", "claim", "citation", "complaint", "violation",
    "incident", "application",
)  # fmt: skip
_PLATE_WORDS = ("plate", "tag", "reg")
_LICENCE_WORDS = ("licen", "dl", "d/l", "d.l")
_DOB_WORDS = ("birth", "dob", "d.o.b", "born", "b.", "nacimiento")
_SSN_WORDS = ("ss", "social")
_PHONE_WORDS = ("phone", "cell", "mobile", "tel", "call", "cb", "contact", "text", "reach", "fax", "number")
_ROAD_WORDS = ("highway", "hwy", "route", "rte", "rt", "sr ", "road", "rd", "fm ", "cr ", "rr ")
# The street words `_SPANISH_ADDRESS` starts with, as whole words ("calle", not "caller"), and the stems
# of its words with accented endings (callejón, periférico), at the start of a word.
_SPANISH_WORDS = (
    "calle", "avenida", "av.", "boulevard", "blvd", "calzada", "cerrada", "circuito", "corredor", "diagonal",
    "eje vial", "pasaje", "peatonal", "privada", "retorno", "viaducto", "andador", "carretera", "camino",
)  # fmt: skip
_SPANISH_STEMS = ("callej", "circunvalaci", "continuaci", "perif", "prolongaci", "ampliaci")
_AT_DOMAIN = re.compile(
    r"(?: at |\(at\)|\[at\]|\{at\}|<at>)\s*[\w-]+\s*(?:\.|\(dot\)|\[dot\]|\{dot\}|<dot>| dot )"
)


# A social handle mentioned in a text (a reply or a retweet names other residents): X's @name and
# Mastodon's @name@instance. E-mails are replaced before, so what is left after an "@" is a handle.
_MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?(?![\w@])")


def redact(text: str) -> str:
    """Replace personal data by placeholders (see the module docstring for what is and is not)."""
    if "@" in text:
        text = _EMAIL.sub("[EMAIL]", text)
        if "@" in text:
            text = _SPACED_EMAIL.sub(_spaced_email, text)
        if "@" in text:
            text = _MENTION.sub("@[HANDLE]", text)
    lowered = text.lower()
    if _has(lowered, _AT_WORDS) and _AT_DOMAIN.search(lowered):
        text = _SPELLED_EMAIL.sub(_spelled_email, text)
    if _has(lowered, _NAME_WORDS):
        text = _NAME_INTRO.sub(_name, text)
    if _DIGIT.search(text) is None:
        return text
    lowered = text.lower()
    if "::" in text or text.count(":") >= 5:
        text = _IPV6.sub(_ipv6, text)
    if text.count(".") >= 3:
        text = _IPV4.sub("[IP]", text)
    if _has(lowered, _ROAD_WORDS):
        # Before case ids: "5955 SR 383" is a state route, not service request 383.
        text = _NUMBERED_ROAD.sub(_numbered_road, text)
    if _has(lowered, _ACCOUNT_WORDS):
        text = _ACCOUNT.sub(lambda m: m.group(1) + "[ACCOUNT]", text)
    if _has(lowered, _CASE_WORDS):
        text = _CASE.sub(lambda m: m.group(1) + "[CASE_ID]", text)
    if _has(lowered, _PLATE_WORDS):
        text = _PLATE.sub(_plate, text)
    if _has(lowered, _LICENCE_WORDS):
        text = _LICENCE.sub(lambda m: m.group(1) + "[DRIVERS_LICENSE]", text)
    if _has(lowered, _DOB_WORDS):
        text = _DOB.sub(lambda m: m.group(1) + "[DOB]", text)
    if _has(lowered, _SSN_WORDS):
        text = _SSN_CONTEXT.sub(lambda m: m.group(1) + "[SSN]", text)
    if _DIGIT_RUN.search(text):
        text = _SSN.sub(_ssn, text)
        text = _CARD.sub(_card, text)
        text = _PHONE.sub(_phone, text)
    if "box" in lowered:
        text = _PO_BOX.sub("[ADDRESS]", text)
    if _has(lowered, _UNIT_WORDS):
        text = _UNIT_ADDRESS.sub(_address, text)
    if _has_word(lowered, _SPANISH_WORDS) or _has_word(lowered, _SPANISH_STEMS, stems=True):
        # Before the English rules, which would take "Depto. 406 Donald Ave" from "Privada Nayarit 168
        # Edif. 981 , Depto. 406 Donald Ave".
        text = _SPANISH_ADDRESS.sub("[ADDRESS]", text)
    text = _ADDRESS.sub(_address, text)
    text = _BARE_STREET.sub(
        lambda m: m.group() if _preceded_by_road_word(m.string, m.start()) else "[ADDRESS]", text
    )
    text = _numbered_streets(text)
    if _has(lowered, _PHONE_WORDS):
        text = _PHONE_CONTEXT.sub(_phone_in_context, text)
    return text
