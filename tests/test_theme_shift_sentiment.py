"""Theme shifts are judged with their sentiment (issue 15, sql/marts/anomalies.sql): a surge of
"Resolution and follow-up" in praise is an improvement, the same surge in complaints is not.

A small written contact-centre export (three ISO weeks, two queues) goes through the real pipeline
(extract, landing checks, load, build, publish); the third week's call notes mention resolution in
praise for the DMV and in complaints for permits."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from civicpulse.config import Config, load_config
from civicpulse.pipeline import run_interval
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.report.build import write_report
from civicpulse.trends import render_trends
from civicpulse.warehouse.connection import reader
from tests.conftest import write_project_config

START = dt.date(2026, 3, 2)  # a Monday: three whole ISO weeks, two of baseline
SURGE_WEEK = START + dt.timedelta(weeks=2)
END = START + dt.timedelta(weeks=3)
CALLS_PER_DAY = 8
THEMED_CALLS_PER_DAY = 5
QUEUES = {"drivers_licence": "DMV", "building_permits": "PERMITS"}

ROUTINE_NOTES = (
    "Caller asked which documents to bring for a renewal. Read out the list.",
    "Asked for the office opening hours on Saturday. Gave the hours.",
    "Wanted to know the fee for a replacement card. Quoted the fee.",
    "Asked where to send a change of address form. Gave the mailing address.",
)
PRAISE = "Caller said the issue was resolved quickly, thank you, great help from the team."
COMPLAINT = "Caller is angry: still not resolved, nobody followed up, terrible service."
HEADER = (
    "call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    "caller_number,agent_id,notes"
)


def _write_calls(folder: Path) -> None:
    folder.mkdir(parents=True)
    day = START
    while day < END:
        with (folder / f"calls_{day.isoformat()}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER.split(","))
            for service_id, queue in QUEUES.items():
                for index in range(CALLS_PER_DAY):
                    if day >= SURGE_WEEK and index < THEMED_CALLS_PER_DAY:
                        note = PRAISE if service_id == "drivers_licence" else COMPLAINT
                    else:
                        note = ROUTINE_NOTES[index % len(ROUTINE_NOTES)]
                    writer.writerow(
                        [
                            f"C-{day:%Y%m%d}-{queue}-{index:02d}",
                            f"{day.isoformat()} {9 + index:02d}:{7 * index % 60:02d}:00",
                            queue,
                            60 + 5 * index,
                            300,
                            "information_provided",
                            "Y",
                            "N",
                            "",
                            f"A{100 + index}",
                            note,
                        ]
                    )
        day += dt.timedelta(days=1)


@pytest.fixture(scope="module")
def shift_city(tmp_path_factory: pytest.TempPathFactory) -> Config:
    root = tmp_path_factory.mktemp("theme-shift")
    inbox = root / "exports" / "contact_center"
    _write_calls(inbox)
    source = {
        "name": "contact_center",
        "connector": "contact_center_csv",
        "mode": "file",
        "inbox": str(inbox),
        "service_map": {service_id: {"queues": [queue]} for service_id, queue in QUEUES.items()},
    }
    config = load_config(write_project_config(root, sources=[source]))
    ensure_demo_key(config)
    run_interval(config, START, END)
    return config


@pytest.fixture(scope="module")
def warehouse(shift_city: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    with reader(shift_city) as con:
        yield con


def _resolution_surges(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[object, ...]]:
    rows = con.execute(
        """
        select service_id, direction, is_improvement, observed, expected
        from marts.anomalies
        where metric = 'theme_share' and theme_id = 'resolution_followup' and channel = 'phone'
            and grain = 'week' and period_start = ?
        """,
        [SURGE_WEEK],
    ).fetchall()
    return {str(row[0]): row[1:] for row in rows}


def test_the_praise_surge_is_an_improvement_and_the_complaint_surge_is_not(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    tone = dict(
        warehouse.execute(
            """
            select feedback.service_id, list_distinct(list(sentiment.label))
            from core.fact_feedback as feedback
            inner join core.fact_feedback_theme as theme using (feedback_id)
            inner join core.fact_feedback_sentiment as sentiment using (feedback_id)
            where theme.theme_id = 'resolution_followup'
            group by all
            """
        ).fetchall()
    )
    # the premise: the themed notes carry the tone they were written with
    assert tone == {"drivers_licence": ["positive"], "building_permits": ["negative"]}, tone
    surges = _resolution_surges(warehouse)
    assert set(surges) == {"drivers_licence", "building_permits"}, surges
    praise_direction, praise_improvement, observed, expected = surges["drivers_licence"]
    assert praise_direction == "up" and praise_improvement is True, surges
    assert isinstance(observed, float) and isinstance(expected, float) and observed > expected + 0.5
    complaint_direction, complaint_improvement, *_ = surges["building_permits"]
    assert complaint_direction == "up" and complaint_improvement is False, surges


def test_no_resolution_alarm_in_the_quiet_weeks(warehouse: duckdb.DuckDBPyConnection) -> None:
    quiet = warehouse.execute(
        "select count(*) from marts.anomalies where theme_id = 'resolution_followup' and period_start < ?",
        [SURGE_WEEK],
    ).fetchone()
    assert quiet == (0,)


def test_the_report_and_trends_call_the_praise_surge_an_improvement(
    shift_city: Config, warehouse: duckdb.DuckDBPyConnection
) -> None:
    html = write_report(shift_city).read_text(encoding="utf-8")
    items = re.findall(r'<li class="anomaly (good|bad)">(.*?)</li>', html, flags=re.S)
    resolution = [(kind, body) for kind, body in items if "Resolution and follow-up" in body]
    kinds = sorted((kind, "improvement" in body, "needs attention" in body) for kind, body in resolution)
    assert kinds == [("bad", False, True), ("good", True, False)], resolution
    dmv = render_trends(warehouse, services=["drivers_licence"]).split("== ")[-1]
    changed = next(line for line in dmv.splitlines() if line.startswith("what changed:"))
    resolution_part = next(part for part in changed.split("; ") if "Resolution and follow-up" in part)
    assert resolution_part.endswith("(better)"), changed
