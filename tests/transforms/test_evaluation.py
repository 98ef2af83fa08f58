"""`python -m evaluation`: discovery, the fixed split, our labels and the held-out evaluations."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from evaluation import SHARED_REAL, TargetsMissed, labels, nhs_mapping
from evaluation.__main__ import discover, main
from evaluation.split import HELDOUT_PERCENT, NHS_CSV, committed_heldout, computed_heldout, part
from evaluation.stats import bootstrap_f1, pearson, wilson
from evaluation.themes import evaluate, load
from evaluation.themes_heldout import Item, report
from transforms.themes import Taxonomy

KNOWN_THEMES = frozenset(theme.theme_id for theme in Taxonomy.load().themes)


def test_make_eval_runs_the_held_out_evaluations_only() -> None:
    names = {module.__name__ for module in discover()}
    assert {
        "evaluation.themes_heldout",
        "evaluation.sentiment_heldout",
        "evaluation.language_heldout",
        "evaluation.urgency_heldout",
    } <= names
    # the self-written set is unit-test material, never a reported figure
    assert "evaluation.themes" not in names and "evaluation.sentiment" not in names


def test_unknown_evaluation_names_are_refused() -> None:
    assert main(["no_such_evaluation"]) == 2


def test_shared_data_is_found_relative_to_the_project() -> None:
    assert SHARED_REAL.name == "real" and SHARED_REAL.parent.parent.name == "shared"


def test_split_is_stable_and_committed() -> None:
    committed = committed_heldout()
    computed = computed_heldout()
    assert {k: frozenset(v) for k, v in computed.items()} == committed
    # ids pinned by value: a changed hash, salt or percentage cannot pass by rewriting the file
    for held_out in ("101505", "10306", "10611"):
        assert held_out in committed["seeclickfix"] and part("seeclickfix", held_out) == "heldout"
    for development in ("846381", "846076", "846034"):
        assert (
            development not in committed["seeclickfix"] and part("seeclickfix", development) == "development"
        )
    for held_out in ("NHFT 01 - Q1", "NHFT 01 - Q2", "NHFT 04 - Q1"):
        assert held_out in committed["nhs"] and part("nhs", held_out) == "heldout"
    for development in ("NHFT 45 - Q2", "NHFT 53 - Q2", "NHFT 61 - Q2"):
        assert development not in committed["nhs"] and part("nhs", development) == "development"
    for source, ids in committed.items():
        total = len(labels.load()) if source == "seeclickfix" else 2812
        assert abs(len(ids) / total - HELDOUT_PERCENT / 100) < 0.05


def test_split_gives_both_parts() -> None:
    parts = {part("seeclickfix", str(i)) for i in range(200)}
    assert parts == {"development", "heldout"}


def test_labels_are_well_formed_and_point_at_the_shared_texts() -> None:
    lines = labels.LABELS.read_text(encoding="utf-8").splitlines()
    reports = labels.load(known_themes=KNOWN_THEMES)
    assert len(reports) == len(lines) == 1100
    assert len({(r.file, r.source_id) for r in reports}) == 1100
    assert all(r.text for r in reports)
    for line in lines:  # ids and labels only: the texts stay in ../shared
        assert set(json.loads(line)) <= {
            "source_id",
            "file",
            "themes",
            "sentiment_pass1",
            "sentiment_pass2",
            "urgent",
            "urgent_basis",
        }
    judged = [r for r in reports if r.urgent is not None]
    flagged = sum(1 for r in judged if r.urgent_basis == "flagged")
    assert flagged == len(judged) - flagged, "each round: every flagged report and as many random ones"
    rated = [r for r in reports if r.sentiment_passes is not None]
    assert len(rated) >= 400
    assert sum(1 for r in reports if r.themes) >= 100


def test_a_bad_label_line_names_file_and_line(tmp_path: Path) -> None:
    good = labels.LABELS.read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(good)
    record["themes"] = ["potholes"]
    bad = tmp_path / "labels.jsonl"
    bad.write_text(good + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels\.jsonl:2: unknown theme ids \['potholes'\]"):
        labels.load(bad, known_themes=KNOWN_THEMES)
    record = json.loads(good) | {"source_id": "no-such-id"}
    bad.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels\.jsonl:1: no-such-id is not in"):
        labels.load(bad)


def test_nhs_categories_left_out_on_purpose_are_real_columns_outside_the_mapping() -> None:
    with NHS_CSV.open(encoding="utf-8", newline="") as handle:
        columns = set(next(csv.reader(handle)))
    mapped = {c for cats in nhs_mapping.MAPPING.values() for c in cats}
    assert "Unspecified communication" in nhs_mapping.MAPPING["communication_notices"]
    assert set(nhs_mapping.NOT_MAPPED) <= columns - mapped


def test_nhs_mapping_uses_real_framework_columns_and_our_theme_ids() -> None:
    assert set(nhs_mapping.MAPPING) <= KNOWN_THEMES
    assert set(nhs_mapping.MAPPING) | set(nhs_mapping.NOT_EVALUATED) == KNOWN_THEMES
    comments = nhs_mapping.load()
    assert 2000 < len(comments) < 2812
    assert sum(1 for c in comments if "wait_time" in c.themes) >= 50


def test_wilson_and_bootstrap_intervals() -> None:
    low, high = wilson(8, 10) or (0.0, 0.0)
    assert 0.49 < low < 0.8 < high < 0.95
    assert wilson(0, 0) is None
    intervals = bootstrap_f1({"a": [(1, 0, 0)] * 8 + [(0, 1, 0), (0, 0, 1)]}, reps=200)
    a = intervals["a"]
    assert a is not None and a[0] < 0.8 < a[1] <= 1.0
    assert pearson([1.0, 2.0, 3.0], [2.0, 4.0, 6.1]) == pytest.approx(1.0, abs=1e-3)


def test_held_out_theme_report_has_one_row_per_theme_and_flags_missed_targets() -> None:
    taxonomy = Taxonomy.load()
    scf = [Item(r.source_id, r.text, r.themes) for r in labels.load()[:60]]
    nhs = [Item(c.comment_id, c.text, c.themes) for c in nhs_mapping.load()[:60]]
    text, missed = report(scf, nhs, taxonomy, reps=20)
    rows = [line for line in text.splitlines() if re.match(r"^  [a-z_]+ +\d+ +\d+ +\d+ ", line)]
    assert len(rows) == len(taxonomy.themes) + len(nhs_mapping.MAPPING)
    assert text.count("micro (all themes above)") == 2
    assert "pxtextmining" in text and "targets (issue 14)" in text
    assert len(missed) == text.count("MISSED")


def test_missed_targets_print_the_report_and_fail_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["language_heldout"]) in (0, 1)
    out = capsys.readouterr().out
    assert "SeeClickFix held-out" in out and "NHS held-out" in out
    error = TargetsMissed("the table", ["x"])
    assert error.report == "the table" and "1 target(s) missed" in str(error)


def test_self_written_set_stays_as_unit_test_material() -> None:
    items = load()
    assert len(items) >= 300
    assert len({item.id for item in items}) == len(items)
    assert all(re.match(r"^(https?://|shared:)", item.origin) for item in items)
    _, overall = evaluate(items, Taxonomy.load())
    # The 192 written texts are training data of the theme model (evaluation/build_theme_model.py),
    # so this is a smoke check, not a measurement: held-out figures come from `make eval`.
    assert overall.precision is not None and overall.precision >= 0.80
    assert overall.recall is not None and overall.recall >= 0.70
