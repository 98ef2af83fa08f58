"""Structural theme patterns and the domain context that cancels phrase matches (theme_patterns.py)."""

import pytest

from transforms.theme_patterns import direct_themes, mask_numbers, pattern_themes, suppress
from transforms.themes import DEFAULT_TAXONOMY_PATH, Taxonomy


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("large pile of limbs / 3 months out", "wait_time"),
        ("request pickup of yard trimmings. 4 weeks or more", "wait_time"),
        ("this pothole has been here for months and nobody came.", "wait_time"),
        ("not swept since march.", "wait_time"),
        ("reported it in may and it is still not fixed.", "wait_time"),
        ("i called twice about the flooding.", "resolution_followup"),
        ("we never heard back from the county.", "resolution_followup"),
        ("no response to my emails.", "resolution_followup"),
        ("they patched it and now it is sinking again.", "resolution_followup"),
        ("this is my second request for a cart.", "resolution_followup"),
        ("what does it take to get action from the city?", "trust_transparency"),
    ],
)
def test_patterns_find_the_shape_of_an_experience(text: str, theme: str) -> None:
    assert theme in pattern_themes(text)


@pytest.mark.parametrize(
    "text",
    [
        "the left turn light takes 3 cycles at rush hour. traffic backs up for weeks.",
        "power outage on my block since last night.",
        "tree fell on the road last night.",
        "in and out, i didn't have to wait for weeks like last time.",
        "please send a recycling cart. thank you!",
    ],
)
def test_patterns_leave_problem_reports_and_traffic_alone(text: str) -> None:
    assert "wait_time" not in pattern_themes(text)
    assert "resolution_followup" not in pattern_themes(text)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        # no response, said freely
        ("nobody has ever responded to us.", "resolution_followup"),
        ("my emails to the department went unanswered.", "resolution_followup"),
        ("we have not received any update on the drain.", "resolution_followup"),
        ("still waiting for a reply about the sign.", "resolution_followup"),
        # reported before: when, an earlier report or its number, how often
        ("i emailed public works back in june about this hole.", "resolution_followup"),
        ("this was reported before and the curb is still cracked.", "resolution_followup"),
        ("see my previous report about the same drain.", "resolution_followup"),
        ("ticket #48213 was about this exact spot.", "resolution_followup"),
        ("after numerous complaints the dumping goes on.", "resolution_followup"),
        ("the gutter is clogged again.", "resolution_followup"),
        ("a crew came out and left the cones behind.", "resolution_followup"),
        ("the request was marked closed but the light is dark.", "resolution_followup"),
        ("this is an ongoing problem on our block.", "resolution_followup"),
        # waits said without a number
        ("the repair has yet to be scheduled.", "wait_time"),
        ("it is still not swept to this day.", "wait_time"),
        ("we are waiting on the county to clear the ditch.", "wait_time"),
        ("the bench was removed after 2+ months of requests.", "wait_time"),
        # accountability and money
        ("what a waste of taxpayer money.", "trust_transparency"),
        ("there is no accountability at public works.", "trust_transparency"),
        ("the county does not care about the east side.", "trust_transparency"),
        ("our street has been forgotten by the city.", "trust_transparency"),
        ("why does it take a year to paint a crosswalk?", "trust_transparency"),
    ],
)
def test_pattern_families_cover_phrasings_not_listed_one_by_one(text: str, theme: str) -> None:
    assert theme in pattern_themes(text)


@pytest.mark.parametrize(
    "text",
    [
        "i have lived here for 12 years and this curb needs paint.",
        "we moved in 3 years ago. please deliver a recycling cart.",
        "i've driven this road every day for years; please add a turn lane sign.",
    ],
)
def test_the_residents_own_time_is_not_a_wait(text: str) -> None:
    assert "wait_time" not in pattern_themes(text)


def test_a_wait_after_the_residents_own_time_still_counts() -> None:
    found = pattern_themes("i have lived here for 12 years; the hole has been there for 4 months.")
    assert found["wait_time"] == ["for 4 months"]


def test_communication_judged_as_such_counts_like_a_phrase() -> None:
    assert direct_themes("communication between the two offices was lacking.") == {
        "communication_notices": ["communication"]
    }
    assert "communication_notices" in direct_themes("they never communicated the change.")
    assert direct_themes("the community center roof leaks.") == {}


def test_numbers_in_phones_and_addresses_are_masked() -> None:
    assert mask_numbers("call me at 404-555-1234 or (404) 555 1234") == "call me at N or N"
    assert mask_numbers("pothole in front of 404 main st") == "pothole in front of N main st"
    assert mask_numbers("the site shows a 404 error") == "the site shows a 404 error"


def test_domain_context_drops_road_senses_and_phone_numbers() -> None:
    assert suppress("website_usability", ("hard to navigate",), "the intersection is hard to navigate.") == ()
    assert suppress("website_usability", ("hard to navigate",), "the portal is hard to navigate.") != ()
    assert suppress("outages_errors", ("404",), "please call 404-555-1234 about the pothole") == ()
    assert suppress("outages_errors", ("404",), "the permit page gave a 404") == ("404",)
    assert suppress("wait_time", ("long wait",), "left turn at rush hour. ridiculously long wait.") == ()


def test_the_taxonomy_applies_the_context_end_to_end() -> None:
    taxonomy = Taxonomy(Taxonomy.load(DEFAULT_TAXONOMY_PATH).themes, "rules")
    assert taxonomy.match("Pothole on Elm. Call me at 404-555-1234") == []
    assert taxonomy.match("The new road transition at the bridge is rough") == []
    found = {
        m.theme_id for m in taxonomy.match("Reported twice, never heard back, still not fixed after 3 weeks")
    }
    assert found == {"wait_time", "resolution_followup"}
