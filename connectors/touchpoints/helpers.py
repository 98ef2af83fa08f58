"""Detect a Touchpoints export's layout and turn its rows into survey_response values."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from civicpulse.filereaders import (
    BadValue,
    CsvFile,
    flag,
    local_timestamp,
    optional_text,
    required_text,
    row_date,
)
from civicpulse.sources import FileProblem
from connectors.touchpoints.settings import (
    A11_V2_COLUMNS,
    A11_V2_FIX,
    COMBINED_CREATED_AT,
    COMBINED_FIX,
    COMMENT_QUESTION,
    CREATED_AT_LAYOUT,
    EXCLUDED_MARKS,
    EXPORT_NAME_EXAMPLE,
    EXPORT_TIME_LAYOUT,
    EXPORT_TIME_PATTERN,
    EXTERNAL_ID,
    FORM_COLUMN_FIX,
    INDICATOR_NOT_SELECTED,
    INDICATOR_SELECTED,
    MARKED_TRUE,
    NEGATIVE_COLUMNS,
    POSITIVE_COLUMNS,
    SURVEY_KIND,
    TRUST_ANSWERS,
    TRUST_QUESTION,
    Options,
)

UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Layout:
    form_id: str
    id_column: str
    export_time: dt.datetime | None
    page_column: str | None
    # The column naming each row's form in an export of several forms; None: the whole file is `form_id`.
    form_column: str | None = None
    created_at_column: str = COMBINED_CREATED_AT

    def columns_read(self) -> tuple[str, ...]:
        """The export columns the row parser reads."""
        optional = (self.page_column, self.form_column)
        read = [*A11_V2_COLUMNS, self.id_column, *EXCLUDED_MARKS, *(c for c in optional if c)]
        if self.export_time is None:
            read.append(self.created_at_column)
        return tuple(read)


def export_layout(export: CsvFile, options: Options) -> Layout:
    export.require(A11_V2_COLUMNS, A11_V2_FIX)
    form_id = export.path.parent.name
    columns = options.columns
    markers = (columns.id, columns.created_at)
    if any(marker in export.header for marker in markers):
        export.require(markers, COMBINED_FIX)
        if options.form_column:
            export.require((options.form_column,), FORM_COLUMN_FIX)
        page_column = columns.page if columns.page in export.header else None
        return Layout(form_id, columns.id, None, page_column, options.form_column, columns.created_at)
    if options.form_column:
        export.require((options.form_column,), FORM_COLUMN_FIX)
    return Layout(form_id, EXTERNAL_ID, export_time(export.path), None)


def export_time(path: Path) -> dt.datetime:
    match = EXPORT_TIME_PATTERN.search(path.name)
    if match:
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(match.group(1), EXPORT_TIME_LAYOUT).replace(tzinfo=dt.UTC)
    raise FileProblem(
        path,
        "the plain A-11 v2 layout has no submission times "
        "and the file name has no export time (YYYY-MM-DD_HHMMSS)",
        f"keep Touchpoints' file name (like {EXPORT_NAME_EXAMPLE}) or export the combined layout",
    )


def response_values(row: dict[str, str], layout: Layout) -> dict[str, Any]:
    submitted_at = row_date(layout.export_time) if layout.export_time else _created_at(row, layout)
    _reject_excluded(row)
    return {
        "response_id": required_text(row[layout.id_column], layout.id_column),
        "submitted_at": submitted_at,
        "survey_kind": SURVEY_KIND,
        "form_id": _form_id(row, layout),
        "service_hint": optional_text(row[layout.page_column]) if layout.page_column else None,
        "respondent_id": None,
        "satisfaction_score": None,
        "trust_score": None,
        "ease_score": None,
        "is_trust_positive": _trust(row[TRUST_QUESTION]),
        "positive_drivers": _drivers(row, POSITIVE_COLUMNS),
        "negative_drivers": _drivers(row, NEGATIVE_COLUMNS),
        "comment": optional_text(row[COMMENT_QUESTION]),
    }


def _form_id(row: dict[str, str], layout: Layout) -> str:
    if layout.form_column is None:
        return layout.form_id
    form = optional_text(row[layout.form_column])
    if form is None:
        raise BadValue(
            f"{layout.form_column} is empty, and it names the row's form (parse.form_column); "
            f"set {layout.form_column} on the form in Touchpoints"
        )
    return form


def _created_at(row: dict[str, str], layout: Layout) -> dt.datetime:
    column = layout.created_at_column
    return local_timestamp(row[column], column, CREATED_AT_LAYOUT, UTC)


def _reject_excluded(row: dict[str, str]) -> None:
    marks = [mark for mark in EXCLUDED_MARKS if row.get(mark, "").strip().lower() == MARKED_TRUE]
    if marks:
        raise BadValue(
            f"Touchpoints marks this submission as {' and '.join(marks).lower()}; it is not loaded"
        )


def _trust(answer: str) -> bool:
    label = f"{TRUST_QUESTION} (the trust thumbs up/down)"
    trusted = flag(answer, label, TRUST_ANSWERS)
    if trusted is None:
        raise BadValue(f"{label} is empty; expected 1 or 0")
    return trusted


def _drivers(row: dict[str, str], columns: tuple[str, ...]) -> list[str]:
    drivers = []
    for column in columns:
        answer = row[column].strip()
        if answer == INDICATOR_SELECTED:
            drivers.append(column.split("_", 1)[1])
        elif answer not in INDICATOR_NOT_SELECTED:
            raise BadValue(f"{column} is {answer!r}; expected 1, 0 or null")
    return drivers
