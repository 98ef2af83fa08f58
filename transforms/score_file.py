"""Score a file of texts (CSV, TSV or JSONL) without the warehouse: `civicpulse score INPUT -o OUTPUT`.

Every input row is written back with its columns unchanged plus the columns in `SCORE_COLUMNS`:
VADER sentiment (the same scorer as the pipeline), language, themes with their A-11 drivers, the
drivers with polarity as Touchpoints names them ("negative_ease": a theme of the ease driver in a
negative text) and urgency. The output format follows OUTPUT's extension (.csv, .tsv, .jsonl/.ndjson,
default CSV); list columns are joined with "; " in CSV and TSV and kept as arrays in JSONL.

Texts are redacted by default (`transforms.privacy.Redactor`, as staging does): the text is scored
redacted, exactly as the pipeline scores it, so `most_negative_sentence` holds no PII either, and
every other text value of the input row is written redacted too; `redact=False` (`--no-redact`)
writes the input as read. In CSV and TSV a text cell starting with = + - @, a tab or a carriage
return gets a leading single quote (OWASP's advice against formula injection), unless the cell is a
plain number such as -0.52: numbers stay numbers.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transforms.themes import DEFAULT_TAXONOMY_PATH, Taxonomy

__all__ = [
    "SCORE_COLUMNS",
    "TEXT_COLUMN_CANDIDATES",
    "ScoreSummary",
    "escape_formula",
    "read_rows",
    "score_file",
    "score_rows",
]

SCORE_COLUMNS = (
    "compound",
    "pos",
    "neu",
    "neg",
    "label",
    "language",
    "sentence_count",
    "most_negative_sentence",
    "themes",
    "a11_drivers",
    "a11_driver_polarity",
    "matched_terms",
    "is_urgent",
    "urgency_reasons",
)
TEXT_COLUMN_CANDIDATES = (
    "text",
    "comment",
    "comments",
    "body",
    "content",
    "message",
    "description",
    "notes",
    "feedback",
    "tweet",
    "review",
)
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    text_column: str
    scored: int
    unscored: int
    urgent: int
    with_theme: int

    def __str__(self) -> str:
        return (
            f"{self.rows:,} rows (text column {self.text_column!r}): {self.scored:,} scored, "
            f"{self.unscored:,} unscored (not English or empty), {self.with_theme:,} with a theme, "
            f"{self.urgent:,} urgent"
        )


def _format(path: Path) -> str:
    name = path.name.lower()
    for suffix in (".gz",):
        name = name.removesuffix(suffix)
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith((".tsv", ".tab")):
        return "tsv"
    return "csv"


def read_rows(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """The column names (in first-seen order) and rows of a CSV, TSV or JSONL file."""
    kind = _format(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if kind == "jsonl":
            rows: list[dict[str, Any]] = []
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not a JSON object: {exc.msg}") from None
                if not isinstance(record, dict):
                    raise ValueError(f"{path}:{number}: expected a JSON object per line")
                rows.append(record)
            columns = list(dict.fromkeys(key for row in rows for key in row))
            return columns, rows
        reader = csv.DictReader(handle, delimiter="\t" if kind == "tsv" else ",")
        rows = [dict(row) for row in reader]
        return list(reader.fieldnames or []), rows


def _text_column(columns: Sequence[str], requested: str | None, path: Path) -> str:
    if requested is not None:
        if requested not in columns:
            raise ValueError(f"{path}: no column {requested!r} (columns: {', '.join(columns)})")
        return requested
    lowered = {column.lower(): column for column in columns}
    for candidate in TEXT_COLUMN_CANDIDATES:
        if candidate in lowered:
            return lowered[candidate]
    raise ValueError(
        f"{path}: no text column found; name it with --text-column (columns: {', '.join(columns)})"
    )


def score_rows(
    rows: Sequence[dict[str, Any]],
    text_column: str,
    *,
    taxonomy: Taxonomy | None = None,
    service_column: str | None = None,
    workers: int | None = None,
    redactor: Callable[[str], str] | None = None,
) -> list[dict[str, Any]]:
    """Each row with the `SCORE_COLUMNS` added (as Python values: lists stay lists); with a
    `redactor`, every text value of the row is redacted and the redacted text is scored."""
    from transforms.sentiment import score_texts
    from transforms.urgency import urgency_for_texts

    taxonomy = taxonomy or Taxonomy.load(DEFAULT_TAXONOMY_PATH)
    if redactor is not None:
        rows = [_redacted(row, redactor) for row in rows]
    texts = ["" if row.get(text_column) is None else str(row.get(text_column)) for row in rows]
    sentiments = score_texts(texts, workers=workers)
    urgencies = urgency_for_texts(texts)
    scored = []
    for row, text, sentiment, reasons in zip(rows, texts, sentiments, urgencies, strict=True):
        service = row.get(service_column) if service_column else None
        matches = taxonomy.match(text, str(service) if service else None)
        drivers = list(dict.fromkeys(match.a11_driver for match in matches))
        polarity = sentiment.label if sentiment.label in ("positive", "negative") else None
        scored.append(
            {
                **row,
                "compound": sentiment.compound,
                "pos": sentiment.pos,
                "neu": sentiment.neu,
                "neg": sentiment.neg,
                "label": sentiment.label,
                "language": sentiment.language,
                "sentence_count": sentiment.sentence_count,
                "most_negative_sentence": sentiment.most_negative_sentence,
                "themes": [match.theme_id for match in matches],
                "a11_drivers": drivers,
                "a11_driver_polarity": [f"{polarity}_{driver}" for driver in drivers] if polarity else [],
                "matched_terms": [term for match in matches for term in match.matched_terms],
                "is_urgent": bool(reasons),
                "urgency_reasons": reasons,
            }
        )
    return scored


def _redacted(row: dict[str, Any], redactor: Callable[[str], str]) -> dict[str, Any]:
    return {key: _redact_value(value, redactor) for key, value in row.items()}


def _redact_value(value: Any, redactor: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return redactor(value)
    if isinstance(value, list):
        return [_redact_value(item, redactor) for item in value]
    if isinstance(value, dict):
        return {key: _redact_value(item, redactor) for key, item in value.items()}
    return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def escape_formula(text: str) -> str:
    """A CSV/TSV text cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return escape_formula("; ".join(str(item) for item in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return escape_formula(value)
    if isinstance(value, dict):
        return escape_formula(json.dumps(value, ensure_ascii=False, default=str))
    return "" if value is None else value


def _write(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    kind = _format(path)
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        if kind == "jsonl":
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        else:
            writer = csv.DictWriter(
                handle,
                fieldnames=list(columns),
                delimiter="\t" if kind == "tsv" else ",",
                extrasaction="ignore",
            )
            writer.writeheader()
            for row in rows:
                writer.writerow({key: _cell(value) for key, value in row.items()})
    temporary.replace(path)


def score_file(
    input_path: Path,
    output_path: Path,
    *,
    text_column: str | None = None,
    service_column: str | None = None,
    themes_path: Path = DEFAULT_TAXONOMY_PATH,
    workers: int | None = None,
    redact: bool = True,
    account_patterns: Sequence[str] = (),
) -> ScoreSummary:
    """Score every row of `input_path` into `output_path` (see the module docstring); `account_patterns`
    are the config's `privacy.account_patterns`, redacted as [ACCOUNT]."""
    if input_path.resolve() == output_path.resolve():
        raise ValueError(f"{output_path}: the output would overwrite the input")
    columns, rows = read_rows(input_path)
    column = _text_column(columns, text_column, input_path)
    if service_column is not None and service_column not in columns:
        raise ValueError(f"{input_path}: no column {service_column!r}")
    from transforms.privacy import Redactor

    scored = score_rows(
        rows,
        column,
        taxonomy=Taxonomy.load(themes_path),
        service_column=service_column,
        workers=workers,
        redactor=Redactor(tuple(account_patterns)) if redact else None,
    )
    added = [name for name in SCORE_COLUMNS if name not in columns]
    _write(output_path, [*columns, *added], scored)
    return ScoreSummary(
        rows=len(scored),
        text_column=column,
        scored=sum(1 for row in scored if row["label"] != "unscored"),
        unscored=sum(1 for row in scored if row["label"] == "unscored"),
        urgent=sum(1 for row in scored if row["is_urgent"]),
        with_theme=sum(1 for row in scored if row["themes"]),
    )
