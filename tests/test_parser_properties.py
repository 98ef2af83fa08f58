"""Hypothesis properties of every file-mode parser (`parse_file` of each connector in tests/parser_cases.py).

For any bytes, any damage to a real sample, any JSON value put in place of any part of a sample page and any
CSV rows under a real header, the parser yields Records and RowProblems (with reasons) or raises a
one-line FileProblem naming the file and a fix: never another exception. For CSV, every data row comes
out as exactly one Record or RowProblem, or the file is rejected as a whole.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicpulse.sources import FileProblem
from tests.parser_cases import CASES, CSV_CASES, JSON_CASES, ParserCase, outcome

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


def _outcome(case: ParserCase, data: bytes) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = case.write(Path(folder), data)
        return outcome(case, path)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.connector)
@PROPERTY
@given(data=st.binary(max_size=400))
def test_any_bytes_parse_or_fail_cleanly(case: ParserCase, data: bytes) -> None:
    _outcome(case, data)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.connector)
@PROPERTY
@given(cut=st.integers(min_value=0), insert=st.binary(max_size=12), drop=st.integers(0, 40))
def test_a_damaged_sample_parses_or_fails_cleanly(
    case: ParserCase, cut: int, insert: bytes, drop: int
) -> None:
    at = cut % (len(case.sample) + 1)
    _outcome(case, case.sample[:at] + insert + case.sample[at + drop :])
    _outcome(case, case.sample[:at])


def _replace(document: Any, choices: st.DataObject) -> Any:
    """The document with one node (picked by walking down from the root) replaced by any JSON value."""
    if isinstance(document, dict) and document and choices.draw(st.booleans()):
        key = choices.draw(st.sampled_from(sorted(document)))
        return {**document, key: _replace(document[key], choices)}
    if isinstance(document, list) and document and choices.draw(st.booleans()):
        index = choices.draw(st.integers(0, len(document) - 1))
        return [*document[:index], _replace(document[index], choices), *document[index + 1 :]]
    return choices.draw(json_values)


@pytest.mark.parametrize("case", JSON_CASES, ids=lambda case: case.connector)
@PROPERTY
@given(choices=st.data())
def test_wrong_json_types_anywhere_parse_or_fail_cleanly(case: ParserCase, choices: st.DataObject) -> None:
    document = json.loads(case.sample)
    for _ in range(choices.draw(st.integers(1, 3))):
        document = _replace(document, choices)
    _outcome(case, json.dumps(document).encode())


def _items(connector: str, document: Any) -> int | None:
    """How many records the page holds, by the vendor's format; None where the parser skips some by design
    (Mastodon's private statuses and non-mention notifications, logged with their count)."""
    page = document if isinstance(document, dict) else {}
    lists = {
        "x": page.get("data"),
        "zendesk": page.get("tickets"),
        "surveymonkey": page.get("data"),
        "facebook_pages": page.get("data"),
        "ga4": page.get("rows", []),
        "open311": document,
        "matomo": document
        if isinstance(document, list)
        else [r for rows in page.values() if isinstance(rows, list) for r in rows],
        "contact_lens": [document],
    }
    found = lists.get(connector)
    return len(found) if isinstance(found, list) else None


@pytest.mark.parametrize("case", JSON_CASES, ids=lambda case: case.connector)
@PROPERTY
@given(choices=st.data())
def test_every_json_record_is_accounted_for(case: ParserCase, choices: st.DataObject) -> None:
    document = json.loads(case.sample)
    for _ in range(choices.draw(st.integers(1, 2))):
        document = _replace(document, choices)
    result = _outcome(case, json.dumps(document).encode())
    expected = _items(case.connector, document)
    if isinstance(result, FileProblem) or expected is None:
        return
    assert len(result) == expected, f"{expected} records in the page gave {len(result)} parsed rows"


def _quoted(field: str) -> str:
    """Quoted as RFC 4180 says: a field with a comma, a quote or any line break (csv.writer leaves a lone
    CR unquoted when the line terminator is LF)."""
    if any(special in field for special in ',"\r\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


@pytest.mark.parametrize("case", CSV_CASES, ids=lambda case: case.connector)
@PROPERTY
@given(choices=st.data(), line_end=st.sampled_from(["\n", "\r\n"]))
def test_every_csv_data_row_is_accounted_for(case: ParserCase, choices: st.DataObject, line_end: str) -> None:
    head = list(csv.reader(io.StringIO(case.sample.decode("utf-8-sig"))))[: case.header_rows]
    width = len(head[0])
    sample_rows = list(csv.reader(io.StringIO(case.sample.decode("utf-8-sig"))))[case.header_rows :]
    row = st.one_of(
        st.lists(field_text, min_size=width, max_size=width),
        st.lists(field_text, min_size=1, max_size=width + 2),
        st.sampled_from(sample_rows).flatmap(
            lambda good: st.tuples(st.integers(0, width - 1), field_text).map(
                lambda change: [*good[: change[0]], change[1], *good[change[0] + 1 :]]
            )
        ),
    )
    rows = choices.draw(st.lists(row, max_size=8))
    text = "".join(",".join(_quoted(field) for field in r) + line_end for r in [*head, *rows])
    result = _outcome(case, text.encode())
    if isinstance(result, FileProblem):
        return
    data_rows = [r for r in rows if any(field.strip() for field in r)]
    parsed_lines = sorted(row.line for row in result)
    assert len(result) == len(data_rows), f"{len(data_rows)} data rows gave {len(result)} parsed rows"
    assert len(set(parsed_lines)) == len(parsed_lines), "one parsed row per physical row"
