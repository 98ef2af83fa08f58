"""Structural theme patterns and the domain context that cancels phrase matches (theme_patterns.py)."""

import pytest

from transforms.theme_patterns import mask_numbers, pattern_themes, suppress
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
