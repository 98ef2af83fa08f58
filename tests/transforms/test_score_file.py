"""`civicpulse score`: any CSV, TSV or JSONL file scored without a warehouse."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from civicpulse.cli import main
from transforms.score_file import SCORE_COLUMNS, read_rows, score_file

ROWS = [
    {"id": "1", "comment": "The DMV website is down AGAIN and I can't renew my license online. Ridiculous!!"},
    {"id": "2", "comment": "The clerk was so kind and helpful :)"},
    {"id": "3", "comment": "La página de pagos no funciona desde ayer y nadie responde."},
    {"id": "4", "comment": ""},
]


def _write_csv(path: Path, delimiter: str = ",") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "comment"], delimiter=delimiter)
        writer.writeheader()
        writer.writerows(ROWS)


def test_csv_in_csv_out_keeps_columns_and_adds_scores(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_csv(source)
    summary = score_file(source, target)
    assert summary.rows == 4 and summary.text_column == "comment"
    assert summary.unscored == 2 and summary.urgent == 1
    columns, rows = read_rows(target)
    assert columns == ["id", "comment", *SCORE_COLUMNS]
    outage, praise, spanish, empty = rows
    assert outage["label"] == "negative" and float(outage["compound"]) < -0.05
    assert "outages_errors" in outage["themes"].split("; ")
    assert "negative_effectiveness" in outage["a11_driver_polarity"]
    assert outage["is_urgent"] == "true" and outage["urgency_reasons"] == "outage"
    assert praise["label"] == "positive" and "staff_courtesy" in praise["themes"]
    assert spanish["label"] == "unscored" and spanish["language"] == "es" and spanish["compound"] == ""
    assert empty["label"] == "unscored" and empty["themes"] == ""


def test_tsv_to_jsonl_with_a_named_text_column(tmp_path: Path) -> None:
    source, target = tmp_path / "in.tsv", tmp_path / "out.jsonl"
    _write_csv(source, delimiter="\t")
    score_file(source, target, text_column="comment")
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [row["id"] for row in rows] == ["1", "2", "3", "4"]
    assert isinstance(rows[0]["themes"], list) and rows[0]["is_urgent"] is True
    assert rows[2]["compound"] is None


def test_cli_scores_jsonl_without_a_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source, target = tmp_path / "in.jsonl", tmp_path / "out.csv"
    source.write_text(
        "\n".join(json.dumps({"text": row["comment"], "n": i}) for i, row in enumerate(ROWS)) + "\n"
    )
    assert main(["score", str(source), "-o", str(target)]) == 0
    _, rows = read_rows(target)
    assert len(rows) == 4 and rows[0]["n"] == "0"


def test_missing_text_column_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,words\n1,hello\n")
    with pytest.raises(ValueError, match="no text column"):
        score_file(source, tmp_path / "out.csv")
    with pytest.raises(ValueError, match="no column 'body'"):
        score_file(source, tmp_path / "out.csv", text_column="body")
    assert main(["score", str(source), "-o", str(tmp_path / "o.csv")]) == 2


PII_TEXT = (
    "Thanks for nothing. I was charged twice and nobody answers, this is terrible and infuriating: "
    "call me at 555-867-5309 or write to jane.doe@gmail.com, I live at 1432 Elm St."
)


def _pii_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "contact", "comment", "score"])
        writer.writerow(["1", "jane.doe@gmail.com", PII_TEXT, "-0.52"])


def test_score_redacts_every_text_it_writes_by_default(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _pii_csv(source)
    for name in ("out.csv", "out.jsonl"):
        assert main(["score", str(source), "-o", str(tmp_path / name)]) == 0
        written = (tmp_path / name).read_text(encoding="utf-8")
        for pii in ("555-867-5309", "jane.doe@gmail.com", "1432 Elm"):
            assert pii not in written, f"{pii} in {name}"
        _, (row,) = read_rows(tmp_path / name)
        assert row["contact"] == "[EMAIL]"
        assert "[PHONE]" in row["comment"] and "[EMAIL]" in row["comment"] and "[ADDRESS]" in row["comment"]
        assert row["label"] == "negative"
        assert "[PHONE]" in row["most_negative_sentence"] or "[EMAIL]" in row["most_negative_sentence"]

    assert main(["score", str(source), "-o", str(tmp_path / "raw.csv"), "--no-redact"]) == 0
    _, (row,) = read_rows(tmp_path / "raw.csv")
    assert row["contact"] == "jane.doe@gmail.com" and "555-867-5309" in row["comment"]


def test_score_account_patterns_come_from_the_config(tmp_path: Path) -> None:
    from tests.conftest import write_project_config

    config = write_project_config(tmp_path, privacy={"account_patterns": [r"RIV-\d{6}"]})
    source = tmp_path / "in.csv"
    source.write_text("comment\nMy case RIV-123456 is still open and nobody calls back\n")
    assert main(["--config", str(config), "score", str(source), "-o", str(tmp_path / "out.csv")]) == 0
    _, (row,) = read_rows(tmp_path / "out.csv")
    assert "RIV-123456" not in row["comment"] and "[ACCOUNT]" in row["comment"]


def test_csv_and_tsv_cells_never_start_a_formula(tmp_path: Path) -> None:
    dangerous = ["=cmd|' /C calc'!A0", "+SUM(1+1)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tX", "\r=1+1"]
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(json.dumps({"text": text, "note": text, "amount": "-0.52"}) for text in dangerous) + "\n"
    )
    negative = tmp_path / "neg.csv"
    negative.write_text("text\nThis is awful, horrible and the worst service ever\n")
    for name in ("out.csv", "out.tsv"):
        target = tmp_path / name
        score_file(source, target, redact=False)
        _, rows = read_rows(target)
        for row, text in zip(rows, dangerous, strict=True):
            assert row["text"] == "'" + text and row["note"] == "'" + text
            assert row["amount"] == "-0.52", "a number is data, not a formula"
        score_file(negative, target)
        _, (row,) = read_rows(target)
        assert float(row["compound"]) < 0 and row["compound"].startswith("-"), "scores stay numeric"
    score_file(source, tmp_path / "out.jsonl", redact=False)
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(line)["text"] for line in lines] == dangerous
