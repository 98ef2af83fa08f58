"""Structural patterns for themes that phrase lists miss, and domain context that cancels phrase matches.

The taxonomy (`config/themes.yml`) lists phrases; residents also tell the *shape* of an experience:
a duration relative to their report ("for 3 weeks", "since March", "3 MONTHS OUT", "months ago"),
something that is "still not" done, a repeat ("again", "reported twice", "keeps coming back"), or a
missing response ("never heard back", "no action"). `pattern_themes` finds those, per sentence, with
a negation guard ("didn't have to wait"). `suppress` drops phrase matches whose sentence is about
something else: waiting in traffic or at a light, a road "hard to navigate", a road "transition", an
error number that is part of a phone number or street address (`mask_numbers`).

Input is text already cleaned and lower-cased by the caller (`transforms.themes`).
Change any pattern here and bump `PATTERNS_REVISION` (it is part of the theme cache key).
"""

from __future__ import annotations

import re

__all__ = ["PATTERNS_REVISION", "direct_themes", "mask_numbers", "pattern_themes", "sentences", "suppress"]

PATTERNS_REVISION = "4"

_NUM = (
    r"(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|a few|a couple of|a couple|few|couple of|several|many|multiple)"
)
_UNIT = r"(?:days?|weeks?|wks?|months?|mos?|years?|yrs?)"
_LONG_UNIT = r"(?:weeks?|months?|years?)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_ABOUT = r"(?:(?:well |way )?over |more than |nearly |almost |about |around |at least |the (?:past|last) |)"

# A duration or date that says how long something has been waiting (or was reported before).
_DURATION = re.compile(
    "|".join(
        [
            rf"\bfor {_ABOUT}(?:{_NUM}[\s-]+)?{_LONG_UNIT}\b",
            rf"\b(?:in|over|during) {_ABOUT}(?:{_NUM}[\s-]+)?{_LONG_UNIT}\b",
            rf"\b{_NUM}[\s-]*{_UNIT} (?:out|or more|and counting|now|later)\b",
            rf"\b(?:{_NUM}[\s-]+)?{_LONG_UNIT} (?:ago|later|after|now)\b",
            rf"\bsince (?:{_MONTH}|last|early|late|the (?:beginning|start|end)|school|spring|summer|fall|"
            r"winter|christmas|the storm|\d{1,2}/\d{1,2}|\d{4})\b",
            r"\b(?:way too|too|so|this) long\b",
            r"\bgone on (?:way too long|too long|for)\b",
            r"\bgetting old\b",
            r"\b(?:for|in) (?:ages|forever|decades)\b",
        ]
    )
)

# Something owed that is still not done (a wait; a repeat too when the text says it was reported).
_STILL_NOT = re.compile(
    r"\bstill (?:not|no|has not|hasn't|have not|haven't|isn't|is not|hasnt|waiting|nothing|there|"
    r"broken|out|parked|sitting|open|unresolved)\b"
    r"|\bnot (?:yet )?(?:been )?(?:fixed|repaired|addressed|done|resolved|completed|finished) "
    r"(?:yet|for|since|after|in)\b"
)
# Nobody responded or acted after a request (guide: "no response", "never heard back", "no one came").
_NO_RESPONSE = re.compile(
    r"\bnothing (?:has been|was|has|is being|have been) done\b"
    r"|\bno (?:action|progress|one has come|one came|one has been|response|reply|answer|call ?back|"
    r"follow[\s-]?up)\b"
    r"|\bnever (?:heard back|got a response|received a response|returned|came back|came out|showed|fixed|"
    r"completed|finished|repainted|replaced|brought)\b"
    r"|\b(?:haven't|have not|hasn't|has not|didn't|did not) (?:heard|received|gotten|got) (?:back|a response|"
    r"an answer|a reply|anything)\b"
    r"|\bto no avail\b|\bfell on deaf ears\b|\bas promised\b|\bwere promised\b|\bwas promised\b"
)
# The city was asked or should have acted: what makes a problem's age a wait (guide, rule 5).
_OWED = re.compile(
    r"\b(?:report\w*|call(?:ed|ing)?|request\w*|complain\w*|contact\w*|emailed|promised|told|still|"
    r"nothing|nobody|no one|never|no action|no attention|neglect\w*|ignored|city|county|crews?|"
    r"(?:has|have|had)(?:n't| not) been (?:fixed|repaired|paved|cut|mowed|swept|cleaned|picked up|touched)|"
    r"not been (?:fixed|repaired|paved|cut|mowed|swept|cleaned|picked up|touched))\b"
)
_REPORTED = re.compile(r"\b(?:report\w*|call(?:ed|ing)|request(?:ed|s)?|complain\w*|emailed|told|promised)\b")
# Weeks, months or years: in a report to the city, a complaint of inaction (guide, edge rules).
_LONG = re.compile(rf"{_LONG_UNIT}|\bsince {_MONTH}\b|\bsince (?:last (?:year|month)|\d{{4}})\b")
# A duration that is a complaint of delay by itself.
_DELAY = re.compile(rf"\b{_NUM}[\s-]*{_UNIT} (?:out|or more|and counting)\b|\blong\b|\bgone on\b|getting old")

# A repeat: reported or fixed before, or the problem came back.
_REPEAT = re.compile(
    r"\b(?:(?:reported|report|called|call|emailed|writing|asking|request|requesting|broken|broke|happening|"
    r"flooded|flooding|sinking|sinks|sunk|opened up|open|back|out|here) again|again and again|once again|"
    r"yet again|reappear\w*|re-?opened|keeps? (?:coming back|happening)|comes? back|came back|"
    r"over and over|time after time|repeatedly|recurring)\b"
    r"|\b(?:previously|already|formerly|prior) (?:reported|called|requested|submitted|cited|repaired|"
    r"patched|fixed|filled|paved|repaved|cleaned)\b"
    r"|\b(?:reported|called|requested|complained|emailed|contacted|submitted)\b[^.!?]{0,60}?"
    rf"\b(?:twice|several times|many times|multiple times|numerous times|{_NUM} times|before|previously|"
    r"last (?:week|month|year)|in the past|ago)\b"
    r"|\b(?:second|third|fourth|another|follow[\s-]?up|repeat|update to (?:a |my |the |our )?previous) "
    r"(?:request|report|complaint|call|time)\b"
    r"|\b(?:left|leaving) a (?:message|voicemail)\b"
    r"|\b(?:patch(?:ing)?|repair|fix|paving|repaving) (?:job|work)? ?"
    r"(?:has not worked|didn't work|did not work|gone bad|is failing|failed)\b"
    r"|\b(?:poor|sloppy|bad|shoddy|lousy|terrible|half[\s-]?done|temporary) (?:patch(?:ing)?|repair|fix|job|"
    r"work)\b"
    r"|\b(?:after|despite) (?:being |the |a |)(?:recently |)(?:street |road |water |sewer |line |)"
    r"(?:repair|repav|pav|patch|fill|fix)\w*\b"
    r"|\b(?:former|previous|prior|earlier|old) (?:repairs?|patch(?:es)?|fix(?:es)?|patchwork)\b"
    r"|\bleft (?:behind |over |)(?:by|after) (?:the )?(?:city|county|crews?|repairs?|work|contractors?)\b"
    r"|\b(?:has|have|had|was|were) (?:been )?(?:filled|patched|repaired|fixed|cleaned|repaved|paved)"
    r"(?: \w+){0,3},? but\b"
    r"|\bkeeps? (?:putting|patching|filling)\b|\bband-?aids?\b"
    r"|\b(?:filled|patched|repaired) (?:holes?|potholes?|areas?|spots?) (?:opening|coming|breaking)\b"
    r"|\b(?:work|job|repairs?|paving|patch(?:ing)?)(?: \w+){0,4} (?:was|is|were|are) (?:very |so |really |)"
    r"(?:poor|poorly done|sloppy|shoddy|substandard)\b"
)

_TRUST = re.compile(
    r"\b(?:tax ?payers?|tax dollars|taxes|our money)\b"
    r"|\bwhat(?:'s| is|s) wrong with (?:these|this|the|you)\b"
    r"|\bwhat does it take\b|\bhow many (?:people|more|times|accidents|lives)\b"
    r"|\b(?:doesn't|does not|don't|do not|didn't) (?:seem to )?care\b"
    r"|\b(?:ignored|neglected|forgotten) (?:area|part|side|neighborhood|community)\b"
    r"|\b(?:same|equal) (?:amount of )?(?:attention|treatment|service)\b"
    r"|\bevery (?:other )?street around\b|\bdo (?:their|your) jobs?\b|\bjob security\b"
)

_NEGATED_WAIT = re.compile(
    r"\b(?:no|without|didn't|did not|don't|do not|never had to|not have to) (?:have to )?"
    r"(?:wait|waiting|line|delay)\b"
)

# Context that makes a sentence about traffic or road geometry, not the service.
_TRAFFIC = re.compile(
    r"\b(?:traffic|rush hour|turn lane|left turn|right turn|light cycle|cycles|signal|red light|green light|"
    r"intersection|merge|merging|commute|lanes?|cars? (?:back|line)|backs? up|backed up|train)\b"
)
_ROAD = re.compile(
    r"\b(?:road|street|roads|streets|intersection|pavement|paving|lane|ramp|curb|sidewalk|driveway|"
    r"bridge|highway|trail|path|curve|turn|traffic|drivers?|cars?|vehicles?|trucks?)\b"
)
_SERVICE_WORDS = re.compile(r"\b(?:reported|called|request|city|county|crew|repair|fix|fixed|311)\b")

_PHONE = re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")
_ADDRESS_NUMBER = re.compile(
    r"(?<![\w$])\d{2,6}(?= (?:[nsew]\.? |north |south |east |west |old |)[a-z][a-z'.-]+ "
    r"(?:[a-z'.-]+ )?(?:st|street|rd|road|ave|avenue|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pkwy|"
    r"parkway|hwy|highway|cir|circle|pl|place|trl|trail|ter|terrace)\b)"
)
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*")

# People who deliver a service, and words for their manner: both within a few words of each other in
# one sentence ("the staff are all so lovely", "rude and dismissive receptionist") is how staff behaved.
_STAFF = (
    r"(?:staff|staffs|nurses?|doctors?|gps?|receptionists?|midwi(?:fe|ves)|therapists?|consultants?|carers?|"
    r"clerks?|employees?|workers?|officers?|agents?|reps?|representatives?|inspectors?|crews?|"
    r"team|everyone|everybody|caseworkers?|counsel+ors?|librarians?|operators?|cashiers?)"
)
_MANNER = (
    r"(?:lovely|caring|uncaring|kind|unkind|friendly|unfriendly|polite|impolite|rude|helpful|unhelpful|"
    r"supportive|compassionate|attentive|welcoming|respectful|disrespectful|courteous|discourteous|pleasant|"
    r"unpleasant|dismissive|arrogant|empathetic|sympathetic|reassuring|considerate|approachable|"
    r"condescending|patronising|patronizing|abrupt)"
)
_STAFF_MANNER = re.compile(
    rf"\b{_STAFF}\b(?:\W+\w+){{0,5}}?\W+{_MANNER}\b|\b{_MANNER}\b(?:\W+\w+){{0,3}}?\W+{_STAFF}\b"
)


def mask_numbers(text: str) -> str:
    """Replace phone numbers and house numbers with 'N' so '404' in them is not an error code."""
    return _ADDRESS_NUMBER.sub("N", _PHONE.sub("N", text))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return " ".join(match.group().split()) if match else None


def _about_traffic(text: str) -> bool:
    """Traffic flow is the subject: several traffic words and no word about reporting or repairs."""
    return len(_TRAFFIC.findall(text)) >= 2 and not _SERVICE_WORDS.search(text)


def pattern_themes(text: str) -> dict[str, list[str]]:
    """Themes found by structure in a cleaned, lower-cased text: theme id -> evidence (words of the text)."""
    found: dict[str, list[str]] = {}

    def add(theme: str, term: str) -> None:
        terms = found.setdefault(theme, [])
        if term not in terms:
            terms.append(term)

    about_traffic = _about_traffic(text)
    owed = bool(_OWED.search(text))
    reported = bool(_REPORTED.search(text))
    for sentence in sentences(text):
        if _NEGATED_WAIT.search(sentence):
            continue
        duration = _first(_DURATION, sentence)
        traffic = about_traffic or (_TRAFFIC.search(sentence) and not _SERVICE_WORDS.search(sentence))
        if duration and not traffic and (owed or _DELAY.search(duration) or _LONG.search(duration)):
            add("wait_time", duration)
        still = _first(_STILL_NOT, sentence)
        if still:
            add("wait_time", still)
            if reported:
                add("resolution_followup", still)
        no_response = _first(_NO_RESPONSE, sentence)
        if no_response:
            add("resolution_followup", no_response)
        repeat = _first(_REPEAT, sentence)
        if repeat and not traffic:
            add("resolution_followup", repeat)
        trust = _first(_TRUST, sentence)
        if trust:
            add("trust_transparency", trust)
    return found


# Accountability said outright: taxpayers' money, "how many more ...", "why does the city ...".
_ACCOUNTABLE = re.compile(
    r"\b(?:tax ?payers?|tax dollars|tax money|our money)\b"
    r"|\bwhat does it take\b|\bhow many (?:more )?(?:people|lives|accidents|children|kids|deaths)\b"
    r"|\bwho is (?:accountable|responsible)\b"
    r"|\bwhy (?:does|do|is|are|won't|can't|hasn't|haven't|isn't|did|didn't) (?:the |our |this )?"
    r"(?:city|county|state|government|council|department|dot|public works)\b"
)


def direct_themes(text: str) -> dict[str, list[str]]:
    """Shapes precise enough to count like a phrase match (theme id -> evidence)."""
    found: dict[str, list[str]] = {}
    for sentence in sentences(text):
        for theme_id, pattern in (("staff_courtesy", _STAFF_MANNER), ("trust_transparency", _ACCOUNTABLE)):
            evidence = _first(pattern, sentence)
            if evidence:
                found.setdefault(theme_id, []).append(evidence)
    return found


# theme id -> matched words that need a service context: dropped when their sentence is about roads.
_ROAD_SENSE = {
    "website_usability": re.compile(r"navigat|hard to find|difficult to find|easy to find"),
    "accessibility_language": re.compile(r"transl|transit"),
}
_WAIT_TRAFFIC = re.compile(r"wait|line|queue|delay|took|takes|taking")
_ERROR_NUMBER = re.compile(r"^\d+(?: error)?$|\d{3}")


def suppress(theme_id: str, terms: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The terms of a phrase match that survive domain context (empty: drop the theme)."""
    if theme_id in _ROAD_SENSE:
        sense = _ROAD_SENSE[theme_id]
        road_sentences = [s for s in sentences(text) if _ROAD.search(s)]
        return tuple(t for t in terms if not (sense.search(t) and any(t in s for s in road_sentences)))
    if theme_id == "wait_time":
        about_traffic = _about_traffic(text)
        traffic_sentences = [
            s
            for s in sentences(text)
            if about_traffic or (_TRAFFIC.search(s) and not _SERVICE_WORDS.search(s))
        ]
        return tuple(
            t for t in terms if not (_WAIT_TRAFFIC.search(t) and any(t in s for s in traffic_sentences))
        )
    if theme_id == "outages_errors":
        masked = mask_numbers(text)
        return tuple(t for t in terms if not (_ERROR_NUMBER.search(t) and t not in masked))
    return terms
