"""How phrases, patterns and the model combine (transforms/theme_decide.py) and the repeat phrases."""

import pytest

from transforms.theme_decide import examples
from transforms.themes import DEFAULT_TAXONOMY_PATH, Taxonomy


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load(DEFAULT_TAXONOMY_PATH)


@pytest.mark.parametrize(
    "text",
    [
        "I have made several calls to public works about this drain.",
        "The crew neglected to repaint the last two crosswalks.",
        "The county has patched this spot before and it is breaking up.",
        "Despite repeated requests the broken bench is still there.",
        "They took the old cart and never brought a new one back.",
        "Thank you for coming out so fast, the hole is filled.",
    ],
)
def test_repeats_rework_and_closure_are_resolution_followup(taxonomy: Taxonomy, text: str) -> None:
    assert "resolution_followup" in {m.theme_id for m in taxonomy.match(text)}


def test_the_age_of_a_private_problem_is_not_wait_evidence(taxonomy: Taxonomy) -> None:
    private, owed = taxonomy.examples(
        [
            "the vacant house on the corner has had its windows broken for months.",
            "the vacant house on the corner has had its windows broken for months. i reported it in may.",
        ],
        [None, None],
        [frozenset(), frozenset()],
    )
    assert "wait_time" not in private.pattern_themes
    assert "wait_time" in owed.pattern_themes


def test_a_public_problem_keeps_its_duration(taxonomy: Taxonomy) -> None:
    (example,) = examples(["the pothole on elm has been growing for months."], [{}])
    assert "wait_time" in example.pattern_themes
