"""`python -m evaluation`: discovery of evaluations and the hand-labelled theme set."""

from __future__ import annotations

import re

from evaluation import SHARED_REAL
from evaluation.__main__ import discover, main
from evaluation.themes import evaluate, load
from transforms.themes import Taxonomy


def test_every_module_with_run_is_discovered() -> None:
    names = {module.__name__ for module in discover()}
    assert {"evaluation.sentiment", "evaluation.themes"} <= names


def test_unknown_evaluation_names_are_refused() -> None:
    assert main(["no_such_evaluation"]) == 2


def test_shared_data_is_found_relative_to_the_project() -> None:
    assert SHARED_REAL.name == "real" and SHARED_REAL.parent.parent.name == "shared"


def test_labelled_set_is_large_real_and_traceable() -> None:
    items = load()
    assert len(items) >= 300
    assert len({item.id for item in items}) == len(items)
    assert len({item.text for item in items}) == len(items)
    assert all(re.match(r"^(https?://|shared:)", item.origin) for item in items)
    assert sum(1 for item in items if item.themes) >= 150


def test_taxonomy_meets_the_targets_on_the_labelled_set() -> None:
    _, overall = evaluate(load(), Taxonomy.load())
    assert overall.precision is not None and overall.precision >= 0.85
    assert overall.recall is not None and overall.recall >= 0.70
