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
