"""Urgency rules (transforms/urgency.py), the cache model and core.fact_feedback_urgency."""

from __future__ import annotations

import duckdb
import pytest

from civicpulse.migrations import migrate
from civicpulse.paths import SQL_DIR
from civicpulse.warehouse.models import run_models, sql_models
from civicpulse.warehouse.scoring import flag_urgency
from transforms.urgency import URGENCY_VERSION, urgency_for_texts, urgency_reasons


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("There's a gas leak on Elm St, please send someone!", ["safety"]),
        ("Downed power line across Main Street, sparking", ["safety"]),
        ("That intersection is dangerous, a kid almost got hit", ["safety"]),
        ("Huge sinkhole opened on 5th Ave", ["safety"]),
        ("Water meter lid is missing in front of the school", ["safety"]),
        ("A steel plate is sticking up in the left lane", ["safety"]),
        ("Pothole on Elm popped my tire this morning", ["safety"]),
        ("Traffic light out at 5th and Main", ["safety"]),
        ("The road is caving in near the creek", ["safety"]),
        ("I can't take this anymore, I want to kill myself", ["threat"]),
        ("If this isn't fixed I'm going to hurt someone at that office", ["threat"]),
        ("My neighbor threatened me again and the police did nothing", ["threat"]),
        ("The DMV website is down and I can't renew", ["outage"]),
        ("No water since this morning on Oak Street", ["outage"]),
        ("Still waiting after 3 weeks for my refund", ["long_wait"]),
        ("Pothole reported 3 weeks ago still not fixed", ["long_wait"]),
        ("I have been waiting for months for a permit decision", ["long_wait"]),
        ("This is the third time I've called about the pothole", ["repeat_contact"]),
        ("I emailed them four times and nobody answers", ["repeat_contact"]),
        ("Repeat caller, same issue as last week.", ["repeat_contact"]),
        (
            "Called 5 times about the site being down, still no answer after two weeks",
            ["outage", "long_wait", "repeat_contact"],
        ),
    ],
)
def test_urgent_texts(text: str, reasons: list[str]) -> None:
    assert urgency_reasons(text) == reasons


@pytest.mark.parametrize(
    "text",
    [
        "Great service at the library, thanks!",
        "The road is not dangerous at all",
        "No safety hazards on the new trail, well done",
        "Huge pothole next to the curb, dangerous",
        "No sidewalk on this stretch, very dangerous for kids walking to school",
        "Uneven sidewalk panels, a trip hazard",
        "This intersection is unsafe, please add a crosswalk",
        "I waited 3 weeks and it was fine",
        "This comedy special killed me lol",
        "Caller will try again online.",
        "I called before noon and got help right away",
        "",
        "<p></p>",
    ],
)
def test_routine_texts_are_not_urgent(text: str) -> None:
    assert urgency_reasons(text) == []


def test_identical_texts_are_matched_once_and_in_order() -> None:
    texts = ["gas leak here", "thanks!", "gas leak here"]
    assert urgency_for_texts(texts) == [["safety"], [], ["safety"]]


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrate(con, "in-memory test warehouse")
    con.execute("insert into ops.settings values ('timezone', 'UTC')")
    con.execute((SQL_DIR / "ddl" / "macros.sql").read_text())
    con.execute(
        """
        create table staging.stg_feedback_texts as
        select * from (values
            ('f1', 'x', 'social', 'dmv', timestamptz '2026-06-01 10:00:00+00', 'DMV site is down again'),
            ('f2', 'x', 'social', 'dmv', timestamptz '2026-06-01 11:00:00+00', 'DMV site is down again'),
            ('f3', 'cc', 'phone', 'dmv', timestamptz '2026-06-01 12:00:00+00', 'Caller asked about hours.'),
            ('f4', 'cc', 'phone', 'dmv', timestamptz '2026-06-01 13:00:00+00', 'Thanks, all good')
        ) as t(feedback_id, source, channel, service_id, occurred_at, text)
        """
    )
    con.execute("alter table staging.stg_feedback_texts add column text_hash varchar")
    con.execute("update staging.stg_feedback_texts set text_hash = md5(text)")
    con.execute(
        """
        create table core.fact_feedback as
        select feedback_id, text_hash from staging.stg_feedback_texts
        """
    )
    con.execute(
        """
        create table core.fact_contact as
        select * from (values ('c3', 'f3', true), ('c4', 'f4', false)) as t(call_id, feedback_id,
            is_repeat_contact)
        """
    )
    return con


def test_cache_scores_each_distinct_text_once_and_the_fact_covers_every_row() -> None:
    con = _warehouse()
    assert flag_urgency(con) == 3
    assert flag_urgency(con) == 0
    assert con.execute("select value from ops.settings where key = 'urgency_version'").fetchone() == (
        URGENCY_VERSION,
    )
    model = next(m for m in sql_models() if m.name == "core.fact_feedback_urgency")
    run_models(con, [model])
    rows = dict(
        (feedback_id, (urgent, reasons))
        for feedback_id, urgent, reasons in con.execute(
            "select feedback_id, is_urgent, urgency_reasons from core.fact_feedback_urgency"
        ).fetchall()
    )
    assert rows == {
        "f1": (True, ["outage"]),
        "f2": (True, ["outage"]),
        "f3": (True, ["repeat_contact"]),
        "f4": (False, []),
    }
