"""Every file-mode parser with a good sample file, and the outcome rule the bad-input suites hold them to.

A parser either yields `ParsedRow`s (a Record, or a RowProblem with a reason and a line) or raises
`FileProblem` with one line naming the file and a fix. Anything else (a traceback) is a bug.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from civicpulse.sources import FileProblem, ParseContext, ParsedRow, Record, RowProblem, load_connector

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class ParserCase:
    connector: str
    # Where the sample sits under the inbox: file names carry dates, forms and export times.
    name: str
    sample: bytes
    kind: str  # "csv" or "json"
    # Rows before the data rows (a header; Qualtrics has three).
    header_rows: int = 1

    def write(self, folder: Path, data: bytes) -> Path:
        path = folder / self.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def parse(self, path: Path) -> list[ParsedRow]:
        parser = load_connector(self.connector).parse_file
        return list(parser(path, ParseContext(source=f"{self.connector}_source")))


def _fixture(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


# The three connectors without a committed file sample get a small one in their vendor's shape.
ZENDESK_PAGE = {
    "tickets": [
        {
            "id": 101,
            "created_at": "2024-05-06T14:03:11Z",
            "status": "solved",
            "group_id": 360001,
            "subject": "Water bill",
            "description": "My water bill doubled this month.",
            "requester_id": 9001,
            "assignee_id": 9002,
            "via": {"channel": "web"},
        }
    ],
    "end_of_stream": True,
}
SURVEYMONKEY_PAGE = {
    "data": [
        {
            "id": "114",
            "survey_id": "405",
            "response_status": "completed",
            "date_created": "2024-05-06T14:03:11+00:00",
            "pages": [
                {
                    "id": "1",
                    "questions": [{"id": "7", "answers": [{"text": "The permit office was quick."}]}],
                }
            ],
        }
    ]
}
MATOMO_PAGE = [
    {"label": "/permits/apply", "nb_visits": 12, "nb_hits": 15, "sum_time_spent": 300, "bounce_count": 2},
    {"label": "/utilities/pay", "nb_visits": 7, "nb_hits": 9, "sum_time_spent": 120, "bounce_count": 1},
]

CASES = (
    ParserCase(
        "contact_center_csv",
        "calls_2024-05-06.csv",
        _fixture("contact_center_csv/calls_2024-05-06.csv"),
        "csv",
    ),
    ParserCase(
        "resident_survey_csv",
        "resident_survey_2024.csv",
        _fixture("resident_survey_csv/resident_survey_2024.csv"),
        "csv",
    ),
    ParserCase(
        "touchpoints",
        "a11v2demo/touchpoints-a11-v2-form-responses-2024-05-01_120000.csv",
        _fixture("touchpoints/a11v2demo/touchpoints-a11-v2-form-responses-2024-05-01_120000.csv"),
        "csv",
    ),
    ParserCase(
        "qualtrics",
        "SV_0fileRiverton/Riverton service feedback_May 7, 2024_10.15.csv",
        _fixture("qualtrics/SV_0fileRiverton/Riverton service feedback_May 7, 2024_10.15.csv"),
        "csv",
        header_rows=3,
    ),
    ParserCase("linkedin", "messages.csv", _fixture("linkedin/messages.csv"), "csv"),
    ParserCase(
        "x",
        "x_recent_search_20240506_page01.json",
        _fixture("x/x_recent_search_20240506_page01.json"),
        "json",
    ),
    ParserCase(
        "mastodon",
        "mastodon_public_20260801_page01.json",
        _fixture("mastodon/mastodon_public_20260801_page01.json"),
        "json",
    ),
    ParserCase(
        "ga4",
        "ga4_pages_20240506-20240507_offset000000.json",
        _fixture("ga4/ga4_pages_20240506-20240507_offset000000.json"),
        "json",
    ),
    ParserCase("facebook_pages", "comments_p1.json", _fixture("facebook/comments_p1.json"), "json"),
    ParserCase(
        "open311",
        "requests_riverton_2014-07-12.json",
        _fixture("open311/requests_riverton_2014-07-12.json"),
        "json",
    ),
    ParserCase(
        "contact_lens",
        "3f2a9c1e-7b4d-4e21-9a8b-0c5d6e7f8a91_analysis_redacted_2024-05-06T14:10:05Z.json",
        _fixture(
            "contact_lens/Analysis/Voice/2024/05/06/"
            "3f2a9c1e-7b4d-4e21-9a8b-0c5d6e7f8a91_analysis_redacted_2024-05-06T14:10:05Z.json"
        ),
        "json",
    ),
    ParserCase("zendesk", "tickets_2024-05-06.json", _json(ZENDESK_PAGE), "json"),
    ParserCase("surveymonkey", "responses_405.json", _json(SURVEYMONKEY_PAGE), "json"),
    ParserCase("matomo", "Actions.getPageUrls_2024-05-06.json", _json(MATOMO_PAGE), "json"),
)
CSV_CASES = tuple(case for case in CASES if case.kind == "csv")
JSON_CASES = tuple(case for case in CASES if case.kind == "json")


def outcome(case: ParserCase, path: Path) -> list[ParsedRow] | FileProblem:
    """The rows parsed, or the FileProblem raised; fails on any other exception or a malformed result."""
    try:
        rows = case.parse(path)
    except FileProblem as problem:
        assert_clear(problem, path)
        return problem
    for row in rows:
        assert isinstance(row, Record | RowProblem), f"{case.connector} yielded {row!r}"
        if isinstance(row, RowProblem):
            assert row.reason.strip(), f"{case.connector}: a RowProblem without a reason: {row!r}"
            assert row.line >= 1, f"{case.connector}: a RowProblem without a line: {row!r}"
            assert row.file.startswith(str(path)), row.file
    return rows


def assert_clear(problem: FileProblem, path: Path) -> None:
    message = str(problem)
    assert "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    assert message.startswith(str(path)), f"does not name the file first: {message!r}"
    assert ". Fix: " in message and problem.fix.strip(), f"no fix: {message!r}"
    assert len(message) < 2000, f"too long to read: {message[:300]!r}..."
