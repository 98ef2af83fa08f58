"""GSA Touchpoints A-11 v2 CX exports: the plain 17-column layout and the combined layout."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from civicpulse.columns import ColumnMapping, ColumnName

FILE_PATTERNS = ("*.csv",)
STREAM = "survey_response"
SURVEY_KIND = "touchpoints_a11_v2"

DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")
POSITIVE_COLUMNS = tuple(f"positive_{driver}" for driver in DRIVERS)
NEGATIVE_COLUMNS = tuple(f"negative_{driver}" for driver in DRIVERS)
EXTERNAL_ID = "external_id"
TRUST_QUESTION = "question_1"
COMMENT_QUESTION = "question_4"
A11_V2_COLUMNS = (EXTERNAL_ID, TRUST_QUESTION, *POSITIVE_COLUMNS, *NEGATIVE_COLUMNS, COMMENT_QUESTION)
A11_V2_FIX = "export the form with Touchpoints' A-11 v2 CSV export, which writes all 17 A-11 v2 columns"

TRUST_ANSWERS = {"1": True, "0": False}
INDICATOR_SELECTED = "1"
INDICATOR_NOT_SELECTED = frozenset({"0", "null", ""})

COMBINED_ID = "ID"
COMBINED_CREATED_AT = "Created at"
COMBINED_PAGE = "Page"
COMBINED_FIX = (
    "export the combined A-11 v2 CSV unchanged (it has ID and 'Created at' columns), or map its headers "
    "under parse.columns"
)
FORM_COLUMN_FIX = (
    "export the combined A-11 v2 CSV, which has 'Location Code' and 'Page', or fix parse.form_column of the "
    "source in civicpulse.yml"
)
CREATED_AT_LAYOUT = "%Y-%m-%d %H:%M:%S UTC"
# Submissions Touchpoints marks as deleted or spam are reported as row problems, never loaded.
EXCLUDED_MARKS = ("Deleted", "Flagged")
MARKED_TRUE = "true"

# The plain layout has no submission time: the export time in the file name (UTC) stands in for it.
EXPORT_TIME_PATTERN = re.compile(r"(\d{4}-\d{2}-\d{2}_\d{6})")
EXPORT_TIME_LAYOUT = "%Y-%m-%d_%H%M%S"
EXPORT_NAME_EXAMPLE = "touchpoints-a11-v2-form-responses-2024-05-01_120000.csv"


class Columns(ColumnMapping):
    """The combined export's headers the parser reads beyond the 17 A-11 v2 columns."""

    id: ColumnName = COMBINED_ID
    created_at: ColumnName = COMBINED_CREATED_AT
    page: ColumnName | None = COMBINED_PAGE


class Options(BaseModel):
    """`parse:` options of a touchpoints source; the defaults read one form's export per folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: Columns = Field(default_factory=Columns)
    # A combined export of several forms names each row's form in a column ("Location Code" or "Page"):
    # that column's value is then the form id (matched by the service_map's survey_id rules).
    form_column: ColumnName | None = None
