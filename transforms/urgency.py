"""Urgency: feedback that needs a human soon, found by phrase rules (one regular expression per reason).

Reasons, in the order they are reported:

* `threat`: threats of violence, self-harm or suicide, abuse and harassment;
* `safety`: acute hazards to people (gas leaks, live wires, sinkholes, missing covers, metal sticking up,
  holes deep enough to damage cars, signals out, fallen trees, sewage or water in a home, injuries);
* `outage`: a service, system, website or utility that is down for residents;
* `long_wait`: a request still open after weeks or months ("still waiting after 3 weeks");
* `repeat_contact`: the resident has contacted the agency several times about the same thing.

A match is dropped when a negation stands right before it ("not dangerous", "no safety hazard").
The contact centre's own repeat-contact flag is added in `sql/core/fact_feedback_urgency.sql`.
`URGENCY_VERSION` keys `ops.urgency_cache`: bump `_REVISION` whenever the rules change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from transforms.text_clean import clean_for_sentiment

__all__ = ["REASONS", "URGENCY_VERSION", "urgency_reasons"]

_REVISION = "2"  # 2: acute hazards only (no bare "dangerous"/"hazard")
URGENCY_VERSION = f"urg{_REVISION}"
REASONS = ("threat", "safety", "outage", "long_wait", "repeat_contact")

_N = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|multiple|many|numerous|"
    r"countless|a few|a couple of|a couple|a dozen|a bunch of|so many)"
)

_THREAT = (
    r"kill(?:ing)? my ?self|suicid(?:e|al)|end(?:ing)? my (?:own )?life|end it all|hurt(?:ing)? my ?self|"
    r"self[- ]harm|(?:want|wanted|going) to die|don'?t want to (?:live|be alive)|better off dead|"
    r"(?:i'?ll|i will|i'?m going to|i am going to|gonna|going to|i'?m gonna) (?:kill|shoot|hurt|stab|beat|"
    r"burn|attack|blow up|come after|find) "
    r"(?:you|someone|somebody|him|her|them|everyone|every|the|your|that)|"
    r"bomb threat|shoot(?:ing)? up|bring(?:ing)? a (?:gun|weapon)|death threats?|threaten(?:ed|ing|s)? "
    r"(?:me|us|my|to|him|her|them|staff|the|violence)|domestic (?:violence|abuse)|"
    r"(?:being|been|was|got|getting) (?:abused|assaulted|attacked|stalked|harass?ed|threatened)|"
    r"assault(?:ed)? by|stalking me"
)
# Acute hazards only: a word such as "dangerous", "unsafe" or "hazard" on its own is how residents
# describe ordinary potholes, missing sidewalks and intersections they want redesigned (docs/themes.md,
# the urgency guide), so it is not a reason by itself; the thing that is dangerous must be named.
_COVER = r"(?:manhole|drain|drainage|storm drain|sewer|water meter|meter|valve|catch basin)"
_SAFETY = (
    r"gas leak(?:s|ing)?|(?:smell(?:s|ed|ing)?|smelled) (?:of |like )?gas|carbon monoxide|"
    r"live wires?|(?:downed|fallen) (?:power |electrical )?(?:lines?|wires?)|(?:power |electrical )?"
    r"(?:lines?|wires?) (?:is |are |were |was )?(?:down|hanging|sparking)|exposed wir(?:e|es|ing)|sparking|"
    r"sink ?holes?|open manhole|manhole (?:cover )?(?:is )?(?:missing|open|off)|"
    rf"(?:missing|broken|loose|open|cracked|collapsed) (?:\w+ )?{_COVER}(?: (?:cover|lid|grate)s?)?|"
    rf"{_COVER}? ?(?:cover|lid|grate)s?(?: \w+){{0,3}} (?:is |are |was |were )?(?:missing|off|open|broken|"
    r"loose|gone|fell|fall|falls|caved)|"
    r"(?:metal|steel) plates?|(?:pipe|rebar|metal|bolts?|pole)(?: \w+){0,2} "
    r"(?:projecting|sticking|protruding)(?: up| out)?|exposed (?:rebar|metal|pipe)|"
    r"(?:road|street|pavement|ground|shoulder|asphalt)(?: \w+){0,3} (?:caving|caved|collapsing|collapsed|"
    r"washing away|washed away|giving way|opening up)|cav(?:ed|ing) in|"
    r"(?:\d+|several|two|three|four|a) (?:feet|foot|ft) deep|(?:man|car|tire)[- ]sized? (?:pot ?)?holes?|"
    r"(?:popped|blew|blown|flattened|busted|bent|cracked|damaged|ruined|destroyed) (?:\w+ ){0,2}(?:tires?|"
    r"rims?|wheels?|axles?)|flat tires?|swallows?(?: \w+){0,2} (?:tires?|cars?|wheels?)|out of alignment|"
    r"knock(?:s|ed)? (?:\w+ ){0,2}hub ?caps? off|(?:damages?|damaging|damaged) (?:to )?(?:\w+ )?cars|"
    r"(?:tire|car|vehicle|severe) damage|"
    r"sewage (?:backup|back-up|backing up|overflow(?:ing)?|in)|raw sewage|sewer (?:is )?backing up|"
    r"(?:someone|somebody|a child|a kid|kids|people) (?:is going to|are going to|will|could|gonna|is gonna|"
    r"might) (?:get )?(?:hurt|killed|die|injured)|(?:almost|nearly) (?:got )?(?:hit|killed|run over)|"
    r"injur(?:y|ies|ed)|got hurt|(?:fell|tripped) (?:and|into|in|on|over)|"
    r"flood(?:ed|ing)? (?:house|home|basement|apartment)|"
    r"(?:house|home|basement|apartment) (?:is |was )?flood(?:ed|ing)|"
    r"water (?:is )?(?:coming|getting|pouring) into (?:my|our|the) (?:house|home|basement|apartment)|"
    r"no heat|black mold|toxic mold|lead (?:in the|in our|in my) water|lead pipes?|"
    r"boil[- ](?:water )?(?:notice|advisory|order)|(?:brown|discolou?red|contaminated) (?:tap )?water|"
    r"(?:traffic (?:light|signal)s?|stop ?lights?|stop signs?|(?:red|yellow|green|turn|school zone|"
    r"flashing|crossing|pedestrian) (?:lights?|signals?|arrows?|beacons?|gates?)) (?:is |are |was |were |"
    r"has been |have been )?(?:out|down|dark|not working|malfunctioning|missing|knocked down|broken)|"
    r"(?:tree|limb|branch)(?:/\w+)?e?s? (?:has |have |had )?(?:fell|fallen|down|on (?:a|the|my) "
    r"(?:car|house|road|power))|fallen (?:tree|limb)|(?:dead|dying|leaning|rotten|rotting|split) (?:\w+ )?"
    r"(?:tree|limb)s?|(?:blocking|blocks) the (?:road|street|sidewalk)|"
    r"(?:aggressive|vicious|loose) dogs?|dog (?:bite|attack)|needles? (?:in|on|at) the|"
    r"(?:elderly|disabled|sick|diabetic|pregnant)(?: \w+){0,4} (?:without|with no|no) (?:heat|water|power|"
    r"electricity|ac|air conditioning|medication)"
)
_OUTAGE = (
    r"outages?|"
    r"(?:site|website|web site|portal|system|systems|app|server|servers|phone lines?|phones|phone system|"
    r"payment (?:system|page|portal|site)|online (?:renewal|payment|service|services|system|portal)|"
    r"service|services|computers?|kiosks?)"
    r" (?:is |are |was |were |has been |have been |been |being |went |keeps going |is still |are still )?"
    r"(?:down|offline|off-line|out|unavailable|not working|not loading|broken|crash(?:ed|ing)?)"
    r"(?! of (?:stock|the (?:country|office|state)))|"
    r"(?:water|power|electricity|heat|gas|internet) (?:is |has been |was |were |have been |been |got )?"
    r"(?:out|off|shut off|cut off|disconnected)(?! (?:of|for (?:non|late)))|"
    r"no (?:running )?(?:water|power|electricity)(?! (?:bill|pressure issue))|"
    r"(?:shut ?off|cut off|disconnected) (?:my|our|the) (?:water|power|electricity|gas|service)"
)
_PENDING = (
    r"still|waiting|yet|haven'?t|hasn'?t|have not|has not|not been|no (?:one|body|response|reply|answer|word|"
    r"update|call|callback|follow[- ]?up)|nobody|never|nothing|pending|unresolved|open|backlog|"
    r"status unknown|"
    r"without (?:hearing|any|a|an)|broken|not fixed|not working"
)
_LONG = (
    rf"(?:{_N}|over (?:a|one|two|three)|more than (?:a|one|two|three)|almost (?:a|two|three)|"
    r"nearly (?:a|two))"
    r" (?:weeks?|months?|years?)|for (?:weeks|months|years|ages)|(?:weeks|months|a month|a year) "
    r"(?:later|now|ago|and)|(?:a|one|two|three|over a|more than a) (?:month|year)|since (?:january|february|"
    r"march|april|may|june|july|august|september|october|november|december|last (?:week|month|year))|"
    r"(?:1[4-9]|[2-9]\d|\d{3}) days"
)
_CONTACT_VERB = (
    r"(?:called|calling|call|phoned|emailed|emailing|contacted|contacting|reported|reporting|submitted|"
    r"submitting|complained|complaining|written|wrote|writing|filed|messaged|tweeted)"
)
_REPEAT = (
    rf"(?:{_CONTACT_VERB}|tried|asked|requested|been in|come in|came in|visited|been (?:there|down there))"
    rf"(?: \w+){{0,5}}? (?:{_N} (?:times|calls|emails|requests|tickets)|twice|again and again|over and over|"
    r"repeatedly|every (?:day|week))|"
    rf"{_CONTACT_VERB}(?: (?:about|in|them|you|it|this|that|here|the city|311))* "
    r"(?:again|before(?= *[.!?,;]|$))|"
    r"(?:second|third|fourth|fifth|sixth|tenth|\d+(?:st|nd|rd|th)|umpteenth|nth) (?:time|call|request|"
    r"ticket|complaint|email|report)(?! (?:in|this) (?:a row|season|year|history))|"
    r"(?:keep|keeps|kept) (?:calling|having to call|emailing|reporting|submitting|asking|complaining|"
    r"coming back|getting transferred)|"
    r"repeat (?:caller|call|contact|complaint|request)|"
    r"(?:same|this) (?:issue|problem|complaint) (?:as|again)|"
    rf"{_N} (?:calls|emails|requests|tickets|complaints|reports) (?:later|and|so far|about|to)"
)
_NEGATION_BEFORE = re.compile(r"(?:\bnot|\bno|n't|\bnever|\bwithout|\bnothing)\s+(?:\w+\s+)?$")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("threat", _compile(_THREAT)),
    ("safety", _compile(_SAFETY)),
    ("outage", _compile(_OUTAGE)),
    ("repeat_contact", _compile(_REPEAT)),
)
_PENDING_RE = _compile(_PENDING)
_LONG_RE = _compile(_LONG)
_NEGATABLE = frozenset({"safety", "outage"})


def _found(reason: str, pattern: re.Pattern[str], text: str) -> bool:
    for match in pattern.finditer(text):
        if reason in _NEGATABLE and _NEGATION_BEFORE.search(text[max(0, match.start() - 25) : match.start()]):
            continue
        return True
    return False


def _long_wait(text: str) -> bool:
    return any(
        _PENDING_RE.search(sentence) and _LONG_RE.search(sentence) for sentence in _SENTENCE.findall(text)
    )


def urgency_reasons(text: str) -> list[str]:
    """The urgency reasons found in `text`, in `REASONS` order (empty when none)."""
    cleaned = clean_for_sentiment(text).lower()
    if not cleaned:
        return []
    found = {reason for reason, pattern in _RULES if _found(reason, pattern, cleaned)}
    if _long_wait(cleaned):
        found.add("long_wait")
    return [reason for reason in REASONS if reason in found]


def urgency_for_texts(texts: Sequence[str]) -> list[list[str]]:
    """Urgency reasons of each text; identical texts are matched once."""
    memo: dict[str, list[str]] = {}
    for text in texts:
        if text not in memo:
            memo[text] = urgency_reasons(text)
    return [memo[text] for text in texts]
