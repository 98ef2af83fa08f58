"""Qualtrics response export against a local server: start, poll, download the zip, read the CSV's three
header rows. The export is hand-written in Qualtrics' documented shape (tests/fixtures/qualtrics/)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.extract import extract_source
from civicpulse.http import BadResponse, CredentialsError, RetryBudgetExceeded
from civicpulse.sources import ParseContext, Record, RowProblem, load_connector
from tests.connectors.api.conftest import TOKEN, MakeConfig, committed, load_all, query, session_for
from tests.connectors.api.fakes import FakeService
from tests.http.fakes import FakeClock

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "qualtrics"
SURVEY = "SV_3kR9riverton311"
EXPORT = FIXTURES / SURVEY / "Riverton service feedback.csv"
START = f"/API/v3/surveys/{SURVEY}/export-responses"
PROGRESS = f"{START}/ES_0Ab1Cd2Ef3Gh4Ij"
FILE = f"{START}/1dc4e5f6-0a1b-4c2d-9e8f-a1b2c3d4e5f6-def/file"
DAY = dt.date(2024, 5, 6)
NEXT = DAY + dt.timedelta(days=1)


def _meta() -> dict[str, str]:
    return {"requestId": "9f1c2a9e-0d43-4a8b-9a35-3c1f2b7f5e10", "httpStatus": "200 - OK"}


class FakeQualtrics(FakeService):
    """Start an export of responses recorded in [startDate, endDate), report progress twice, serve the zip."""

    def __init__(self, server: HTTPServer) -> None:
        super().__init__(server)
        self.lines = EXPORT.read_text(encoding="utf-8").splitlines(keepends=True)
        self.window: tuple[str, str] = ("", "")
        self.polls = 0
        self.bodies: list[dict[str, Any]] = []
        self.corrupt_zip = False
        server.expect_request(START, method="POST").respond_with_handler(self.start)
        server.expect_request(PROGRESS).respond_with_handler(self.progress)
        server.expect_request(FILE).respond_with_handler(self.file)

    def start(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault:
            return fault
        body = json.loads(request.get_data(as_text=True))
        self.bodies.append(body)
        self.window = (body["startDate"], body["endDate"])
        self.polls = 0
        result = {"progressId": "ES_0Ab1Cd2Ef3Gh4Ij", "percentComplete": 0.0, "status": "inProgress"}
        return Response(json.dumps({"result": result, "meta": _meta()}), content_type="application/json")

    def progress(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault:
            return fault
        self.polls += 1
        result: dict[str, Any] = {"percentComplete": 50.0, "status": "inProgress"}
        if self.polls >= 2:
            result = {"fileId": FILE.split("/")[-2], "percentComplete": 100.0, "status": "complete"}
        return Response(json.dumps({"result": result, "meta": _meta()}), content_type="application/json")

    def file(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault:
            return fault
        header, rows = self.lines[:3], list(csv.reader(io.StringIO("".join(self.lines[3:]))))
        start, end = (dt.datetime.fromisoformat(v.replace("Z", "+00:00")) for v in self.window)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in rows:
            recorded = dt.datetime.fromisoformat(row[7]).replace(tzinfo=dt.UTC)
            if start <= recorded < end:
                writer.writerow(row)
        content = io.BytesIO()
        with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("Riverton service feedback.csv", "\ufeff" + "".join(header) + out.getvalue())
        data = content.getvalue()
        return Response(data[: len(data) // 2] if self.corrupt_zip else data, content_type="application/zip")


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeQualtrics:
    return FakeQualtrics(httpserver)


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "qualtrics_api",
        "qualtrics",
        conn_id="qualtrics_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        survey_ids=[SURVEY],
        question_ids={"satisfaction": "Q1", "trust": "QID2", "ease": "Q3", "comment": "QID4_TEXT"},
    )


def test_an_export_is_started_polled_downloaded_and_read(
    fake: FakeQualtrics, config: Any, clock: FakeClock
) -> None:
    summary = extract_source(config, "qualtrics_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records == 2 and summary.quarantined == 1
    assert fake.bodies == [
        {
            "format": "csv",
            "startDate": "2024-05-06T00:00:00Z",
            "endDate": "2024-05-07T00:00:00Z",
            "timeZone": "UTC",
            "useLabels": False,
        }
    ]
    assert fake.polls == 2 and clock.sleeps == [5.0]
    assert {headers["X-Api-Token"] for _, _, headers in fake.requests} == {TOKEN}
    load_all(config, DAY, NEXT)
    rows = query(
        config,
        "select response_id, submitted_at, form_id, satisfaction_score, trust_score, ease_score, comment "
        "from raw.survey_response order by 1",
    )
    assert [r[0] for r in rows] == ["R_1a2B3c4D5e6F7g8", "R_2hIjKlMnOpQrStU"]
    assert rows[0][1] == dt.datetime(2024, 5, 6, 14, 3, 11, tzinfo=dt.UTC)
    assert rows[0][2:] == (SURVEY, 5, 4, 5, "Renewed my permit online in five minutes.")
    assert rows[1][3:6] == (2, 2, 1) and rows[1][6].endswith("40 minutes.\nNot great.")
    reasons = query(config, "select reason from ops.quarantine")
    assert len(reasons) == 1 and "preview" in reasons[0][0]


def test_throttling_and_server_errors_on_every_step_are_retried(
    fake: FakeQualtrics, config: Any, clock: FakeClock
) -> None:
    fake.fail_next(START, (429, '{"meta": {"httpStatus": "429 - Too Many Requests"}}', {"Retry-After": "3"}))
    fake.fail_next(PROGRESS, (503, "", {}), (500, "", {}))
    fake.fail_next(FILE, (502, "", {}))
    summary = extract_source(config, "qualtrics_api", DAY, NEXT, http=session_for(config, clock, attempts=5))
    assert summary.records == 2 and clock.sleeps[0] == 3.0


def test_a_cut_off_download_or_progress_fails_keeps_the_cursor_and_the_rerun_resumes(
    fake: FakeQualtrics, config: Any, clock: FakeClock
) -> None:
    extract_source(config, "qualtrics_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    before = committed(config)
    assert before is not None
    third = NEXT + dt.timedelta(days=1)
    fake.corrupt_zip = True
    with pytest.raises(BadResponse, match="not a complete zip"):
        extract_source(config, "qualtrics_api", NEXT, third, http=session_for(config, clock))
    fake.corrupt_zip = False
    fake.fail_next(PROGRESS, (200, '{"result": {"percentComplete": 100.0, "status": "compl', {}))
    with pytest.raises(BadResponse, match="cut off"):
        extract_source(config, "qualtrics_api", NEXT, third, http=session_for(config, clock))
    fake.fail_next(START, *[(500, "", {})] * 4)
    with pytest.raises(RetryBudgetExceeded):
        extract_source(config, "qualtrics_api", NEXT, third, http=session_for(config, clock))
    assert committed(config) == before
    summary = extract_source(
        config, "qualtrics_api", third, third + dt.timedelta(days=1), http=session_for(config, clock)
    )
    assert summary.days == 2 and summary.records == 1
    assert fake.bodies[-1]["startDate"] == "2024-05-07T00:00:00Z"
    load_all(config, third, third + dt.timedelta(days=1))
    days = query(config, "select partition_day, count(*) from raw.survey_response group by 1 order by 1")
    assert days == [(DAY, 2), (NEXT, 1)]
    rerun = extract_source(config, "qualtrics_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    assert rerun.records == 2 and query(
        config, "select count(distinct response_id), count(*) from raw.survey_response"
    ) == [(3, 3)]


def test_an_expired_token_names_the_connection(fake: FakeQualtrics, config: Any, clock: FakeClock) -> None:
    fake.fail_next(
        START,
        (401, '{"meta": {"httpStatus": "401 - Unauthorized", "error": {"errorMessage": "expired"}}}', {}),
    )
    with pytest.raises(CredentialsError, match="qualtrics_riverton") as caught:
        extract_source(config, "qualtrics_api", DAY, NEXT, http=session_for(config, clock))
    assert TOKEN not in str(caught.value) and committed(config) is None


def test_file_mode_reads_the_export_by_its_tags_in_its_time_zone() -> None:
    path = next((FIXTURES / "SV_0fileRiverton").glob("*.csv"))
    rows = list(load_connector("qualtrics").parse_file(path, ParseContext(source="qualtrics_files")))
    good = [r for r in rows if isinstance(r, Record)]
    bad = [r for r in rows if isinstance(r, RowProblem)]
    assert len(good) == 1 and len(bad) == 1 and bad[0].line == 5 and "satisfaction" in bad[0].reason
    values = good[0].values
    assert values["submitted_at"] == dt.datetime(2024, 5, 6, 15, 12, 1, tzinfo=dt.UTC)
    assert (values["form_id"], values["satisfaction_score"], values["trust_score"]) == (
        "SV_0fileRiverton",
        4,
        3,
    )
    assert values["comment"] == "Bus stop shelter fixed quickly."
