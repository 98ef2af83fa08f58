"""The PII redaction targets of issue #8, on the corpus in evaluation/data/pii_corpus.jsonl."""

from __future__ import annotations

import json

from evaluation import privacy


def test_corpus_is_large_enough_and_well_formed() -> None:
    rows = [json.loads(line) for line in privacy.CORPUS.read_text(encoding="utf-8").splitlines()]
    assert len({row["id"] for row in rows}) == len(rows)
    with_pii = [row for row in rows if row["pii"]]
    assert len(with_pii) >= 200 and len(rows) - len(with_pii) >= 200
    for row in with_pii:
        for item in row["pii"]:
            assert item["value"] in row["text"], row["id"]
            assert item["type"] in {"EMAIL", "PHONE", "SSN", "CARD", "ADDRESS", "DOB", "ACCOUNT"}


def test_recall_and_false_positive_rate_meet_the_targets() -> None:
    figures = privacy.measure()
    assert figures.recall >= privacy.RECALL_TARGET, figures.missed[:5]
    assert figures.false_positive_rate < privacy.FALSE_POSITIVE_TARGET, figures.altered[:5]
    assert set(figures.by_type) == {"EMAIL", "PHONE", "SSN", "CARD", "ADDRESS", "DOB", "ACCOUNT"}


def test_run_prints_the_figures() -> None:
    text = privacy.run()
    assert "recall" in text and "false-positive rate" in text and "BELOW" not in text and "ABOVE" not in text
