"""Open311 GeoReport v2 against a local server: start/end windows split under the server's cap,
JSON and XML with the same parser, and the requests' texts reaching core.fact_feedback."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.extract import extract_source
from civicpulse.pipeline import run_interval
from civicpulse.sources import FileProblem, ParseContext, Record, load_connector
from civicpulse.warehouse.connection import reader
from tests.conftest import SHARED_REAL
from tests.connectors.api.conftest import MakeConfig, committed, load_all, query, session_for
from tests.connectors.conftest import FIXTURES
from tests.http.fakes import FakeClock

DAY = dt.date(2014, 7, 12)
NEXT = DAY + dt.timedelta(days=1)
RECORDED = SHARED_REAL / "open311"


def _utc(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


class FakeOpen311:
    """`GET /requests.json?start_date&end_date`: requests requested in [start, end], at most `cap`."""

    def __init__(self, server: HTTPServer, requests: list[dict[str, Any]], cap: int) -> None:
        self.requests = requests
        self.cap = cap
        self.windows: list[tuple[str, str]] = []
        server.expect_request("/open311/v2/requests.json").respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        start, end = request.args["start_date"], request.args["end_date"]
        self.windows.append((start, end))
        chosen = [r for r in self.requests if _utc(start) <= _utc(r["requested_datetime"]) <= _utc(end)]
        return Response(json.dumps(chosen[: self.cap]), content_type="application/json")


def all_requests() -> list[dict[str, Any]]:
    chicago = json.loads((RECORDED / "bensheldon_open311status/service_requests.json").read_text())
    riverton = json.loads((FIXTURES / "open311/requests_riverton_2014-07-12.json").read_text())
    return [*chicago, *riverton]


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "open311_api",
        "open311",
        conn_id="open311_riverton",
        base_url=httpserver.url_for("/open311/v2"),
        page_size=2,
    )


def test_a_window_at_the_server_cap_is_split_until_every_request_fits(
    httpserver: HTTPServer, config: Any, clock: FakeClock
) -> None:
    fake = FakeOpen311(httpserver, all_requests(), cap=2)
    extract_source(config, "open311_api", DAY, NEXT, http=session_for(config, clock))
    assert fake.windows[0] == ("2014-07-12T00:00:00Z", "2014-07-13T00:00:00Z") and len(fake.windows) > 3
    load_all(config, DAY, NEXT)
    ids = query(config, "select service_request_id, status from raw.service_request order by 1")
    assert ids == [
        ("14-01100627", "open"),
        ("14-01100669", "open"),
        ("RIV-311-0001", "open"),
        ("RIV-311-0002", "closed"),
    ]
    cursor = committed(config)
    assert cursor is not None and cursor.values == {"updated_at": "2014-07-12T23:05:00+00:00"}


def test_descriptions_become_redacted_feedback_on_the_311_channel(
    httpserver: HTTPServer, config: Any
) -> None:
    FakeOpen311(httpserver, all_requests(), cap=1000)
    run_interval(config, DAY, NEXT)
    with reader(config) as con:
        feedback = con.execute(
            "select source_ref, channel, platform, service_id, text from core.fact_feedback order by 1"
        ).fetchall()
    # staging stays in the writer's file: the published copy holds core and marts only
    staged = query(config, "select status_notes from staging.stg_service_requests where is_closed")
    assert [row[:4] for row in feedback] == [
        ("RIV-311-0001", "311", "open311", "general_311"),
        ("RIV-311-0002", "311", "open311", "general_311"),
    ]
    assert "555-201-3344" not in feedback[0][4] and "pothole" in feedback[0][4]
    assert staged == [("Crew filled the pothole on 7/12. Thank you for reporting.",)]


def test_xml_and_json_files_use_the_same_parser() -> None:
    connector = load_connector("open311")
    context = ParseContext(source="open311_files")
    toronto = list(connector.parse_file(RECORDED / "bensheldon_open311status/requests_many.xml", context))
    assert all(isinstance(row, Record) for row in toronto) and len(toronto) == 2
    first = toronto[0]
    assert isinstance(first, Record)
    assert first.values["service_name"] == "Road - Pot hole" and first.values["description"] is None
    assert first.values["requested_at"] == dt.datetime(2018, 7, 30, 4, 1, tzinfo=dt.UTC)
    spec = list(connector.parse_file(RECORDED / "codeforamerica_open311/service_requests.xml", context))
    assert [row.values["status_notes"] for row in spec if isinstance(row, Record)] == [
        "Duplicate request.",
        None,
    ]
    empty = RECORDED / "codeforamerica_open311/service_requests_empty.xml"
    assert list(connector.parse_file(empty, context)) == []
    chicago = list(connector.parse_file(RECORDED / "bensheldon_open311status/service_requests.json", context))
    assert len(chicago) == 2 and all(isinstance(row, Record) for row in chicago)


def test_an_error_document_is_a_file_problem() -> None:
    connector = load_connector("open311")
    with pytest.raises(FileProblem, match="XML"):
        list(connector.parse_file(RECORDED / "codeforamerica_open311/403.xml", ParseContext(source="o")))


def test_a_request_closed_weeks_later_reaches_close_the_loop_as_a_revision(
    httpserver: HTTPServer, config: Any, clock: FakeClock
) -> None:
    opened = DAY - dt.timedelta(days=11)
    request: dict[str, Any] = {
        "service_request_id": "RIV-311-0042",
        "status": "open",
        "service_name": "Pot Hole in Street",
        "service_code": "4fd3b656e750846c53000004",
        "description": "Pothole on Elm St has been there for weeks, city hall never answers.",
        "requested_datetime": "2014-07-01T10:00:00Z",
        "updated_datetime": "2014-07-01T10:00:00Z",
    }
    fake = FakeOpen311(httpserver, [request], cap=1000)
    extract_source(
        config, "open311_api", opened, opened + dt.timedelta(days=1), http=session_for(config, clock)
    )
    load_all(config, opened, opened + dt.timedelta(days=1))
    request.update(
        status="closed", status_notes="Crew repaired it on 7/12.", updated_datetime="2014-07-12T15:00:00Z"
    )
    fake.windows.clear()
    summary = run_interval(config, DAY, NEXT)
    assert summary.failed_sources == {}
    # The committed cursor ends on 2 July: the gap is fetched, then the 30 days before it are revisited.
    assert fake.windows == [
        ("2014-07-02T00:00:00Z", "2014-07-13T00:00:00Z"),
        ("2014-06-02T00:00:00Z", "2014-07-02T00:00:00Z"),
    ]
    landed = query(
        config,
        "select partition_day, status from raw.service_request "
        "where service_request_id = 'RIV-311-0042' order by 1",
    )
    assert landed == [(opened, "open"), (DAY, "closed")]
    # Loading the request's own day again (a backfill) must not bring the stale state back.
    load_all(config, opened, opened + dt.timedelta(days=1))
    run_interval(config, DAY, NEXT)
    staged = query(
        config,
        "select is_closed, status_notes, requested_at from staging.stg_service_requests "
        "where service_request_id = 'RIV-311-0042'",
    )
    with reader(config) as con:
        feedback = con.execute(
            "select count(*) from core.fact_feedback where source_ref = 'RIV-311-0042'"
        ).fetchall()
    assert staged == [(True, "Crew repaired it on 7/12.", dt.datetime(2014, 7, 1, 10, tzinfo=dt.UTC))]
    assert feedback == [(1,)]


def test_revisits_can_be_turned_off(
    make_config: MakeConfig, httpserver: HTTPServer, clock: FakeClock
) -> None:
    config = make_config(
        "open311_api", "open311", conn_id="o", base_url=httpserver.url_for("/open311/v2"), revisit_days=0
    )
    fake = FakeOpen311(httpserver, all_requests(), cap=1000)
    extract_source(config, "open311_api", DAY, NEXT, http=session_for(config, clock))
    assert fake.windows == [("2014-07-12T00:00:00Z", "2014-07-13T00:00:00Z")]
