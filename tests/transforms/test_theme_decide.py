"""How phrases, patterns and the model combine (transforms/theme_decide.py) and the repeat phrases."""

import pytest

from transforms.theme_decide import examples
from transforms.theme_model import ThemeModel
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


def _fees_model(stacked: bool) -> ThemeModel:
    from transforms.theme_model import Example, ThemeModel, model_version, train

    fee = frozenset({"fees_billing"})
    charged = [f"they charged me a fee twice on bill number {n}, refund it" for n in range(12)]
    posted = [f"the parking fee sign number {n} is faded downtown" for n in range(24)]
    document = train(
        [
            *(Example(t, fee, frozenset(), fee) for t in charged),
            *(Example(t, fee, frozenset(), frozenset()) for t in posted),
        ],
        ["fees_billing"],
        "test",
    )
    if not stacked:
        del document["combine"]
        document["version"] = model_version(document)
    return ThemeModel(document)


def test_a_stacked_model_overrules_a_phrase_its_labels_show_is_wrong() -> None:
    from transforms.theme_decide import decide

    texts = ["the parking fee sign number 99 is faded downtown", "they charged me a fee twice, refund it"]
    phrases = [{"fees_billing": ("fee",)}, {"fees_billing": ("fee",)}]
    stacked = decide(texts, phrases, _fees_model(stacked=True))
    assert [set(found) for found in stacked] == [set(), {"fees_billing"}]
    assert stacked[1]["fees_billing"] == ("fee",)
    # A model file written before stacking keeps every phrase match.
    older = decide(texts, phrases, _fees_model(stacked=False))
    assert [set(found) for found in older] == [{"fees_billing"}, {"fees_billing"}]


def test_a_theme_whose_evidence_is_reliable_keeps_it_whatever_its_probability() -> None:
    from transforms.theme_decide import decide
    from transforms.theme_model import EVIDENCE_OR, Example, ThemeModel, train

    money = frozenset({"trust_transparency"})
    # the pattern is always right but rare, on texts that read like plain reports: a fold's model
    # weighs it too little, so keeping it does better on the folds than stacking
    said = [f"pothole at road number {n} please fix" for n in range(3)]
    unsaid = [f"the city spends on road number {n} and nothing improves" for n in range(12)]
    plain = [f"pothole at road number {n} please fix" for n in range(10, 34)]
    document = train(
        [
            *(Example(t, frozenset(), money, money) for t in said),
            *(Example(t, frozenset(), frozenset(), money) for t in unsaid),
            *(Example(t, frozenset(), frozenset(), frozenset()) for t in plain),
        ],
        ["trust_transparency"],
        "test",
    )
    assert document["cross_validation"]["trust_transparency"]["cv_f1"] == 1.0
    assert document["themes"]["trust_transparency"]["combine"] == EVIDENCE_OR
    # the same weights with a probability near 0 everywhere: the pattern match alone decides
    spec = {**document["themes"]["trust_transparency"], "platt": [1.0, -30.0]}
    keeping = ThemeModel({**document, "themes": {"trust_transparency": spec}})
    stacking = ThemeModel(
        {**document, "themes": {"trust_transparency": {k: v for k, v in spec.items() if k != "combine"}}}
    )
    assert keeping.keeps_evidence("trust_transparency")
    assert not stacking.keeps_evidence("trust_transparency")
    texts = [
        "pothole at road number 99 please fix. what a waste of public funds.",
        "pothole on elm please fix",
    ]
    assert decide(texts, [{}, {}], keeping) == [{"trust_transparency": ("waste of public funds",)}, {}]
    assert decide(texts, [{}, {}], stacking) == [{}, {}]
