"""The redaction evaluation (evaluation/privacy.py) runs on a sample of the generated corpus."""

from __future__ import annotations

import pytest

from evaluation import pii_corpus, privacy


def test_leak_counts_any_surviving_token_of_the_value() -> None:
    text = "Callback # 872-555-0120 thanks"
    assert privacy.leaked(text, "872-555-0120", "Callback # [PHONE] thanks") == []
    assert privacy.leaked(text, "872-555-0120", "Callback # 872-[PHONE] thanks") == ["872"]
    street = "Trash on Elm Street at 12 Oak Street"
    assert privacy.leaked(street, "12 Oak Street", "Trash on Elm Street at [ADDRESS]") == []
    assert privacy.leaked(street, "12 Oak Street", "Trash on Elm Street at [ADDRESS] Street") == ["street"]


def test_wilson_interval() -> None:
    low, high = privacy.wilson(98, 100)
    assert 0.92 < low < 0.94 and 0.99 < high < 1.0
    assert privacy.wilson(0, 0) == (0.0, 1.0)


def test_eval_runs_on_a_sample_and_reports_every_kind() -> None:
    sample = [t for t in pii_corpus.generate() if t.split == "heldout"][:400]
    figures = privacy.measure(sample)
    assert figures.texts == 400 and figures.clean > 0
    report = privacy.table(figures, "heldout")
    assert "clean changed" in report and "95% Wilson" in report
    for kind in pii_corpus.KINDS:
        if figures.total[kind]:
            assert kind in report


def test_misses_are_listed_for_the_development_half_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        privacy.main(["--half", "heldout", "--misses"])
    assert refused.value.code == 2
    assert "development half only" in capsys.readouterr().err
    assert privacy.main(["--misses", "--kind", "ADDRESS"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("development half:") and "heldout" not in out
