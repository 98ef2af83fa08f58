"""GA4 in full: completions from whichever key-event metrics the property exports (as the source's
parse options say), site search from page paths, and every metric that does not land named in the log."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from civicpulse.config import load_config
from civicpulse.paths import DEFAULT_CONFIG
from civicpulse.pipeline import build, extract, load
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.sources import ParseContext, Record, RowProblem, load_connector
from civicpulse.unused_fields import collecting
from civicpulse.warehouse.connection import reader
from connectors.ga4 import Options
from tests.conftest import write_project_config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ga4"
DAY = dt.date(2024, 5, 6)


def _report(dimensions: list[str], metrics: list[str], rows: list[tuple[list[str], list[str]]]) -> Any:
    """A runReport response body as the Data API writes it (values are strings, floats end in .0)."""
    return {
        "dimensionHeaders": [{"name": name} for name in dimensions],
        "metricHeaders": [{"name": name, "type": "TYPE_INTEGER"} for name in metrics],
        "rows": [
            {
                "dimensionValues": [{"value": value} for value in dims],
                "metricValues": [{"value": value} for value in values],
            }
            for dims, values in rows
        ],
        "rowCount": len(rows),
        "metadata": {"currencyCode": "USD", "timeZone": "America/Chicago"},
        "kind": "analyticsData#runReport",
    }


def _parse(
    tmp_path: Path, report: Any, options: Options | None = None
) -> tuple[list[Record], list[RowProblem]]:
    path = tmp_path / "ga4_pages_20240506-20240506_offset000000.json"
    path.write_text(json.dumps(report))
    context = ParseContext(source="ga4_web", options=options)
    rows = list(load_connector("ga4").parse_file(path, context))
    return [r for r in rows if isinstance(r, Record)], [r for r in rows if isinstance(r, RowProblem)]


PLAIN_KEY_EVENTS = _report(
    ["date", "pagePath"],
    ["sessions", "activeUsers", "screenPageViews", "keyEvents"],
    [
        (["20240506", "/utilities/pay-my-bill"], ["412", "377", "958", "131.0"]),
        (["20240506", "/permits/building/apply"], ["188", "171", "604", "37.0"]),
    ],
)


def test_plain_key_events_without_a_mapping_load_as_no_data_and_are_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="connectors.ga4"), collecting() as unused:
        records, problems = _parse(tmp_path, PLAIN_KEY_EVENTS)
    assert problems == [] and len(records) == 2
    assert {(r.values["form_submits"], r.values["payments_completed"]) for r in records} == {(None, None)}
    [metric] = unused
    assert (Path(metric.file).name, metric.field, metric.rows) == (
        "ga4_pages_20240506-20240506_offset000000.json",
        "keyEvents",
        2,
    )
    assert "parse.form_submits" in metric.reason
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "ga4_pages_20240506-20240506_offset000000.json" in warning
    assert warning.endswith(
        "form_submits, payments_completed: no metric of this report counts them (see their parse options), "
        "so they load empty, as no data"
    )


def test_plain_key_events_count_where_the_options_say(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="connectors.ga4"):
        records, _ = _parse(tmp_path, PLAIN_KEY_EVENTS, Options(form_submits=("keyEvents",)))
    assert [(r.values["form_submits"], r.values["payments_completed"]) for r in records] == [
        (131, None),
        (37, None),
    ]
    [warning] = [r.getMessage() for r in caplog.records]
    assert "payments_completed: no metric" in warning and "not loaded" not in warning


def test_several_named_events_and_conversions_are_summed(tmp_path: Path) -> None:
    report = _report(
        ["date", "pagePath"],
        ["sessions", "conversions:permit_apply", "conversions:license_renew", "keyEvents:pay"],
        [(["20240506", "/permits"], ["50", "4.0", "3", "2"])],
    )
    options = Options(
        form_submits=("conversions:permit_apply", "conversions:license_renew", "keyEvents:absent"),
        payments_completed=("keyEvents:pay",),
    )
    records, _ = _parse(tmp_path, report, options)
    assert (records[0].values["form_submits"], records[0].values["payments_completed"]) == (7, 2)


def test_the_default_split_key_events_still_load(tmp_path: Path) -> None:
    records, problems = _parse(
        tmp_path, json.loads((FIXTURES / "ga4_pages_20240506-20240507_offset000000.json").read_text())
    )
    assert (
        problems == []
        and records[1].values["form_submits"] == 37
        and records[0].values["payments_completed"] == 131
    )


EVENTS_BY_NAME = _report(
    ["date", "pagePath", "eventName"],
    ["eventCount", "sessions", "activeUsers"],
    [
        (["20240506", "/permits/building/apply", "page_view"], ["604", "188", "171"]),
        (["20240506", "/permits/building/apply", "form_submit"], ["37", "35", "35"]),
        (["20240506", "/permits/building/apply", "scroll"], ["210", "120", "118"]),
        (["20240506", "/utilities/pay-my-bill", "page_view"], ["958", "412", "377"]),
        (["20240506", "/utilities/pay-my-bill", "purchase"], ["131", "129", "128"]),
        (["20240506", "/utilities/autopay", "form_submit"], ["3", "3", "3"]),
    ],
)


def test_event_count_by_event_name_folds_each_page_day(tmp_path: Path) -> None:
    options = Options(form_submits=("eventCount:form_submit",), payments_completed=("eventCount:purchase",))
    records, problems = _parse(tmp_path, EVENTS_BY_NAME, options)
    assert [(r.line, r.values) for r in records] == [
        (
            1,
            {
                "date": DAY,
                "page_path": "/permits/building/apply",
                "sessions": 188,
                "active_users": 171,
                "page_views": 604,
                "engagement_seconds": None,
                "form_submits": 37,
                "payments_completed": 0,
            },
        ),
        (
            4,
            {
                "date": DAY,
                "page_path": "/utilities/pay-my-bill",
                "sessions": 412,
                "active_users": 377,
                "page_views": 958,
                "engagement_seconds": None,
                "form_submits": 0,
                "payments_completed": 131,
            },
        ),
    ]
    assert [(p.line, p.reason) for p in problems] == [
        (
            6,
            "the page has no page_view row that day, so its sessions are unknown; "
            "keep page_view in the report's eventName filter",
        )
    ]


def test_an_event_absent_from_the_whole_report_is_no_data(tmp_path: Path) -> None:
    options = Options(
        form_submits=("eventCount:form_submit",), payments_completed=("eventCount:payment_complete",)
    )
    records, _ = _parse(tmp_path, EVENTS_BY_NAME, options)
    assert {r.values["payments_completed"] for r in records} == {None}


SEARCH_PAGES = _report(
    ["date", "pagePath"],
    ["sessions", "screenPageViews"],
    [
        (["20240506", "/search?q=payment+not+working"], ["40", "52"]),
        (["20240506", "/search?q=payment%20not%20working&page=2"], ["6", "7"]),
        (["20240506", "/?s=Permit+fees"], ["3", "3"]),
        (["20240506", "/search?q="], ["2", "2"]),
        (["20240506", "/utilities/pay-my-bill?utm_source=mail"], ["9", "11"]),
    ],
)


def test_search_result_page_paths_become_site_searches(tmp_path: Path) -> None:
    records, problems = _parse(tmp_path, SEARCH_PAGES)
    assert problems == []
    pages = [(r.line, r.values["page_path"]) for r in records if r.stream == "web_page_daily"]
    searches = [(r.line, r.values) for r in records if r.stream == "web_search_daily"]
    assert pages == [(4, "/search?q="), (5, "/utilities/pay-my-bill?utm_source=mail")]
    assert searches == [
        (1, {"date": DAY, "search_term": "payment not working", "searches": 59, "sessions": 46}),
        (3, {"date": DAY, "search_term": "Permit fees", "searches": 3, "sessions": 3}),
    ]


def test_search_parameters_are_configurable(tmp_path: Path) -> None:
    records, _ = _parse(tmp_path, SEARCH_PAGES, Options(search_parameters=("s",)))
    assert [r.values.get("search_term") for r in records if r.stream == "web_search_daily"] == ["Permit fees"]


def test_completion_options_are_checked() -> None:
    with pytest.raises(ValidationError, match="keyEvents is in both form_submits and payments_completed"):
        Options(form_submits=("keyEvents",), payments_completed=("keyEvents",))
    with pytest.raises(ValidationError, match="eventCount alone"):
        Options(form_submits=("eventCount",))


def test_an_export_without_key_events_reads_no_data_in_the_scorecard(tmp_path: Path) -> None:
    """Sessions load, completions do not: the self-service rate is null ('no data'), never 0.0%."""
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    [ga4] = [source for source in settings["sources"] if source["connector"] == "ga4"]
    config = load_config(write_project_config(tmp_path, sources=[ga4]))
    inbox = config.inbox(config.source(ga4["name"]))
    inbox.mkdir(parents=True)
    report = _report(
        ["date", "pagePath"],
        ["sessions", "screenPageViews", "keyEvents"],
        [(["20240506", "/utilities/pay-my-bill"], ["412", "958", "131.0"])],
    )
    (inbox / "ga4_pages_20240506-20240506_offset000000.json").write_text(json.dumps(report))
    ensure_demo_key(config)
    extract(config, ga4["name"], DAY, DAY + dt.timedelta(days=1))
    load(config, DAY, DAY + dt.timedelta(days=1))
    build(config)
    with reader(config) as con:
        row = con.execute(
            "select web_sessions, self_service_completions, self_service_rate from marts.cx_scorecard "
            "where service_id = 'utility_billing' and month_start = ?",
            [DAY.replace(day=1)],
        ).fetchone()
        fact = con.execute(
            "select form_submits, payments_completed, self_service_completions from core.fact_web_metrics"
        ).fetchall()
    assert fact == [(None, None, None)]
    assert row is not None and row[0] == 412 and row[2] is None
