"""Touchpoints API (JSON:API) against a local server: page[number]/page[size], X-Api-Key, the A-11 v2 rows."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.extract import extract_source
from civicpulse.http import CredentialsError
from civicpulse.sources import RowProblem
from connectors.touchpoints import parse_page
from tests.conftest import SHARED_REAL
from tests.connectors.api.conftest import TOKEN, MakeConfig, load_all, query, session_for
from tests.http.fakes import FakeClock

DAY = dt.date(2024, 5, 6)
NEXT = DAY + dt.timedelta(days=1)
RESPONSES = "/api/v1/forms/d3a7c5b8/responses"


def recorded_submission() -> dict[str, Any]:
    form = json.loads((SHARED_REAL / "touchpoints/verbatim/form.json").read_text())
    submission: dict[str, Any] = next(item for item in form["included"] if item["type"] == "submissions")
    return submission


def submission(number: int, answers: tuple[str, str, str, str], **attributes: Any) -> dict[str, Any]:
    item = copy.deepcopy(recorded_submission())
    item["id"] = str(9000 + number)
    values = dict(zip(("answer_01", "answer_02", "answer_03", "answer_04"), answers, strict=True))
    item["attributes"].update(
        values, created_at=f"2024-05-06T1{number}:00:00.000Z", page="/311", **attributes
    )
    return item


class FakeTouchpoints:
    def __init__(self, server: HTTPServer, submissions: list[dict[str, Any]]) -> None:
        self.submissions = submissions
        self.calls: list[tuple[dict[str, str], str | None]] = []
        server.expect_request(RESPONSES).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        self.calls.append((dict(request.args), request.headers.get("X-Api-Key")))
        number, size = int(request.args["page[number]"]), int(request.args["page[size]"])
        data = self.submissions[(number - 1) * size : number * size]
        meta = {
            "current_page": number,
            "page_size": size,
            "total_pages": math.ceil(len(self.submissions) / size),
            "total_count": len(self.submissions),
        }
        body = {"data": data, "links": {"self": request.url}, "meta": meta}
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "touchpoints_api",
        "touchpoints",
        conn_id="touchpoints_gsa",
        base_url=httpserver.url_for("/").rstrip("/"),
        form_ids=["d3a7c5b8"],
        page_size=2,
    )


def test_pages_are_read_by_number_and_answers_become_a11_fields(
    httpserver: HTTPServer, config: Any, clock: FakeClock
) -> None:
    fake = FakeTouchpoints(
        httpserver,
        [
            submission(1, ("1", "effectiveness,ease", "", "Quick renewal online, thanks!")),
            submission(2, ("0", "", "efficiency", "Waited 40 minutes on hold.")),
            submission(3, ("1", "", "", ""), deleted=True),
        ],
    )
    summary = extract_source(config, "touchpoints_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records == 2 and summary.quarantined == 1
    assert [args["page[number]"] for args, _ in fake.calls] == ["1", "2"]
    assert {key for _, key in fake.calls} == {TOKEN}
    assert fake.calls[0][0]["start_date"] == "2024-05-06" and fake.calls[0][0]["end_date"] == "2024-05-06"
    load_all(config, DAY, NEXT)
    rows = query(
        config,
        "select response_id, form_id, is_trust_positive, positive_drivers, negative_drivers, comment "
        "from raw.survey_response order by 1",
    )
    assert rows == [
        ("9001", "d3a7c5b8", True, ["effectiveness", "ease"], [], "Quick renewal online, thanks!"),
        ("9002", "d3a7c5b8", False, [], ["efficiency"], "Waited 40 minutes on hold."),
    ]
    problems = query(config, "select reason from ops.quarantine")
    assert len(problems) == 1 and "deleted" in problems[0][0]


def test_an_invalid_api_key_names_the_connection(
    httpserver: HTTPServer, config: Any, clock: FakeClock
) -> None:
    httpserver.expect_request(RESPONSES).respond_with_json(
        {"error": {"message": "The API_KEY is not valid."}}, status=401
    )
    with pytest.raises(CredentialsError, match="touchpoints_gsa"):
        extract_source(config, "touchpoints_api", DAY, NEXT, http=session_for(config, clock))


def test_a_resource_that_is_not_a_submission_is_filed_under_its_own_day() -> None:
    other = submission(1, ("1", "", "", "ok"))
    other.update(type="forms", attributes={**other["attributes"], "created_at": "2024-05-07T23:30:00-04:00"})
    (problem,) = parse_page("api:touchpoints", {"data": [other]}, "d3a7c5b8")
    assert isinstance(problem, RowProblem) and "not submissions" in problem.reason
    assert problem.day == dt.date(2024, 5, 8), "its created_at in UTC"
