"""A corpus of malformed vendor files per format the connectors read (CSV, JSON), generated here.

Each input ends in exactly one of: loaded, quarantined with a reason (the rest of the file loads), or
rejected as a whole with a one-line FileProblem naming the file, the line where one applies, and a fix.
Never a traceback, never a row silently dropped: the pipeline part lands and loads the row-level corpus
and checks every row read is loaded, a duplicate, or quarantined, and that every load reconciles.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from civicpulse.config import Config
from civicpulse.extract import extract_source
from civicpulse.landing import day_folder
from civicpulse.loader import load_source
from civicpulse.sources import FileProblem, Record, RowProblem
from civicpulse.warehouse.connection import writer
from tests.conftest import sources_config
from tests.parser_cases import ParserCase, outcome

DAY = dt.date(2024, 5, 6)
NEXT = DAY + dt.timedelta(days=1)
KEY = "malformed-inputs-test-key-0123456789"

CALLS_HEADER = (
    "call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    "caller_number,agent_id,notes"
)
SURVEY_HEADER = "respondent_id,response_date,service_used,satisfaction,trust,ease,comment,language"
ZWJ_FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
RIGHT_TO_LEFT = (
    "\u05d4\u05d0\u05e9\u05e4\u05d4 \u05dc\u05d0 \u05e0\u05d0\u05e1\u05e4\u05d4 \u0634\u0643\u0631\u0627"
)
FIVE_MB = "x" * (5 * 1024 * 1024)


def call(call_id: str, start: str = "2024-05-06 08:00:00", notes: str = "ok", wait: str = "10") -> str:
    return f"{call_id},{start},PERMITS,{wait},20,resolved,Y,N,+1-217-555-0100,A1,{notes}"


def survey(respondent: str, date: str = "05/06/2024", satisfaction: str = "4", comment: str = "ok") -> str:
    return f"{respondent},{date},Building permits,{satisfaction},4,4,{comment},EN"


def csv_file(header: str, *rows: str, end: str = "\n") -> bytes:
    return "".join(line + end for line in (header, *rows)).encode()


def tweet(
    tweet_id: Any, created_at: Any = "2024-05-06T14:03:11.000Z", text: Any = "Water bill too high"
) -> Any:
    return {
        "id": tweet_id,
        "edit_history_tweet_ids": [str(tweet_id)],
        "created_at": created_at,
        "author_id": "2244994945",
        "lang": "en",
        "text": text,
    }


def tweets(*items: Any) -> bytes:
    return json.dumps({"data": list(items), "meta": {"result_count": len(items)}}).encode()


def calls_with(field: str, *values: str) -> bytes:
    """A calls file of C-1, C-2, ... that differ only in `field`, one call per value."""
    return csv_file(CALLS_HEADER, *(call(f"C-{n}", **{field: v}) for n, v in enumerate(values, 1)))


def surveys_with(field: str, *values: str) -> bytes:
    """A survey file of R-1, R-2, ... that differ only in `field`, one response per value."""
    return csv_file(SURVEY_HEADER, *(survey(f"R-{n}", **{field: v}) for n, v in enumerate(values, 1)))


@dataclass(frozen=True)
class Input:
    """A malformed file and what must become of it: rows loaded and quarantined, or a FileProblem."""

    id: str
    case: ParserCase
    data: bytes
    loaded: int = 0
    quarantined: int = 0
    reason: str = ""  # every quarantine reason matches this
    rejected: str = ""  # the FileProblem's problem matches this
    line: int | None = None  # the FileProblem's line, where one applies


def calls(id: str, data: bytes, **expected: Any) -> Input:
    return Input(id, ParserCase("contact_center_csv", "calls_2024-05-06.csv", b"", "csv"), data, **expected)


def surveys(id: str, data: bytes, **expected: Any) -> Input:
    return Input(
        id, ParserCase("resident_survey_csv", "resident_survey_2024.csv", b"", "csv"), data, **expected
    )


def posts(id: str, data: bytes, **expected: Any) -> Input:
    case = ParserCase("x", "x_recent_search_20240506_page01.json", b"", "json")
    return Input(id, case, data, **expected)


CSV_CORPUS = (
    calls(
        "cp1252",
        csv_file(CALLS_HEADER, call("C-1"), call("C-2", notes="Caf\u00e9 closed")).replace(
            b"\xc3\xa9", b"\xe9"
        ),
        rejected="not UTF-8 .*Windows-1252",
        line=3,
    ),
    calls("utf16", csv_file(CALLS_HEADER, call("C-1")).decode().encode("utf-16"), rejected="UTF-16", line=1),
    calls(
        "utf16-no-bom",
        csv_file(CALLS_HEADER, call("C-1")).decode().encode("utf-16-le"),
        rejected="UTF-16",
        line=1,
    ),
    calls("utf8-bom", b"\xef\xbb\xbf" + csv_file(CALLS_HEADER, call("C-1"), call("C-2")), loaded=2),
    calls(
        "nul-byte",
        csv_file(CALLS_HEADER, call("C-1"), call("C-2", notes="a\x00b")),
        rejected="NUL byte",
        line=3,
    ),
    calls("cr-only", csv_file(CALLS_HEADER, call("C-1"), call("C-2"), end="\r"), loaded=2),
    calls("crlf", csv_file(CALLS_HEADER, call("C-1"), call("C-2"), end="\r\n"), loaded=2),
    calls(
        "quoted-newlines",
        csv_file(CALLS_HEADER, call("C-1", notes='"line one\nline two\r\nline ""three"""'), call("C-2")),
        loaded=2,
    ),
    calls(
        "renamed-columns",
        csv_file(CALLS_HEADER.replace("call_id", "Call ID").replace("queue", "Queue"), call("C-1")),
        rejected="lacks required column.*call_id, queue",
        line=1,
    ),
    calls(
        "five-mb-field",
        csv_file(CALLS_HEADER, call("C-1", notes=FIVE_MB), call("C-2")),
        loaded=1,
        quarantined=1,
        reason="over 100,000 characters",
    ),
    calls("zwj-emoji", csv_file(CALLS_HEADER, call("C-1", notes=f"Thanks {ZWJ_FAMILY}")), loaded=1),
    calls("right-to-left", csv_file(CALLS_HEADER, call("C-1", notes=RIGHT_TO_LEFT)), loaded=1),
    calls(
        "timestamps-in-other-formats",
        calls_with(
            "start",
            "2024-05-06 08:00:00",
            "2024-05-06T08:00:00Z",
            "05/06/2024 8:00 AM",
            "6 May 2024 08:00",
            "1714982400",
            "2024-13-45 08:00:00",
        ),
        loaded=2,  # the configured form, and ISO 8601 with a UTC offset ("Z")
        quarantined=4,
        reason="start_time is .*; expected the form 2024-01-31 14:05:09",
    ),
    calls(
        "negative-durations",
        csv_file(CALLS_HEADER, call("C-1", wait="-5"), call("C-2", wait="-0.5"), call("C-3", wait="7")),
        loaded=1,
        quarantined=2,
        reason="wait_seconds is '-0?.?5'",
    ),
    calls(
        "truncated",
        csv_file(CALLS_HEADER, call("C-1")) + call("C-2")[:25].encode(),
        rejected="the last row has .* fields and no line break",
        line=3,
    ),
    calls(
        "truncated-in-quotes",
        csv_file(CALLS_HEADER, call("C-1")) + call("C-2", notes='"cut off mid').encode(),
        rejected="ends inside a quoted field",
        line=3,
    ),
    surveys(
        "dates-in-many-formats",
        surveys_with(
            "date",
            "05/06/2024",
            "2024-05-06",
            "6 May 2024",
            "2024/05/06",
            "06.05.2024",
            "13/13/2024",
            "20240506",
        ),
        loaded=2,
        quarantined=5,
        reason="response_date is .*; expected a date like 01/31/2024 or 2024-01-31",
    ),
    surveys(
        "ratings-off-scale",
        surveys_with("satisfaction", "5", "0", "6", "4.5", "-1", "five", ""),
        loaded=2,
        quarantined=5,
        reason="satisfaction is .*; expected a whole number from 1 to 5|label missing",
    ),
)

JSON_CORPUS = (
    posts("utf8-bom", b"\xef\xbb\xbf" + tweets(tweet("1")), loaded=1),
    posts(
        "cp1252",
        tweets(tweet("1"), tweet("2", text="Caf\u00e9 closed")).replace(b"\\u00e9", b"\xe9"),
        rejected="not UTF-8",
        line=1,
    ),
    posts("utf16", tweets(tweet("1")).decode().encode("utf-16"), rejected="UTF-16", line=1),
    posts("nul-byte", tweets(tweet("1")).replace(b"Water", b"Wa\x00ter"), rejected="NUL byte", line=1),
    posts("escaped-nul", tweets(tweet("1", text="a\u0000b")), quarantined=1, reason="NUL character"),
    posts(
        "zwj-and-right-to-left", tweets(tweet("1", text=ZWJ_FAMILY), tweet("2", text=RIGHT_TO_LEFT)), loaded=2
    ),
    posts(
        "five-mb-field",
        tweets(tweet("1", text=FIVE_MB), tweet("2")),
        loaded=1,
        quarantined=1,
        reason="over 100,000 characters",
    ),
    posts(
        "dates-in-many-formats",
        tweets(
            *(
                tweet(str(n), created_at=created_at)
                for n, created_at in enumerate(
                    (
                        "2024-05-06T14:03:11.000Z",
                        "2024-05-06T14:03:11+02:00",
                        "2024-05-06 14:03:11",
                        "Mon May 06 14:03:11 +0000 2024",
                        1714982400,
                        "06/05/2024",
                    ),
                    1,
                )
            )
        ),
        loaded=2,
        quarantined=4,
        reason="created_at",
    ),
    posts(
        "wrong-json-types",
        tweets(
            tweet("1"),
            tweet(["2"]),
            tweet({"id": "3"}),
            tweet(4.5),
            tweet(True),
            tweet("6", text=["a", "list"]),
            tweet("7", text=42),
            tweet("8", created_at={"date": "2024-05-06"}),
            "not an object",
            None,
            # Optional metadata of the wrong shape is read as absent: the post loads without counts or tags.
            {**tweet("11"), "public_metrics": "many"},
            {**tweet("12"), "public_metrics": {"like_count": -3}},
            {**tweet("13"), "entities": {"hashtags": "#water"}},
        ),
        loaded=3,
        quarantined=10,
        reason=".",
    ),
    posts(
        "wrong-top-level-type", json.dumps([tweet("1")]).encode(), rejected="not an X API v2 response page"
    ),
    posts("data-not-a-list", json.dumps({"data": {"id": "1"}}).encode(), rejected="'data' is not a list"),
    posts("truncated", tweets(tweet("1"), tweet("2"))[:-30], rejected="ends before it is complete", line=1),
    posts("truncated-mid-string", tweets(tweet("1"))[:40], rejected="ends before it is complete", line=1),
    posts("empty", b"  \n", rejected="empty"),
)
CORPUS = CSV_CORPUS + JSON_CORPUS


@pytest.mark.parametrize("item", CORPUS, ids=lambda item: f"{item.case.connector}-{item.id}")
def test_each_malformed_input_is_loaded_quarantined_or_rejected(item: Input, tmp_path: Path) -> None:
    path = item.case.write(tmp_path, item.data)
    result = outcome(item.case, path)  # no other exception; a FileProblem is one line with a fix
    if item.rejected:
        assert isinstance(result, FileProblem), f"expected a FileProblem, got {result!r:.300}"
        assert re.search(item.rejected, result.problem), str(result)
        assert result.line == item.line, str(result)
        return
    assert not isinstance(result, FileProblem), str(result)
    loaded = [row for row in result if isinstance(row, Record)]
    problems = [row for row in result if isinstance(row, RowProblem)]
    assert (len(loaded), len(problems)) == (item.loaded, item.quarantined), [p.reason[:120] for p in problems]
    for problem in problems:
        assert re.search(item.reason, problem.reason), problem.reason[:300]
        assert len(problem.raw) <= 200_000 or "over 100,000" in problem.reason
    for record in loaded:
        for value in record.values.values():
            if isinstance(value, str):
                assert "\ufffd" not in value and "\x00" not in value, f"{value!r:.80} lost characters"


def test_text_survives_exactly(tmp_path: Path) -> None:
    """ZWJ sequences, right-to-left text and quoted line breaks load character for character."""
    notes = f'"{ZWJ_FAMILY} {RIGHT_TO_LEFT}\nsecond ""line"""'
    item = calls("exact", csv_file(CALLS_HEADER, call("C-1", notes=notes)))
    (record,) = outcome(item.case, item.case.write(tmp_path, item.data))  # type: ignore[misc]
    assert isinstance(record, Record)
    assert record.values["notes"] == f'{ZWJ_FAMILY} {RIGHT_TO_LEFT}\nsecond "line"'


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    return sources_config(tmp_path, monkeypatch, KEY, ("contact_center", "resident_survey", "x_riverton"))


SOURCE_OF = {
    "contact_center_csv": "contact_center",
    "resident_survey_csv": "resident_survey",
    "x": "x_riverton",
}


def test_row_level_corpus_reconciles_through_landing_and_the_warehouse(config: Config) -> None:
    """Every non-rejected input of the corpus in its source's inbox, plus duplicates and an implausible
    date: each row read ends loaded, a duplicate, or quarantined once, and every load reconciles."""
    expected: dict[str, list[int]] = {name: [0, 0] for name in SOURCE_OF.values()}
    for item in CORPUS:
        if item.rejected:
            continue
        source = SOURCE_OF[item.case.connector]
        folder = config.inbox(config.source(source)) / item.id
        path = item.case.write(folder, item.data)
        # Ids are made unique per file, so each file's rows count on their own.
        text = (
            path.read_bytes()
            .replace(b"C-", f"C-{item.id}-".encode())
            .replace(b"R-", f"R-{item.id}-".encode())
        )
        path.write_bytes(
            text.replace(b'"id": "', f'"id": "{len(item.id)}{abs(hash(item.id)) % 10**6}'.encode())
        )
        expected[source][0] += item.loaded
        expected[source][1] += item.quarantined
    inbox = config.inbox(config.source("contact_center"))
    (inbox / "dupes" / "calls_2024-05-06.csv").parent.mkdir()
    (inbox / "dupes" / "calls_2024-05-06.csv").write_bytes(
        csv_file(
            CALLS_HEADER,
            call("D-1"),
            call("D-1"),  # the same record twice: a duplicate
            call("D-2", notes="first version"),
            call("D-2", notes="second version"),  # the same id with other content: a conflict
            call("D-3", start="1900-01-01 00:00:00"),  # an implausible date: quarantined
        )
    )
    expected["contact_center"][0] += 2
    expected["contact_center"][1] += 1

    with writer(config) as con:
        for source in SOURCE_OF.values():
            extract_source(config, source, DAY, NEXT)
            extract_source(config, source, DAY, NEXT)  # a rerun replaces, it does not add
            load_source(con, config, source, DAY, NEXT)
            load_source(con, config, source, DAY, NEXT)
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        for source, (loaded, quarantined) in expected.items():
            latest = con.execute(
                "select rows_read, rows_loaded, rows_duplicate, rows_quarantined, rows_erased, "
                "rows_outside_interval, rows_conflicting, is_reconciled from ops.loads where source = ? "
                "qualify row_number() over (partition by partition_day order by loaded_at desc) = 1",
                [source],
            ).fetchall()
            assert len(latest) == 1
            read, got_loaded, duplicates, got_quarantined, erased, outside, conflicts, reconciled = latest[0]
            assert reconciled and read == got_loaded + duplicates + got_quarantined + erased + outside
            assert (got_loaded, got_quarantined, outside) == (loaded, quarantined, 0), source
            stored = con.execute("select count(*) from ops.quarantine where source = ?", [source]).fetchone()
            assert stored == (quarantined,), f"{source}: each bad row once in ops.quarantine"
            unreasoned = con.execute(
                "select count(*) from ops.quarantine where source = ? and (reason = '' or record_line < 1)",
                [source],
            ).fetchone()
            assert unreasoned == (0,)
            if source == "contact_center":
                assert (duplicates, conflicts) == (2, 1)
        implausible = con.execute(
            "select reason from ops.quarantine where reason like 'implausible date 1900-01-01%'"
        ).fetchall()
        assert len(implausible) == 1


def test_a_truncated_landing_parquet_fails_its_load_in_one_line_and_keeps_the_partition(
    config: Config,
) -> None:
    """No connector reads Parquet; the writer reads landing Parquet. One cut off after it was written
    (a full disk, a partial copy) is a FileProblem naming it and the extract to re-run, and the warehouse
    keeps the partition it had."""
    inbox = config.inbox(config.source("contact_center"))
    (inbox / "calls_2024-05-06.csv").write_bytes(csv_file(CALLS_HEADER, call("C-1"), call("C-2")))
    extract_source(config, "contact_center", DAY, NEXT)
    with writer(config) as con:
        load_source(con, config, "contact_center", DAY, NEXT)
    (inbox / "calls_2024-05-06.csv").write_bytes(csv_file(CALLS_HEADER, call("C-3")))
    extract_source(config, "contact_center", DAY, NEXT)
    parquet = day_folder(config.landing_path, "contact_center", DAY) / "contact_call.parquet"
    parquet.write_bytes(parquet.read_bytes()[:-100])
    with writer(config) as con, pytest.raises(FileProblem) as raised:
        load_source(con, config, "contact_center", DAY, NEXT)
    message = str(raised.value)
    assert message.startswith(f"{parquet}: the landing file is damaged") and "\n" not in message
    assert (
        "Fix: extract the day again: civicpulse extract --source contact_center --start 2024-05-06" in message
    )
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute("select call_id from raw.contact_call order by 1").fetchall() == [
            ("C-1",),
            ("C-2",),
        ]
