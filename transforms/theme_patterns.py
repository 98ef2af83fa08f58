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

PATTERNS_REVISION = "5"

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
            rf"\bafter {_ABOUT}(?:{_NUM}[\s-]+)?{_LONG_UNIT}\b",
            rf"\b(?:{_NUM}[\s-]+)?{_LONG_UNIT} "
            r"(?:of (?:waiting|calls|calling|requests|complaints|neglect)|without|with no)\b",
            rf"\b\d+\+ ?{_LONG_UNIT}|\band a half {_LONG_UNIT}|\b{_LONG_UNIT} and a half\b",
            r"\ball (?:summer|winter|spring|fall|year|month)(?: long)?\b",
        ]
    )
)

# Something owed that is still not done (a wait; a repeat too when the text says it was reported).
_STILL_NOT = re.compile(
    r"\bstill (?:not|no|has not|hasn't|have not|haven't|isn't|is not|hasnt|waiting|nothing|there|"
    r"broken|out|parked|sitting|open|unresolved)\b"
    r"|\bnot (?:yet )?(?:been )?(?:fixed|repaired|addressed|done|resolved|completed|finished) "
    r"(?:yet|for|since|after|in)\b"
    r"|\b(?:has|have|had|is|are|was|were) yet to\b|\byet to be\b"
    r"|\b(?:long overdue|took forever|taking forever|takes forever)\b|\bto this day\b"
    r"|\bas of (?:today|yet|now|this (?:morning|week|writing))\b"
    r"|\b(?:waiting|waited) (?:for|on) (?:the |a |an |)(?:city|county|crews?|someone|somebody|anyone|them"
    r"|repairs?|"
    r"fix|action)\b"
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
    r"|\b(?:no ?one|nobody|no body)(?: has| have| had| ever| will| would|'s)?(?: ever)? (?:responded|respond|"
    r"answered|returned|called|came|come|shown up|showed up|show up|followed up|gotten back|got back"
    r"|contacted|"
    r"replied|bothered|done anything|did anything|been out|been by|looked at)\b"
    r"|\b(?:never|haven't|hasn't|have not|has not|didn't|did not) (?:once )?(?:responded|answered|"
    r"returned (?:my|our|any) (?:calls?|emails?|messages?))\b"
    r"|\b(?:calls?|emails?|requests?|reports?|complaints?|messages?|letters?"
    r"|pleas?)(?: \w+){0,4} (?:unanswered|"
    r"ignored|went nowhere|gone nowhere|have been ignored|were ignored|got nowhere)\b"
    r"|\b(?:haven't|have not|hasn't|has not|didn't|did not|never) (?:heard|received|gotten|got"
    r"|seen) (?:a word|"
    r"any (?:response|reply|answer|word|update|feedback|action|progress))\b"
    r"|\b(?:waiting|wait|waited) (?:for|on) (?:a |any |an )?(?:response|reply|answer|call ?back|update"
    r"|word)\b"
    r"|\b(?:without|zero) (?:any |a )?(?:response|reply|answer|results?|resolution|acknowledg\w*)\b"
)
# The city was asked or should have acted: what makes a problem's age a wait (guide, rule 5).
_OWED = re.compile(
    r"\b(?:reported|requested|requests|called|calling|complained|complaints|contacted|emailed|notified"
    r"|promised|"
    r"told|still|"
    r"nothing|nobody|no one|never|no action|no attention|neglect\w*|ignored|city|county|crews?|"
    r"(?:has|have|had)(?:n't| not) been (?:fixed|repaired|paved|cut|mowed|swept|cleaned|picked up|touched)|"
    r"not been (?:fixed|repaired|paved|cut|mowed|swept|cleaned|picked up|touched))\b"
)
_CONTACTED = (
    r"(?:reported|called|contacted|emailed|e-mailed|complained|notified|requested|submitted|informed|alerted|"
    r"wrote|written|posted|filed|phoned)"
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
    # reported before, said freely: when, how often, an earlier report or its number
    rf"|\b{_CONTACTED}\b[^.!?]{{0,60}}?\b(?:more than once|countless|numerous|"
    rf"on (?:\d{{1,2}}/\d{{1,2}}|{_MONTH})|in {_MONTH}|back in|since|already|earlier|a while back|"
    r"last (?:spring|summer|fall|winter))\b"
    r"|\b(?:has|have|had|was|were)(?: already| previously)? been (?:reported|called in|requested|submitted)\b"
    r"|\bwas reported (?:before|previously|earlier|already|on|in|last|back)\b"
    r"|\b(?:my|our|the|a|an) (?:previous|prior|earlier|original) (?:report|request|complaint|ticket|call"
    r"|post|"
    r"issue|submission|email)s?\b|\bmy last (?:report|request|complaint|ticket)\b"
    r"|\b(?:ticket|case|request|report|sr|reference|confirmation|tracking|work order|complaint|incident)s? ?"
    r"(?:#|no\.?|number|num)\s?:?\s?\d{3,}"
    r"|\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|umpteenth|several|numerous|multiple|many|countless|"
    r"repeated|\d+) (?:requests|reports|complaints|calls|emails|tickets|attempts|letters)\b"
    r"|\b(?:every|each) time (?:i|we|it gets|they|someone) (?:call|report|complain|fix|repair|patch|fill"
    r"|clean)\w*\b"
    # a thing in the street that broke again ("clogged again"); not a system that is down or crashing
    # again (an outage, not a repeat report)
    r"|\b(?!(?:try|tri|us|driv|walk|see|crash|freez|load|work|log|sign|start|boot|updat|refresh|submit)\w*)"
    r"\w{3,}(?:ed|ing|en) again\b"
    # came and did not finish, or closed / said to be fixed when it is not
    r"|\b(?:came|come|comes|showed up|show up)(?: out| by| here)? (?:and|but) (?:\w+ ){0,3}(?:did nothing"
    r"|didn't|"
    r"did not|left|only|just|never|made it worse)\b"
    r"|\b(?:closed|marked (?:as )?(?:closed|complete|completed|resolved|fixed|done))\b[^.!?]{0,80}"
    r"\b(?:but|yet|still|not|never|isn't|wasn't)\b"
    r"|\bsaid (?:it was|it's|it has been|they) (?:fixed|done|resolved|completed|repaired)\b"
    r"|\bsupposedly (?:\w+ )?(?:fixed|repaired|done|completed|resolved|cleaned|scheduled|coming)\b"
    # work left unfinished, or a repair that did not last
    r"|\b(?:city|county|crews?|contractors?|workers?|they|utility|water department"
    r"|public works) (?:\w+ ){0,2}"
    r"(?:left|leaving) (?:a|the|an|it|this|that|big|huge|large|behind|open|unfinished)\b"
    r"|\b(?:unfinished|incomplete|half[- ]done|half[- ]finished|never finished|not finished|didn't finish|"
    r"did not finish|abandoned the (?:job|work|project))\b"
    r"|\b(?:dug|opened|cut|tore|torn|ripped)(?: up)? (?:\w+ ){0,4}(?:and|but) (?:never|didn't|did not"
    r"|haven't|hasn't|"
    r"left)\b"
    r"|\b(?:is|are|was|were|it's|its|has|have) (?:\w+ )?(?:broken|leaking|flooded|flooding|clogged|blocked|"
    r"overflowing|full|dark|out|back|missing|sinking|cracked|cracking|damaged|overgrown|open|there|here)"
    r" again\b"
    r"|\b(?:fixed|patched|repaired|filled|paved|repaved|resurfaced|cleaned|replaced"
    r"|installed)\b(?: \w+){0,4} "
    r"(?:ago|last (?:year|month|week|summer|spring|fall|winter)|"
    rf"in (?:the )?(?:spring|summer|fall|winter|{_MONTH}))\b"
    r"|\b(?:patch|patched|repair|repaired|fix|fixed|filled|paved|repaved|work"
    r"|job)(?: \w+){0,4} (?:didn't last|"
    r"did not last|washed out|came apart|fell apart|crumbled|worse than before|made it worse"
    r"|made things worse)\b"
    # an ongoing problem, said as such
    r"|\bongoing (?:problem|issue)s?\b|\b(?:recurring|recurrent|persistent|chronic|continuing|continual"
    r"|on-going|"
    r"reoccurring|repeated|repeat) (?:problem|issue|flooding|dumping|complaint)s?\b|\bnot a one[- ]time\b"
    r"|\b(?:continues|continue|continued|continuing) to (?:\w+ )?(?:be|not|get|happen|occur|flood|leak|break|"
    r"crack|sink|deteriorate|grow|pile|accumulate|overflow)\b"
)

_TRUST = re.compile(
    r"\b(?:tax ?payers?|tax dollars|taxes|our money)\b"
    r"|\bwhat(?:'s| is|s) wrong with (?:these|this|the|you)\b"
    r"|\bwhat does it take\b|\bhow many (?:people|more|times|accidents|lives)\b"
    r"|\b(?:doesn't|does not|don't|do not|didn't) (?:seem to )?care\b"
    r"|\b(?:ignored|neglected|forgotten) (?:area|part|side|neighborhood|community)\b"
    r"|\b(?:same|equal) (?:amount of )?(?:attention|treatment|service)\b"
    r"|\bevery (?:other )?street around\b|\bdo (?:their|your) jobs?\b|\bjob security\b"
    r"|\b(?:waste|wasted|wasting|squander\w*|misus\w*) (?:of )?(?:our |taxpayer'?s?'? |tax |public |city "
    r"|county |the )?"
    r"(?:money|dollars|funds|resources|taxes)\b"
    r"|\b(?:no|zero|lack of|where is the|any) accountability\b"
    r"|\b(?:who|whom) (?:is|are|do|should) (?:\w+ ){0,2}(?:accountable|responsible|in charge)\b"
    r"|\b(?:city|county|state|government|officials?|council|department|dot|public works|they|nobody|no one) "
    r"(?:\w+ ){0,2}(?:doesn't|does not|don't|do not|won't|will not|never|refuses? to|can't be bothered to) "
    r"(?:\w+ )?(?:care|listen|bother|respond|do anything|take (?:this|it|us) seriously)\b"
    r"|\b(?:ignored|neglected|forgotten|overlooked|left behind|abandoned) by (?:the )?(?:city|county|state|"
    r"government|officials|council)\b"
    r"|\b(?:incompeten\w*|corrupt\w*|favou?ritism|double standard|second[- ]class|unfair|dishonest\w*|"
    r"cover[- ]up|shameful|negligen\w*)\b"
    r"|\bwhy (?:does|did|is|has|must|should|do) (?:it|this|that|everything|nothing|we|residents|citizens) "
    r"(?:take|taking|taken|took|have to|still)\b"
    r"|\bwhy (?:hasn't|haven't|isn't|aren't|can't|won't|wasn't) (?:this|it|the|anything|anyone|someone)\b"
    r"|\b(?:great|good|nice|wonderful|fantastic|excellent|fine) (?:job|work)\b,? (?:city|county"
    r"|public works|dot|"
    r"guys|atlanta|\w+ county)\b|\bthanks? (?:you )?for nothing\b|\bthanks a lot\b"
    r"|\b(?:tax money|tax base|tax revenue|taxpaying)\b"
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


# The resident's own time ("lived here for 9 years", "moved in 4 years ago", "driven this road for
# years"): a duration that measures the resident, not a wait for the service.
_RESIDENT_TIME = re.compile(
    r"\b(?:lived?|living|moved|resided|residing|owned|grew up|driven|driving|drive|walked|walking|commuted?|"
    r"commuting|resident)\b(?:\W+\w+){0,4}\W*$"
)


def _owed_duration(sentence: str) -> str | None:
    """The first duration of the sentence that is not the resident's own time."""
    for match in _DURATION.finditer(sentence):
        if not _RESIDENT_TIME.search(sentence[: match.start()]):
            return " ".join(match.group().split())
    return None


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
        duration = _owed_duration(sentence)
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


# Communication judged as such, in any form ("communication between the teams", "they communicate well").
_COMMUNICATION = re.compile(r"\bcommunicat(?:e|es|ed|ing|ion|ions|or|ors)\b")
# A word that names someone's manner ("the kindness of everyone", "their attitude", "treated with
# dignity"): in feedback on a service, whose manner it is goes without saying.
_MANNER_NOUN = re.compile(
    r"\b(?:kindness|compassion|courtesy|friendliness|politeness|rudeness|empathy|manners?|attitudes?"
    r"|dignity)\b"
)
_DIRECT = (
    ("staff_courtesy", _STAFF_MANNER),
    ("staff_courtesy", _MANNER_NOUN),
    ("trust_transparency", _ACCOUNTABLE),
    ("communication_notices", _COMMUNICATION),
)


def direct_themes(text: str) -> dict[str, list[str]]:
    """Shapes precise enough to count like a phrase match (theme id -> evidence)."""
    found: dict[str, list[str]] = {}
    for sentence in sentences(text):
        for theme_id, pattern in _DIRECT:
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
