"""SurveyMonkey bulk responses against a local server: the 16 recorded responses of survey 152299598
(shared folder, MIT) re-paged by `per_page`, chained by `links.next`, with the recorded rate-limit headers."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.config import ConfigError
from civicpulse.extract import extract_source
from civicpulse.http import BadResponse, CredentialsError, RetryBudgetExceeded
from civicpulse.landing import day_folder
from civicpulse.sources import ParseContext, Record, load_connector
from tests.conftest import SHARED_REAL
from tests.connectors.api.conftest import TOKEN, MakeConfig, committed, load_all, query, session_for
from tests.connectors.api.fakes import FakeService
from tests.http.fakes import FakeClock

RECORDED = SHARED_REAL / "api_samples" / "surveymonkey"
SURVEY = "152299598"
BULK = f"/v3/surveys/{SURVEY}/responses/bulk"
DAY = dt.date(2018, 5, 31)
NEXT = DAY + dt.timedelta(days=1)
SATISFACTION, TRUST, COMMENT = "84795226", "84795227", "84795299"
SCORES = {"651763869": 5, "651763870": 4, "651763871": 2, "651763872": 1}
TRUST_SCORES = {"651763873": 5, "651763874": 4, "651763875": 3, "651763876": 1}


def recorded_responses() -> list[dict[str, Any]]:
    names = [f"page_{n}.json" for n in (1, 2, 3)] + ["page_4_last.json"]
    pages = [
        json.loads((RECORDED / f"responses_bulk__survey_{SURVEY}__per_page_5__{n}").read_text())
        for n in names
    ]
    return [item for page in pages for item in page["data"]]


def recorded_rate_headers() -> dict[str, str]:
    replay = (RECORDED / "replay_152808410114822312.txt").read_text()
    response_head = replay.split("\n\n")[1]
    lines = [line.split(": ", 1) for line in response_head.splitlines()[1:]]
    return {name: value for name, value in lines if name.startswith("x-ratelimit")}


def later_copy(item: dict[str, Any], number: int, moment: dt.datetime, comment: str) -> dict[str, Any]:
    response = copy.deepcopy(item)
    response["id"] = str(20000000000 + number)
    response["date_created"] = response["date_modified"] = moment.isoformat()
    response["pages"][0]["questions"].append({"id": COMMENT, "answers": [{"text": comment}]})
    return response


class FakeSurveyMonkey(FakeService):
    """GET /v3/surveys/<id>/responses/bulk: created-at window, oldest first, page/per_page, API-like links."""

    def __init__(self, server: HTTPServer, responses: list[dict[str, Any]]) -> None:
        super().__init__(server)
        self.responses = responses
        self.rate_headers = recorded_rate_headers()
        self.duplicate_across_pages = False
        server.expect_request(BULK).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        fault = self._fault(request)
        if fault:
            return fault
        args = request.args
        chosen = sorted(self.responses, key=lambda r: (r["date_created"], r["id"]))
        if "start_created_at" in args:
            chosen = [r for r in chosen if _created(r) >= _moment(args["start_created_at"])]
        if "end_created_at" in args:
            chosen = [r for r in chosen if _created(r) < _moment(args["end_created_at"])]
        per_page, page = int(args.get("per_page", "50")), int(args.get("page", "1"))
        data = chosen[(page - 1) * per_page : page * per_page]
        if self.duplicate_across_pages and page > 1:
            data = [chosen[(page - 1) * per_page - 1], *data]
        last = max(1, math.ceil(len(chosen) / per_page))
        query_base = {k: v for k, v in args.items() if k != "page"}

        def link(number: int) -> str:
            rest = "&".join(f"{k}={v}" for k, v in query_base.items())
            return f"{request.base_url}?page={number}&{rest}"

        links = {"self": link(page), "first": link(1), "last": link(last)}
        if page < last:
            links["next"] = link(page + 1)
        if page > 1:
            links["prev"] = link(page - 1)
        body = {"per_page": per_page, "total": len(chosen), "data": data, "page": page, "links": links}
        return Response(json.dumps(body), headers=self.rate_headers, content_type="application/json")


def _created(response: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(response["date_created"])


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeSurveyMonkey:
    return FakeSurveyMonkey(httpserver, recorded_responses())


@pytest.fixture
def config(make_config: MakeConfig, httpserver: HTTPServer) -> Any:
    return make_config(
        "surveymonkey_api",
        "surveymonkey",
        conn_id="surveymonkey_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        survey_ids=[SURVEY],
        question_ids={"satisfaction": SATISFACTION, "trust": TRUST, "comment": COMMENT},
        answer_scores={**SCORES, **TRUST_SCORES},
        page_size=5,
    )


def raw_ids(config: Any) -> list[str]:
    return [row[0] for row in query(config, "select response_id from raw.survey_response")]


def test_pages_follow_links_next_and_answers_become_scores(
    fake: FakeSurveyMonkey, config: Any, clock: FakeClock
) -> None:
    summary = extract_source(config, "surveymonkey_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.records == 16 and summary.quarantined == 0
    pages = [args.get("page") for _, args, _ in fake.requests]
    assert pages == [None, "2", "3", "4"]
    first = fake.requests[0][1]
    assert (
        first["start_created_at"] == "2018-05-31T00:00:00"
        and first["end_created_at"] == "2018-06-01T00:00:00"
    )
    assert first["per_page"] == "5" and first["status"] == "completed"
    assert {headers["Authorization"] for _, _, headers in fake.requests} == {f"Bearer {TOKEN}"}
    load_all(config, DAY, NEXT)
    rows = query(
        config,
        "select response_id, form_id, survey_kind, satisfaction_score, trust_score, ease_score "
        "from raw.survey_response where response_id in ('10044859279', '10044859376', '10044859557') "
        "order by 1",
    )
    assert rows == [
        ("10044859279", SURVEY, "surveymonkey", 2, 4, None),
        ("10044859376", SURVEY, "surveymonkey", 1, 1, None),
        ("10044859557", SURVEY, "surveymonkey", 5, 5, None),
    ]
    assert committed(config) is not None


def test_a_spent_minute_budget_waits_for_its_reset(
    fake: FakeSurveyMonkey, config: Any, clock: FakeClock
) -> None:
    fake.rate_headers = {**fake.rate_headers, "x-ratelimit-app-global-minute-remaining": "0"}
    extract_source(config, "surveymonkey_api", DAY, NEXT, http=session_for(config, clock))
    reset = float(fake.rate_headers["x-ratelimit-app-global-minute-reset"])
    assert clock.sleeps == [reset, reset, reset]


def test_throttling_and_server_errors_are_retried_and_the_same_response_on_two_pages_loads_once(
    fake: FakeSurveyMonkey, config: Any, clock: FakeClock
) -> None:
    fake.duplicate_across_pages = True
    fake.fail_next(
        BULK,
        (429, '{"error": {"id": "1040", "name": "Rate limit reached"}}', {"Retry-After": "7"}),
        (502, "", {}),
        (503, "", {}),
    )
    summary = extract_source(
        config, "surveymonkey_api", DAY, NEXT, http=session_for(config, clock, attempts=5)
    )
    assert clock.sleeps == [7.0, 1.0, 2.0]
    assert summary.records == 19
    load_all(config, DAY, NEXT)
    ids = raw_ids(config)
    assert len(ids) == len(set(ids)) == 16


def test_an_empty_window_is_one_empty_page(fake: FakeSurveyMonkey, config: Any, clock: FakeClock) -> None:
    later = NEXT + dt.timedelta(days=30)
    summary = extract_source(
        config, "surveymonkey_api", later, later + dt.timedelta(days=1), http=session_for(config, clock)
    )
    assert summary.records == 0 and len(fake.requests) == 1


def test_a_failed_night_keeps_the_cursor_and_the_next_night_fetches_the_gap(
    fake: FakeSurveyMonkey, config: Any, clock: FakeClock
) -> None:
    extract_source(config, "surveymonkey_api", DAY, NEXT, http=session_for(config, clock))
    load_all(config, DAY, NEXT)
    before = committed(config)
    assert before is not None
    template = recorded_responses()[0]
    moment = dt.datetime(2018, 6, 1, 9, 30, tzinfo=dt.UTC)
    fake.responses += [
        later_copy(template, n, moment + dt.timedelta(minutes=n), f"Permit desk was quick, visit {n}")
        for n in range(7)
    ]
    fake.fail_next(BULK, (200, '{"per_page": 5, "total": 7, "data": [{"total_time": 2, "href": "https:', {}))
    with pytest.raises(BadResponse, match=r"responses/bulk.*\(page 1\).*cut off"):
        extract_source(
            config, "surveymonkey_api", NEXT, NEXT + dt.timedelta(days=1), http=session_for(config, clock)
        )
    assert committed(config) == before
    fake.fail_next(BULK, *[(500, "", {})] * 4)
    with pytest.raises(RetryBudgetExceeded):
        extract_source(
            config, "surveymonkey_api", NEXT, NEXT + dt.timedelta(days=1), http=session_for(config, clock)
        )
    assert committed(config) == before
    assert not day_folder(config.landing_path, "surveymonkey_api", NEXT).exists()
    third = NEXT + dt.timedelta(days=1)
    fake.requests.clear()
    summary = extract_source(
        config, "surveymonkey_api", third, third + dt.timedelta(days=1), http=session_for(config, clock)
    )
    assert summary.days == 2 and summary.records == 7
    assert fake.requests[0][1]["start_created_at"] == "2018-06-01T00:00:00"
    load_all(config, third, third + dt.timedelta(days=1))
    days = query(config, "select partition_day, count(*) from raw.survey_response group by 1 order by 1")
    assert days == [(DAY, 16), (NEXT, 7)]
    comments = query(
        config, "select comment from raw.survey_response where partition_day = ? order by 1 limit 1", [NEXT]
    )
    assert comments == [("Permit desk was quick, visit 0",)]
    after = committed(config)
    assert after is not None and after.through > before.through


def test_an_expired_token_names_the_connection_and_keeps_the_cursor(
    fake: FakeSurveyMonkey, config: Any, clock: FakeClock
) -> None:
    fake.fail_next(
        BULK, (401, '{"error": {"id": "1011", "name": "Authorization Error", "message": "expired"}}', {})
    )
    with pytest.raises(CredentialsError, match="surveymonkey_riverton") as caught:
        extract_source(config, "surveymonkey_api", DAY, NEXT, http=session_for(config, clock))
    assert TOKEN not in str(caught.value) and committed(config) is None


def test_an_unscored_choice_is_quarantined_naming_the_setting(
    make_config: MakeConfig, httpserver: HTTPServer, fake: FakeSurveyMonkey, clock: FakeClock
) -> None:
    config = make_config(
        "surveymonkey_api",
        "surveymonkey",
        conn_id="surveymonkey_riverton",
        base_url=httpserver.url_for("/").rstrip("/"),
        survey_ids=[SURVEY],
        question_ids={"satisfaction": SATISFACTION},
        answer_scores={"651763869": 5},
    )
    summary = extract_source(config, "surveymonkey_api", DAY, NEXT, http=session_for(config, clock))
    assert summary.quarantined > 0 and summary.records + summary.quarantined == 16
    load_all(config, DAY, NEXT)
    reasons = {row[0] for row in query(config, "select reason from ops.quarantine")}
    assert any("api.answer_scores" in reason for reason in reasons)


def test_file_mode_reads_a_saved_bulk_page_with_the_same_parser() -> None:
    path = RECORDED / "responses_bulk__survey_152303468__page_1.json"
    rows = list(load_connector("surveymonkey").parse_file(path, ParseContext(source="surveymonkey_files")))
    assert len(rows) == 1 and isinstance(rows[0], Record)
    assert rows[0].values["response_id"] == "10045001533" and rows[0].values["satisfaction_score"] is None


@pytest.mark.parametrize(
    ("api", "named"),
    [
        ({"question_ids": {"satisfactoin": "1"}}, "question_ids.satisfactoin"),
        ({"answer_scores": {"651763869": 7}}, "answer_scores.651763869"),
        ({"question_id": {"trust": "1"}}, "api.question_id"),
    ],
)
def test_survey_settings_are_validated_naming_the_key(
    make_config: MakeConfig, api: dict[str, Any], named: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        make_config("surveymonkey_api", "surveymonkey", conn_id="surveymonkey_riverton", **api)
