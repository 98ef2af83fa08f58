"""The service-inference evaluation: its fixed split, its targets, and the real SeeClickFix figure."""

from __future__ import annotations

from evaluation.service_inference import (
    Measured,
    measure_seeclickfix,
    missed_targets,
    render,
    seeclickfix_reports,
    social_part,
)
from evaluation.split import part


def test_the_social_split_is_a_fixed_function_of_the_post_id() -> None:
    parts = [social_part("x_lakeshore", str(10**18 + i)) for i in range(2000)]
    assert parts == [social_part("x_lakeshore", str(10**18 + i)) for i in range(2000)]
    assert 0.45 < parts.count("heldout") / len(parts) < 0.55


def test_targets_are_the_issues_on_the_city_figure() -> None:
    good = Measured("city", 100, 100, 95, 90, 92, unmapped=4, posts=100)
    assert missed_targets(good) == []
    too_many_unmapped = Measured("city", 100, 100, 95, 90, 92, unmapped=6, posts=100)
    assert [m.split(":")[1].split()[0] for m in missed_targets(too_many_unmapped)] == ["unmapped"]
    imprecise = Measured("city", 100, 100, 100, 89, 89, unmapped=0, posts=100)
    assert [m.split(":")[1].split()[0] for m in missed_targets(imprecise)] == ["inferred"]
    nothing_assigned = Measured("city", 100, 100, 0, 0, 80, unmapped=0, posts=100)
    assert len(missed_targets(nothing_assigned)) == 1


def test_seeclickfix_figure_is_measured_on_the_held_out_reports_only() -> None:
    reports = seeclickfix_reports()
    assert all(category for _, _, category in reports)
    heldout = [rid for rid, _, _ in reports if part("seeclickfix", rid) == "heldout"]
    measured = measure_seeclickfix()
    assert measured.texts == len(heldout)
    assert measured.trained_on <= len(reports) - len(heldout)
    assert 0 < measured.correct <= measured.assigned <= measured.texts
    text = render([measured])
    assert f"{measured.correct}/{measured.assigned}" in text
    assert "95%" in text
