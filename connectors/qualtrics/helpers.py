"""A Qualtrics CSV export: its three header rows, the question mapping and one response's values."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civicpulse.connector_contract import SurveyMapping
from civicpulse.filereaders import (
    BadValue,
    CsvFile,
    CsvRow,
    local_timestamp,
    optional_text,
    rating,
    required_text,
)
from civicpulse.sources import FileProblem, RowProblem
from connectors.qualtrics.settings import (
    DEFAULT_QUESTIONS,
    EXPORT_FIX,
    FINISHED,
    FINISHED_FALSE,
    IMPORT_ID_MARKER,
    REAL_STATUSES,
    RECORDED_DATE,
    REQUIRED_COLUMNS,
    RESPONSE_ID,
    SCORE_COLUMNS,
    SCORE_HIGH,
    SCORE_LOW,
    STATUS,
    SURVEY_ID_PREFIX,
    SURVEY_KIND,
    TIME_LAYOUT,
)


@dataclass(frozen=True)
class Layout:
    form_id: str | None
    timezone: ZoneInfo
    columns: dict[str, str]
    answer_scores: dict[str, int]


def export_layout(
    export: CsvFile, mapping: SurveyMapping, timezone: ZoneInfo
) -> tuple[Layout, list[CsvRow | RowProblem]]:
    """The layout and the response rows (Qualtrics' second and third header rows removed)."""
    export.require(REQUIRED_COLUMNS, EXPORT_FIX)
    rows = list(export.rows)
    second = rows[1] if len(rows) >= 2 else None
    if not isinstance(second, CsvRow) or not second.values[RESPONSE_ID].startswith(IMPORT_ID_MARKER):
        raise FileProblem(
            export.path,
            "the export lacks Qualtrics' second and third header rows (question text, ImportId)",
            EXPORT_FIX,
        )
    import_ids = {column: _import_id(export, value) for column, value in second.values.items()}
    rows = rows[2:]
    zone = import_ids.get(RECORDED_DATE, {}).get("timeZone")
    by_import_id = {str(meta.get("ImportId")): column for column, meta in import_ids.items()}
    columns: dict[str, str] = {}
    for name in DEFAULT_QUESTIONS:
        wanted = mapping.question_ids.get(name)
        if wanted is None:
            found = next((c for c in export.header if c.lower() == name), None)
        else:
            found = wanted if wanted in export.header else by_import_id.get(wanted)
            if found is None:
                raise FileProblem(
                    export.path,
                    f"api.question_ids.{name} is {wanted!r}: no such column or ImportId in the export",
                    "use the question's data export tag (row 1, e.g. Q1) or its ImportId (row 3, e.g. QID1)",
                )
        if found is not None:
            columns[name] = found
    folder = export.path.parent.name
    return Layout(
        form_id=folder if folder.startswith(SURVEY_ID_PREFIX) else None,
        timezone=_zone(export, zone) if zone else timezone,
        columns=columns,
        answer_scores=mapping.answer_scores,
    ), rows


def response_values(row: dict[str, str], layout: Layout) -> dict[str, Any]:
    status = row.get(STATUS, "").strip()
    if status and status not in REAL_STATUSES:
        raise BadValue(f"Status is {status!r} (a preview, test or spam response); it is not loaded")
    if row.get(FINISHED, "").strip().lower() in FINISHED_FALSE:
        raise BadValue("the response is not finished; only finished responses are loaded")
    values: dict[str, Any] = {
        "response_id": required_text(row[RESPONSE_ID], RESPONSE_ID),
        "submitted_at": local_timestamp(row[RECORDED_DATE], RECORDED_DATE, TIME_LAYOUT, layout.timezone),
        "survey_kind": SURVEY_KIND,
        "form_id": layout.form_id,
        "service_hint": None,
        "respondent_id": optional_text(row.get("ExternalReference")),
        "is_trust_positive": None,
        "positive_drivers": None,
        "negative_drivers": None,
        "comment": optional_text(row[layout.columns["comment"]]) if "comment" in layout.columns else None,
    }
    for name, column in SCORE_COLUMNS.items():
        source = layout.columns.get(name)
        values[column] = None if source is None else _score(row[source], source, layout.answer_scores)
    return values


def _score(value: str, column: str, scores: dict[str, int]) -> int | None:
    text = optional_text(value)
    if text is not None and text in scores:
        return scores[text]
    try:
        return rating(text, column, SCORE_LOW, SCORE_HIGH)
    except BadValue:
        raise BadValue(
            f"{column} is {text!r}; expected {SCORE_LOW}-{SCORE_HIGH} or an answer in api.answer_scores"
        ) from None


def _import_id(export: CsvFile, value: str) -> dict[str, Any]:
    try:
        meta = json.loads(value)
    except json.JSONDecodeError:
        raise FileProblem(
            export.path, f"the third header row has {value[:60]!r}, not an ImportId", EXPORT_FIX, 3
        ) from None
    if not isinstance(meta, dict):
        raise FileProblem(export.path, "the third header row is not ImportId objects", EXPORT_FIX, 3)
    return meta


def _zone(export: CsvFile, name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FileProblem(export.path, f"the export's time zone {name!r} is unknown", EXPORT_FIX, 3) from None


def utc_layout(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
