"""Street-type words that end an address ("Street", "Mews", "Pde"), and a fast regex alternation of them.

`COMMON` are frequent enough, and rare enough as ordinary words, to be matched in any case
("12 elm st"). `EXTENDED` are matched only in title or upper case ("701 Roger Stairs"): the union
of the street suffixes of Faker's en_US, en_GB, en_CA, en_AU and en_NZ address providers, the
primary names and the standard and common abbreviations of USPS Publication 28, Appendix C1, and
the usual UK, Irish, Australian and New Zealand abbreviations (Pde, Cct, Tce, Gdns), and a few
types none of those lists has ("Slip", "Wharf", "Boardwalk"). "Is" and "Un" (USPS Island, Union)
are left out: in text written in capitals they are ordinary words.
"""

from __future__ import annotations

__all__ = ["COMMON", "EXTENDED", "alternation"]

_COMMON = """st street ave av avenue rd road blvd boulevard dr drive ln lane ct court pl place way pkwy
    parkway ter terrace cir circle hwy highway trl trail loop sq square pike aly alley plz plaza cres crescent
    cv cove xing expy expressway fwy freeway tpke turnpike trace trce"""
COMMON = frozenset(_COMMON.split())

_FAKER = """access alley alleyway amble anchorage approach arcade artery avenue basin beach bend block
boulevard brace brae branch break bridge broadway brook brooks brow burg burgs bypass byway camp canyon
cape causeway center centers centre centreway chase circle circles circlet circuit circus cliff cliffs
close club colonnade common concourse copse corner corners corso course court courts courtyard cove
coves creek crescent crest cross crossing crossroad crossway cruiseway cul-de-sac curve cutting dale dam
dell deviation dip distributor divide drive drives driveway edge elbow end entrance esplanade estate
estates expressway extension extensions fairway fall falls ferry field fields firetrail flat flats
follow footway ford fords foreshore forest forge forges fork forks formation fort freeway front frontage
gap garden gardens gate gates gateway glade glen glens grange green greens ground grove groves gully
harbor harbors haven heights highroad highway hill hills hollow inlet interchange intersection island
islands isle junction junctions key keys knoll knolls lake lakes land landing lane laneway lees light
lights line link little loaf lock locks lodge lookout loop lower mall manor manors meadow meadows
meander mew mews mill mills mission motorway mount mountain mountains neck nook orchard outlook oval
overpass parade park parklands parks parkway parkways part pass passage path pathway piazza pike pine
pines place plain plains plateau plaza pocket point points port ports prairie promenade quad quadrangle
quadrant quay quays radial ramble ramp ranch range rapid rapids reach reserve rest retreat ride ridge
ridges ridgeway ring rise river riverway riviera road roads roadside roadway ronde rosebowl rotary
round route row rue run shoal shoals shore shores siding skyway slope sound spring springs spur spurs
square squares stairs station steps strand stravenue stream street streets strip subway summit tarn
terrace thoroughfare throughway tollway top tor towers trace track trafficway trail trailer triangle
trunkway tunnel turn turnpike underpass union unions upper vale valley valleys via viaduct view views village
villages villas ville vista wade walk walks walkway wall way ways well wells wynd"""

_USPS_NAMES = """allee annex bayou bluff bluffs bottom crossroads hollows tracks trails traces tunnels"""

_USPS_ABBREVIATIONS = """aly anx arc ave byu bch bnd blf blfs btm blvd br brg brk brks bg bgs byp cp cyn
cpe cswy ctr ctrs cir cirs clf clfs clb cmn cmns cor cors crse ct cts cv cvs crk cres crst xing xrd xrds
curv dl dm dv dr drs est ests expy ext exts fls fry fld flds flt flts frd frds frst frg frgs frk frks ft
fwy gdn gdns gtwy gln glns grn grns grv grvs hbr hbrs hvn hts hwy hl hls holw inlt iss jct jcts ky kys
knl knls lk lks lndg ln lgt lgts lf lck lcks ldg mnr mnrs mdw mdws ml mls msn mtwy mt mtn mtns nck orch
opas pkwy psge pne pnes pl pln plns plz pt pts prt prts pr radl rnch rpd rpds rst rdg rdgs riv rd rds
rte shl shls shr shrs skwy spg spgs sq sqs sta stra strm st sts smt ter trwy trce trak trfy trl trlr
tunl tpke upas uns vly vlys viad vw vws vlg vlgs vl vis wl wls
av aven blvd boul cntr crcl crsnt expw expwy frwy hiway hwy pky pkway sqr str strt terr trk tunl"""

_COMMONWEALTH_ABBREVIATIONS = """app bvd cct cl cnr crt esp gr gra pde prom qy rdge tce wk wy"""

# Street types in use that none of the lists above has: New York's "Old Slip", the boardwalks of
# coastal towns, British and Irish "Wharf", "Lawn(s)", "Croft", "Drove", "Heath" and "Downs".
_OTHER = """slip boardwalk wharf lawn lawns croft drove heath downs"""

# Faker en_AU's street types of several words whose last word is not a street type by itself.
_PHRASES = ("right of way",)

EXTENDED = (
    frozenset(
        " ".join((_FAKER, _USPS_NAMES, _USPS_ABBREVIATIONS, _COMMONWEALTH_ABBREVIATIONS, _OTHER)).split()
    )
    - COMMON
) | frozenset(_PHRASES)


def _trie(words: list[str]) -> str:
    if not words:
        return ""
    heads: dict[str, list[str]] = {}
    ends = False
    for word in words:
        if word:
            heads.setdefault(word[0], []).append(word[1:])
        else:
            ends = True
    branches = [_escape(head) + _trie(sorted(rest)) for head, rest in sorted(heads.items())]
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


def _escape(char: str) -> str:
    return "\\" + char if char in "-.^$*+?{}[]\\|()" else char


def alternation(words: frozenset[str] | set[str] | list[str]) -> str:
    """A regex matching exactly one of `words`, as a trie ("st(?:r(?:eet)?)?"): the engine tries
    one branch per character instead of every word in turn. The caller adds word boundaries."""
    return "(?:" + _trie(sorted(set(words))) + ")"
