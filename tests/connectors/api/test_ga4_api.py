"""GA4 runReport against a local server: offset/limit paging, date ranges per interval, quota faults."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.credentials import env_names
from civicpulse.extract import extract_source
from civicpulse.http import CredentialsError
from tests.connectors.api.conftest import MakeConfig, committed, load_all, query, session_for
from tests.connectors.conftest import FIXTURES
from tests.http.fakes import FakeClock

DAY = dt.date(2024, 5, 6)
END = dt.date(2024, 5, 8)
RUN_REPORT = "/v1beta/properties/31415926:runReport"


class FakeGa4:
    """Serves the recorded-shape runReport pages by (dimension, offset); answers 429 when told to."""

    def __init__(self, server: HTTPServer) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.authorizations: list[str] = []
        self.throttle = 0
        self.empty = False
        self.pages = {
            ("pagePath", 0): "ga4/ga4_pages_20240506-20240507_offset000000.json",
            ("pagePath", 4): "ga4/ga4_pages_20240506-20240507_offset000004.json",
            ("searchTerm", 0): "ga4/ga4_search_20240506-20240507_offset000000.json",
        }
        server.expect_request(RUN_REPORT, method="POST").respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        body = json.loads(request.data)
        self.bodies.append(body)
        self.authorizations.append(request.headers.get("Authorization", ""))
        if self.throttle:
            self.throttle -= 1
            error = {
                "error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Exhausted property tokens"}
            }
            return Response(json.dumps(error), status=429, headers={"Retry-After": "30"})
        key = (body["dimensions"][1]["name"], int(body["offset"]))
        if self.empty:
            report: dict[str, Any] = {
                "dimensionHeaders": [],
                "metricHeaders": [],
                "kind": "analyticsData#runReport",
            }
            report.update(dimensionHeaders=body["dimensions"], metricHeaders=body["metrics"])
        else:
            report = json.loads((FIXTURES / self.pages[key]).read_text())
        report["propertyQuota"] = {"tokensPerDay": {"consumed": 12, "remaining": 199000}}
        return Response(json.dumps(report), content_type="application/json")


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeGa4:
    return FakeGa4(httpserver)


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "ga4_api",
        "ga4",
        conn_id="ga4_city",
        base_url=httpserver.url_for("/").rstrip("/"),
        property_id="31415926",
        page_size=4,
    )


def test_reports_are_paged_by_offset_for_the_interval_dates(
    fake: FakeGa4, config: Any, clock: FakeClock
) -> None:
    summary = extract_source(config, "ga4_api", DAY, END, http=session_for(config, clock))
    assert summary.records == 10 and summary.quarantined == 1
    assert [(b["dimensions"][1]["name"], b["offset"]) for b in fake.bodies] == [
        ("pagePath", "0"),
        ("pagePath", "4"),
        ("searchTerm", "0"),
    ]
    assert fake.bodies[0]["dateRanges"] == [{"startDate": "2024-05-06", "endDate": "2024-05-07"}]
    assert fake.bodies[2]["dimensionFilter"]["filter"]["stringFilter"]["value"] == "view_search_results"
    load_all(config, DAY, END)
    pages = query(config, "select count(*), count(distinct (date, page_path)) from raw.web_page_daily")
    assert pages == [(6, 6)]
    problems = query(config, "select record_file, record_line, reason from ops.quarantine")
    assert len(problems) == 1 and problems[0][0].endswith("#web_page_daily@4") and problems[0][1] == 7
    assert "(other)" in problems[0][2]
    assert query(config, "select count(*) from raw.web_search_daily") == [(4,)]
    cursor = committed(config)
    assert cursor is not None and cursor.through == dt.datetime(2024, 5, 8, tzinfo=dt.UTC)


def test_exhausted_property_quota_waits_for_retry_after(fake: FakeGa4, config: Any, clock: FakeClock) -> None:
    fake.throttle = 2
    extract_source(config, "ga4_api", DAY, END, http=session_for(config, clock))
    assert clock.sleeps == [30.0, 30.0]


def test_an_empty_report_lands_no_rows(fake: FakeGa4, config: Any, clock: FakeClock) -> None:
    fake.empty = True
    summary = extract_source(config, "ga4_api", DAY, END, http=session_for(config, clock))
    assert summary.records == 0 and len(fake.bodies) == 2


def test_a_rejected_token_names_the_connection(httpserver: HTTPServer, config: Any, clock: FakeClock) -> None:
    httpserver.expect_request(RUN_REPORT, method="POST").respond_with_json(
        {"error": {"code": 401, "status": "UNAUTHENTICATED"}}, status=401
    )
    with pytest.raises(CredentialsError, match=r"ga4_city.*CIVICPULSE_GA4_API_TOKEN"):
        extract_source(config, "ga4_api", DAY, END, http=session_for(config, clock))


def test_a_service_account_key_mints_the_token_the_reports_are_fetched_with(
    fake: FakeGa4, config: Any, clock: FakeClock, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    token_uri = httpserver.url_for("/token")
    key = {
        "type": "service_account",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "civicpulse@riverton.iam.gserviceaccount.com",
        "token_uri": token_uri,
    }
    monkeypatch.setenv(env_names("ga4_api")[0], json.dumps(key))
    grants: list[dict[str, Any]] = []

    def token(request: Request) -> Response:
        claims = jwt.decode(
            request.form["assertion"], private.public_key(), algorithms=["RS256"], audience=token_uri
        )
        grants.append(claims)
        return Response(
            json.dumps({"access_token": "ya29.minted", "expires_in": 3599}), content_type="application/json"
        )

    httpserver.expect_request("/token", method="POST").respond_with_handler(token)
    summary = extract_source(config, "ga4_api", DAY, END, http=session_for(config, clock))
    assert summary.records == 10
    assert [claims["scope"] for claims in grants] == ["https://www.googleapis.com/auth/analytics.readonly"]
    assert grants[0]["iss"] == "civicpulse@riverton.iam.gserviceaccount.com"
    assert fake.authorizations == ["Bearer ya29.minted"] * 3


def test_a_broken_service_account_key_says_where_it_lives(
    config: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env_names("ga4_api")[0], '{"type": "service_account", "client_email": "a@b"')
    with pytest.raises(CredentialsError, match=r"'ga4_city'.*CIVICPULSE_GA4_API_TOKEN.*not valid JSON"):
        extract_source(config, "ga4_api", DAY, END, http=session_for(config, clock))
