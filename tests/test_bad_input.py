"""Every kind of bad row and bad file, fed through the real pipeline (extract, landing, load, build).

Bad rows reach ops.quarantine with source, file, line, reason and the raw record with its PII
redacted; the rest of the file loads. A bad file fails its source with the file, the problem and the
fix; the other sources still load and nothing loaded earlier is lost. Every load reconciles.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import yaml

from civicpulse import pipeline
from civicpulse.config import Config, load_config
from civicpulse.landing import Manifest, day_folder
from civicpulse.paths import DEFAULT_CONFIG
from civicpulse.sources import FileProblem
from tests.conftest import write_project_config

DAY = dt.date(2024, 5, 6)
NEXT = DAY + dt.timedelta(days=1)
KEY = "bad-input-test-key-0123456789abcdef"

CALLS_HEADER = (
    b"call_id,start_time,queue,wait_seconds,handle_seconds,disposition,resolved,repeat_contact,"
    b"caller_number,agent_id,notes\n"
)


def _call(call_id: str, start: str, notes: bytes, caller: bytes = b"+1-217-555-0100") -> bytes:
    return (
        call_id.encode() + b"," + start.encode() + b",PERMITS,10,20,resolved,Y,N," + caller + b",A1," + notes
    )


SURVEY_HEADER = b"respondent_id,response_date,service_used,satisfaction,trust,ease,comment,language\n"


def _survey(respondent: str, satisfaction: str, comment: str) -> bytes:
    return f"{respondent},05/06/2024,Building permits,{satisfaction},4,4,{comment},EN\n".encode()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", KEY)
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    sources = [s for s in settings["sources"] if s["name"] in ("contact_center", "resident_survey")]
    paths = dict(settings["paths"], pseudonym_key_file=None)
    config = load_config(write_project_config(tmp_path, sources=sources, paths=paths))
    for source in config.sources:
        config.inbox(source).mkdir(parents=True)
    return config


def _drop(config: Config, source: str, name: str, data: bytes) -> Path:
    path = config.inbox(config.source(source)) / name
    path.write_bytes(data)
    return path


def _query(config: Config, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_bad_rows_are_quarantined_redacted_and_bad_files_fail_only_their_source(config: Config) -> None:
    # Night 1: good exports, plus a survey rating off the 1-5 scale (a bad row).
    _drop(
        config,
        "contact_center",
        "calls_2024-05-06.csv",
        CALLS_HEADER + _call("C-1", "2024-05-06 08:00:00", b"ok\n"),
    )
    surveys = _drop(
        config,
        "resident_survey",
        "resident_survey_2024.csv",
        SURVEY_HEADER
        + _survey("R-1", "4", "Quick and friendly")
        + _survey("R-2", "2", "Slow")
        + _survey("R-3", "9", "call me on 312-555-0147"),
    )
    first = pipeline.run_interval(config, DAY, NEXT)
    assert not first.failed_sources
    assert _query(config, "select response_id from raw.survey_response order by 1") == [("R-1",), ("R-2",)]
    (rating,) = _query(
        config,
        "select record_file, record_line, reason, raw_record from ops.quarantine "
        "where source = 'resident_survey'",
    )
    assert rating[0] == str(surveys) and rating[1] == 4
    assert "satisfaction" in str(rating[2]) and "9" in str(rating[2])
    assert "312-555-0147" not in str(rating[3]) and "[PHONE]" in str(rating[3])

    # Night 2 (a rerun of the day): the call export has one good row and every kind of bad row; a
    # second survey export lacks a required column, so the whole resident_survey extract fails.
    long_notes = b"Resident wrote jane.doe@gmail.com then pasted a whole letter " + b"x" * 100_001
    calls = _drop(
        config,
        "contact_center",
        "calls_2024-05-06.csv",
        CALLS_HEADER
        + _call("C-1", "2024-05-06 08:00:00", b"ok and edited\n")  # line 2: good
        + _call("C-2", "2024-05-06 25:61:00", b"call back 312-555-0147\n")  # 3: unparseable timestamp
        + _call("", "2024-05-06 09:00:00", b"no id\n", caller=b"+1-312-555-0188")  # 4: missing id
        + _call("C-4", "2024-05-06 10:00:00", b"Caf\xe9 owner SSN 123-45-6789\n")  # 5: undecodable bytes
        + _call("C-5", "2024-05-06 11:00:00", long_notes + b"\n")  # 6: over-long field
        + _call("C-6", "2024-05-06 12:00:00", "Se\u00f1ora Pe\u00f1a thanked us\n".encode()),  # 7: good
    )
    broken = _drop(
        config, "resident_survey", "resident_survey_2025.csv", SURVEY_HEADER.replace(b"satisfaction,", b"")
    )
    with pytest.raises(pipeline.SourceFailures) as raised:
        pipeline.run_interval(config, DAY, NEXT)
    message = str(raised.value)
    assert "1 source(s) failed; the others loaded" in message
    assert f"resident_survey: {broken}:1: the header lacks required column(s) satisfaction" in message
    assert "Fix: export the survey with the columns" in message

    # The call export loaded around its bad rows.
    assert _query(config, "select call_id, notes from raw.contact_call order by 1") == [
        ("C-1", "ok and edited"),
        ("C-6", "Se\u00f1ora Pe\u00f1a thanked us"),
    ]
    quarantined = _query(
        config,
        "select record_line, reason, raw_record, record_file from ops.quarantine "
        "where source = 'contact_center' order by record_line",
    )
    assert [row[0] for row in quarantined] == [3, 4, 5, 6]
    assert {row[3] for row in quarantined} == {str(calls)}
    reasons = [str(row[1]) for row in quarantined]
    assert "start_time is '2024-05-06 25:61:00'" in reasons[0]
    assert "call_id is empty" in reasons[1]
    assert "not valid UTF-8" in reasons[2]
    assert "over 100,000 characters" in reasons[3]
    raws = "\n".join(str(row[2]) for row in quarantined)
    for secret in ("312-555-0147", "312-555-0188", "123-45-6789", "jane.doe@gmail.com"):
        assert secret not in raws, f"{secret} reached ops.quarantine unredacted"
    assert "[PHONE]" in raws and "[SSN]" in raws and "[EMAIL]" in raws

    # Nothing loaded earlier was lost: the failed source keeps night 1's rows and quarantine.
    assert _query(config, "select response_id from raw.survey_response order by 1") == [("R-1",), ("R-2",)]
    assert _query(config, "select count(*) from ops.quarantine where source = 'resident_survey'") == [(1,)]
    assert _query(config, "select count(*) from core.fact_survey_response") == [(2,)]
    # Every load reconciles: rows read = loaded + duplicates + quarantined.
    loads = _query(
        config,
        "select source, rows_read, rows_loaded, rows_duplicate, rows_quarantined, is_reconciled "
        "from ops.loads order by loaded_at",
    )
    assert [row[0] for row in loads] == ["contact_center", "resident_survey", "contact_center"]
    assert loads[-1][1:] == (6, 2, 0, 4, True)
    assert all(row[1] == row[2] + row[3] + row[4] and row[5] for row in loads)


FILE_PROBLEMS = {
    "missing column": (
        CALLS_HEADER.replace(b"queue,", b"") + b"C-9\n",
        "the header lacks required column(s) queue",
    ),
    "wrong format (a spreadsheet saved as .csv)": (
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x00" * 40,
        "UTF-16 or binary",
    ),
    "empty file": (b"", "the file is empty"),
    "truncated file": (
        CALLS_HEADER + _call("C-9", "2024-05-06 08:00:00", b"ok\n") + b"C-10,2024-05-06 08:05:00,PERM",
        "last row has 3 of 11 fields",
    ),
}


@pytest.mark.parametrize("kind", FILE_PROBLEMS)
def test_file_problems_fail_the_extract_naming_file_problem_and_fix_and_keep_the_landing(
    config: Config, kind: str
) -> None:
    _drop(
        config,
        "contact_center",
        "calls_2024-05-06.csv",
        CALLS_HEADER + _call("C-1", "2024-05-06 08:00:00", b"ok\n"),
    )
    pipeline.extract(config, "contact_center", DAY, NEXT)
    folder = day_folder(config.landing_path, "contact_center", DAY)
    before = Manifest.read(folder)

    data, problem = FILE_PROBLEMS[kind]
    bad = _drop(config, "contact_center", "calls_2024-05-07.csv", data)
    with pytest.raises(FileProblem) as raised:
        pipeline.extract(config, "contact_center", DAY, NEXT)
    message = str(raised.value)
    assert message.startswith(str(bad)) and problem in message and ". Fix: " in message
    assert raised.value.fix
    assert Manifest.read(folder) == before, "the landing of the earlier extract is untouched"
