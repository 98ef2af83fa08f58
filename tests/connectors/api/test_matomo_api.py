"""Matomo Reporting API against a local server: VisitsSummary.get answered with the recorded real output of
Matomo's system test (shared folder, GPL-3.0, read not copied), report rows in Matomo's flat JSON shape."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.extract import extract_source
from civicpulse.http import BadResponse, CredentialsError
from civicpulse.sources import ParseContext, Record, load_connector
from tests.conftest import SHARED_REAL
from tests.connectors.api.conftest import TOKEN, MakeConfig, committed, load_all, query, session_for
from tests.connectors.api.fakes import FakeService
from tests.http.fakes import FakeClock

RECORDED = (
    SHARED_REAL / "api_samples" / "matomo" / "test_OneVisitorTwoVisits_bulk_json__API.getBulkRequest.json"
)
API = "/index.php"
DAY = dt.date(2010, 3, 6)
END = DAY + dt.timedelta(days=2)


def recorded_summary() -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(RECORDED.read_text())[0]
    return summary


def page_row(path: str, visits: int) -> dict[str, Any]:
    return {
        "label": path.lstrip("/"),
        "nb_visits": visits,
        "nb_uniq_visitors": visits,
        "nb_hits": visits + 1,
        "sum_time_spent": visits * 30,
        "entry_nb_visits": 1,
        "exit_nb_visits": 1,
        "avg_time_on_page": 30,
        "bounce_rate": "0%",
        "exit_rate": "50%",
        "url": f"https://riverton.example{path}",
        "segment": f"pageUrl==https%253A%252F%252Friverton.example{path}",
    }


def keyword_row(term: str, visits: int) -> dict[str, Any]:
    return {
        "label": term,
        "nb_visits": str(visits),
        "nb_pages_per_search": "1",
        "exit_nb_visits": "0",
        "exit_rate": "0%",
    }


PAGES = [page_row(f"/permits/page-{n}", 10 - n) for n in range(5)]
KEYWORDS = [keyword_row("pothole", 4), keyword_row("renew license", 2)]


class FakeMatomo(FakeService):
    """POST /index.php?module=API&method=...: one site, rows paged with filter_limit/filter_offset."""

    def __init__(self, server: HTTPServer) -> None:
        super().__init__(server)
        self.summary = recorded_summary()
        self.reports: dict[str, list[dict[str, Any]]] = {
            "Actions.getPageUrls": PAGES,
            "Actions.getSiteSearchKeywords": KEYWORDS,
        }
        self.duplicate_across_pages = False
        self.bodies: list[dict[str, list[str]]] = []
        server.expect_request(API, method="POST").respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        self.bodies.append(parse_qs(request.get_data(as_text=True)))
        fault = self._fault(request)
        if fault:
            return fault
        if self.bodies[-1].get("token_auth") != [TOKEN]:
            error = {
                "result": "error",
                "message": "You can't access this resource as it requires 'view' access.",
            }
            return Response(json.dumps(error), content_type="application/json")
        args = request.args
        if args["method"] == "VisitsSummary.get":
            return Response(json.dumps(self.summary), content_type="application/json")
        rows = self.reports[args["method"]]
        offset, limit = int(args["filter_offset"]), int(args["filter_limit"])
        if self.duplicate_across_pages and offset:
            # a page ranked first after the first request shifts every row down: one repeats on the next page
            rows = [page_row("/new-page", 50), *rows]
        page = rows[offset : offset + limit]
        return Response(json.dumps(page), content_type="application/json")


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeMatomo:
    return FakeMatomo(httpserver)


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "matomo_api",
        "matomo",
        conn_id="matomo_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        site_id="1",
        page_size=2,
    )


def test_days_with_visits_are_read_page_by_page_into_both_streams(
    fake: FakeMatomo, config: Any, clock: FakeClock
) -> None:
    summary = extract_source(config, "matomo_api", DAY, END, http=session_for(config, clock))
    assert summary.records == 7 and summary.days == 2
    calls = [(args["method"], args["date"], args.get("filter_offset")) for _, args, _ in fake.requests]
    assert calls == [
        ("VisitsSummary.get", "2010-03-06,2010-03-07", None),
        ("Actions.getPageUrls", "2010-03-06", "0"),
        ("Actions.getPageUrls", "2010-03-06", "2"),
        ("Actions.getPageUrls", "2010-03-06", "4"),
        ("Actions.getSiteSearchKeywords", "2010-03-06", "0"),
        ("Actions.getSiteSearchKeywords", "2010-03-06", "2"),
    ]
    assert all("token_auth" not in args for _, args, _ in fake.requests)
    assert {tuple(body["token_auth"]) for body in fake.bodies} == {(TOKEN,)}
    load_all(config, DAY, END)
    pages = query(
        config,
        "select date, page_path, sessions, page_views, engagement_seconds from raw.web_page_daily order by 2",
    )
    assert pages[0] == (DAY, "/permits/page-0", 10, 11, 300.0) and len(pages) == 5
    terms = query(config, "select search_term, searches from raw.web_search_daily order by 1")
    assert terms == [("pothole", 4), ("renew license", 2)]
    assert committed(config) is not None


def test_throttling_errors_and_a_duplicated_row_are_survived(
    fake: FakeMatomo, config: Any, clock: FakeClock
) -> None:
    fake.duplicate_across_pages = True
    fake.fail_next(API, (429, "", {"Retry-After": "5"}), (500, "", {}), (502, "", {}))
    extract_source(config, "matomo_api", DAY, END, http=session_for(config, clock, attempts=5))
    assert clock.sleeps[0] == 5.0
    load_all(config, DAY, END)
    assert query(config, "select count(*), count(distinct page_path) from raw.web_page_daily") == [(5, 5)]


def test_a_truncated_page_fails_and_moves_nothing_and_the_rerun_loads_all(
    fake: FakeMatomo, config: Any, clock: FakeClock
) -> None:
    fake.fail_next(API, (200, '{"2010-03-06": {"nb_uniq_visitors": 1, "nb_vis', {}))
    with pytest.raises(BadResponse, match="cut off"):
        extract_source(config, "matomo_api", DAY, END, http=session_for(config, clock))
    assert committed(config) is None
    extract_source(config, "matomo_api", DAY, END, http=session_for(config, clock))
    load_all(config, DAY, END)
    assert query(config, "select count(*) from raw.web_page_daily") == [(5,)]
    assert committed(config) is not None


def test_a_day_without_visits_asks_for_no_reports(fake: FakeMatomo, config: Any, clock: FakeClock) -> None:
    fake.summary = {"2010-03-06": [], "2010-03-07": []}
    summary = extract_source(config, "matomo_api", DAY, END, http=session_for(config, clock))
    assert summary.records == 0 and len(fake.requests) == 1


def test_a_refused_token_names_the_connection(
    fake: FakeMatomo, config: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICPULSE_MATOMO_API_TOKEN", "expired-token")
    with pytest.raises(CredentialsError, match="matomo_riverton") as caught:
        extract_source(config, "matomo_api", DAY, END, http=session_for(config, clock))
    assert "expired-token" not in str(caught.value) and committed(config) is None


def test_file_mode_reads_saved_reports_by_method_and_date(tmp_path: Any) -> None:
    saved = tmp_path / "Actions.getPageUrls_2010-03-06.json"
    saved.write_text(json.dumps(PAGES))
    ranged = tmp_path / "Actions.getSiteSearchKeywords.json"
    ranged.write_text(json.dumps({"2010-03-06": KEYWORDS, "2010-03-07": []}))
    connector = load_connector("matomo")
    context = ParseContext(source="matomo_files")
    pages = list(connector.parse_file(saved, context))
    terms = list(connector.parse_file(ranged, context))
    assert all(isinstance(r, Record) and r.values["date"] == DAY for r in pages + terms)
    assert len(pages) == 5 and len(terms) == 2
