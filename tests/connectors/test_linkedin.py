"""LinkedIn's data export: messages.csv loose or in the archive ZIP (hand-made fixtures, real layout)."""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml

from civicpulse import pipeline
from civicpulse.config import Config, ConfigError, load_config
from civicpulse.landing import day_folder
from civicpulse.paths import DEFAULT_CONFIG
from civicpulse.pseudonym_key import pseudonym_key
from civicpulse.sources import FileProblem, ParseContext, Record, RowProblem, load_connector
from civicpulse.streams import get_stream
from connectors.linkedin import Options
from tests.conftest import write_project_config
from tests.connectors.conftest import FIXTURES
from transforms.privacy import pseudonymize

LOOSE = FIXTURES / "linkedin" / "messages.csv"
ARCHIVE = FIXTURES / "linkedin" / "archive"
ARCHIVE_NAME = "Complete_LinkedInDataExport_05-08-2024.zip"
AGENCY_URL = "https://www.linkedin.com/in/riverton-city-hall"
OWN = Options(own_names=("Riverton City",), own_profile_urls=(AGENCY_URL,))
DANA = "2-YjliZTE0NjEtYTYxOC00YmJhLTkwNzgtM2I0MmQ4OTViMDY1XzAxMA=="
HEADER = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,"
    "CONTENT,FOLDER"
)
# Every resident's name and profile URL in the fixtures: none may pass landing in clear text.
RESIDENTS = {
    "Dana Whitfield": "dana-whitfield-5a1b2c3d",
    "Marcus Oyelaran": "marcus-oyelaran",
    "Priya Raman": "priya-raman-77",
    "Luis Ortega": "luis-ortega-1985",
    "Ana Silva": "ana-silva-riverton",
    "Tom Becker": "tom-becker-88",
}
KEY = "linkedin-test-pseudonym-key-0123456789"
DAY = dt.date(2024, 5, 6)


def _parse(path: Path, options: Options | None = OWN) -> tuple[list[Record], list[RowProblem]]:
    rows = list(load_connector("linkedin").parse_file(path, ParseContext(source="linkedin", options=options)))
    records = [row for row in rows if isinstance(row, Record)]
    problems = [row for row in rows if isinstance(row, RowProblem)]
    assert len(records) + len(problems) == len(rows)
    stream = get_stream("social_post")
    for record in records:
        assert record.stream == "social_post" and stream.conform(record.values) is None, record
        assert set(record.values) == set(stream.column_names)
    for row in [*records, *problems]:
        assert row.file.startswith(str(path)) and row.line >= 2
    return records, problems


def _archive(folder: Path, members: dict[str, bytes] | None = None, name: str = ARCHIVE_NAME) -> Path:
    path = folder / name
    contents = members if members is not None else {p.name: p.read_bytes() for p in ARCHIVE.iterdir()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in contents.items():
            archive.writestr(member, data)
    return path


def _file_problem(path: Path) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        _parse(path)
    assert str(caught.value).startswith(str(path)) and caught.value.fix
    return caught.value


def test_loose_export_reads_residents_messages_and_skips_the_agencys_own(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="connectors.linkedin"):
        records, problems = _parse(LOOSE)
    assert [r.line for r in records] == [3, 6, 7] and [p.line for p in problems] == [9, 10]
    multi_line, first, html = (r.values for r in records)
    assert first == {
        "native_id": f"{DANA}:20240506T140321Z:{first['native_id'][-8:]}",
        "occurred_at": dt.datetime(2024, 5, 6, 14, 3, 21, tzinfo=dt.UTC),
        "platform": "linkedin",
        "author_id": "https://www.linkedin.com/in/dana-whitfield-5a1b2c3d",
        "author_handle": "Dana Whitfield",
        "text": "My water bill doubled this month and nobody at the utilities office answers the phone.",
        "language": None,
        "url": f"https://www.linkedin.com/messaging/thread/{DANA}/",
        "is_repost": False,
        "reposted_id": None,
        "reply_to_id": DANA,
        "hashtags": [],
        "like_count": None,
        "repost_count": None,
        "reply_count": None,
    }
    assert multi_line["text"] == (
        "Thanks. Still waiting on a call back\n"
        "from billing about the water bill, it has been two weeks.\n"
        "Please do not close this again."
    )
    assert multi_line["reply_to_id"] == first["reply_to_id"] and multi_line["native_id"] != first["native_id"]
    assert html["text"] == (
        "Hello,\nThere is a pothole on Elm & 5th that has damaged two cars.\n"
        "Please send someone. #Riverton311"
    )
    assert html["hashtags"] == ["riverton311"]
    texts = " ".join(r.values["text"] for r in records)
    assert "we have passed this" not in texts and "Crews are on their way" not in texts
    assert "skipped 2 message(s) the agency sent and 0 draft(s)" in caplog.text


def test_bad_date_and_empty_content_are_row_problems_without_names(tmp_path: Path) -> None:
    _, (date, empty) = _parse(LOOSE)
    assert date.file == str(LOOSE) and date.line == 9
    assert "DATE is '06/05/2024 10:00', not LinkedIn's form '2024-01-31 14:05:09 UTC'" in date.reason
    assert "export messages.csv again, unchanged" in date.reason
    assert empty.line == 10 and "CONTENT is empty" in empty.reason and "open the conversation" in empty.reason
    assert (date.day, empty.day) == (None, dt.date(2024, 5, 6)), "a bad row is filed under its date"
    assert "permit office lost my application" in date.raw
    for problem in (date, empty):
        assert not any(name in problem.raw or url in problem.raw for name, url in RESIDENTS.items())
        assert "riverton-city-hall" not in problem.raw


def test_archive_reads_only_its_messages_csv_and_skips_drafts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    archive = _archive(tmp_path)
    records, problems = _parse(archive)
    assert problems == [] and [r.line for r in records] == [3, 5]
    assert {r.file for r in records} == {f"{archive}/messages.csv"}
    pool, garbage = (r.values for r in records)
    assert pool["author_handle"] == "Ana Silva" and pool["occurred_at"].date() == dt.date(2024, 5, 7)
    assert (
        garbage["text"] == "Our street was skipped for garbage pickup three weeks in a row.\n\nWho do I call?"
    )
    with caplog.at_level(logging.INFO, logger="connectors.linkedin"):
        records, _ = _parse(archive, options=None)
    assert [r.line for r in records] == [3, 4, 5], "without own names only the draft is skipped"
    assert "sets no parse: own_names or own_profile_urls" in caplog.text
    assert "skipped 0 message(s) the agency sent and 1 draft(s)" in caplog.text


def test_extra_columns_are_read_past_and_a_missing_one_is_named(tmp_path: Path) -> None:
    extra = tmp_path / "extra" / "messages.csv"
    extra.parent.mkdir()
    lines = LOOSE.read_text().splitlines(keepends=True)
    extra.write_text(
        lines[0].rstrip("\n")
        + ",MESSAGE REACTIONS\n"
        + "".join(line.rstrip("\n") + ",\n" for line in lines[5:7])
    )
    records, problems = _parse(extra)
    assert [r.values["author_handle"] for r in records] == [
        "Dana Whitfield",
        "Marcus Oyelaran",
    ] and not problems

    missing = tmp_path / "messages.csv"
    missing.write_text(HEADER.replace("SENDER PROFILE URL,", "") + "\n")
    problem = _file_problem(missing)
    assert problem.line == 1 and "lacks required column(s) SENDER PROFILE URL" in problem.problem
    assert "Get a copy of your data" in problem.fix

    inside = _archive(tmp_path, {"messages.csv": LOOSE.read_bytes().replace(b",CONTENT,", b",BODY,")})
    problem = _file_problem(inside)
    assert problem.file == f"{inside}/messages.csv" and "CONTENT" in problem.problem


def test_an_archive_without_messages_or_not_a_zip_is_a_file_problem(tmp_path: Path) -> None:
    basic = _archive(tmp_path, {"Profile.csv": (ARCHIVE / "Profile.csv").read_bytes()}, "Basic_export.zip")
    problem = _file_problem(basic)
    assert problem.file == str(basic) and "holds no messages.csv" in problem.problem
    assert "Messages selected" in problem.fix
    broken = tmp_path / "cut" / ARCHIVE_NAME
    broken.parent.mkdir()
    broken.write_bytes(_archive(tmp_path).read_bytes()[:300])
    assert "not a readable ZIP archive" in _file_problem(broken).problem


def test_own_names_match_loosely_and_draft_flags_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "messages.csv"
    row = "c1,,{sender},{url},Resident,,2024-05-06 10:00:00 UTC,,{text},INBOX,{draft}\n"
    path.write_text(
        HEADER
        + ",IS MESSAGE DRAFT\n"
        + row.format(sender="Oficina de AtenciÃ³n", url="", text="Gracias", draft="No")
        + row.format(sender="  OFICINA de  atención ", url="", text="Hola", draft="No")
        + row.format(
            sender="Resident", url="http://linkedin.com/in/OFICINA-riverton?trk=x", text="Hi", draft=""
        )
        + row.format(sender="Resident", url="", text="Park benches are broken", draft="maybe")
        + row.format(sender="Resident", url="", text="Library hours?", draft="false")
    )
    options = Options(
        own_names=("Oficina de Atención",),
        own_profile_urls=("https://www.linkedin.com/in/oficina-riverton/",),
    )
    records, (problem,) = _parse(path, options)
    assert [r.values["text"] for r in records] == ["Library hours?"]
    assert problem.line == 5 and "IS MESSAGE DRAFT is 'maybe'" in problem.reason


def test_parse_options_are_validated_at_config_load(tmp_path: Path) -> None:
    source = {"name": "linkedin_riverton", "connector": "linkedin", "mode": "file", "inbox": str(tmp_path)}
    with pytest.raises(ConfigError, match=r"sources\.0\.parse\.own_name"):
        load_config(write_project_config(tmp_path, sources=[{**source, "parse": {"own_name": ["x"]}}]))
    with pytest.raises(ConfigError, match=r"sources\.0\.parse\.own_profile_urls"):
        load_config(
            write_project_config(tmp_path, sources=[{**source, "parse": {"own_profile_urls": ["x"]}}])
        )


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", KEY)
    inbox = tmp_path / "inbox"
    (inbox / "export_2024-05-06").mkdir(parents=True)
    (inbox / "export_2024-05-06" / "messages.csv").write_bytes(LOOSE.read_bytes())
    _archive(inbox)
    source = {
        "name": "linkedin_riverton",
        "connector": "linkedin",
        "mode": "file",
        "inbox": str(inbox),
        "parse": {"own_names": ["Riverton City"], "own_profile_urls": [AGENCY_URL]},
        "service_map": {
            "utility_billing": {"keywords": ["water bill"]},
            "general_311": {"hashtags": ["Riverton311"], "keywords": ["pothole"]},
            "parks_recreation": {"keywords": ["pool", "park"]},
            "waste_collection": {"keywords": ["garbage"]},
        },
    }
    paths = dict(yaml.safe_load(DEFAULT_CONFIG.read_text())["paths"], pseudonym_key_file=None)
    return load_config(write_project_config(tmp_path, sources=[source], paths=paths))


def _tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where list_contains(?, table_schema) order by 1",
        [list(schemas)],
    ).fetchall()
    return [str(row[0]) for row in rows]


def test_the_pipeline_loads_residents_messages_into_the_warehouse_without_their_names(config: Config) -> None:
    summary = pipeline.run_interval(config, DAY, DAY + dt.timedelta(days=2))
    assert not summary.failed_sources
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        feedback = con.execute(
            "select service_id, channel, platform, author_key, occurred_on from core.fact_feedback "
            "where source = 'linkedin_riverton' order by occurred_at"
        ).fetchall()
        quarantined = con.execute(
            "select record_file, record_line, reason from ops.quarantine where source = 'linkedin_riverton' "
            "order by record_line"
        ).fetchall()
        everything_built = [
            str(con.execute(f"select * from {table}").fetchall())
            for table in _tables(con, ("staging", "core", "marts"))
        ]
    assert [(f[0], f[1], f[2]) for f in feedback] == [
        ("general_311", "social", "linkedin"),
        ("utility_billing", "social", "linkedin"),
        ("utility_billing", "social", "linkedin"),
        ("waste_collection", "social", "linkedin"),
        ("parks_recreation", "social", "linkedin"),
    ]
    dana_url = f"https://www.linkedin.com/in/{RESIDENTS['Dana Whitfield']}"
    dana = pseudonymize(pseudonym_key(config), dana_url, "linkedin_riverton")
    assert [f[3] for f in feedback].count(dana) == 2
    loose = str(config.inbox(config.source("linkedin_riverton")) / "export_2024-05-06" / "messages.csv")
    assert [(q[0], q[1]) for q in quarantined] == [(loose, 9), (loose, 10)]

    built = "\n".join(everything_built)
    landed = _landing_values(config)
    for name, slug in RESIDENTS.items():
        assert name not in built and slug not in built, f"{name} reached staging, core or marts in clear"
        assert not {column for column, text in landed.items() if name in text or slug in text} - {
            "author_id",
            "author_handle",
        }, f"{name} reached landing outside the author columns staging pseudonymises"


def _landing_values(config: Config) -> dict[str, str]:
    """Every landing Parquet column of the source's days, as text, keyed by file stem and column."""
    values: dict[str, list[Any]] = {}
    for offset in range(2):
        folder = day_folder(config.landing_path, "linkedin_riverton", DAY + dt.timedelta(days=offset))
        for parquet in folder.glob("*.parquet"):
            for column, column_values in pq.read_table(parquet).to_pydict().items():
                values.setdefault(
                    column if parquet.stem == "social_post" else f"{parquet.stem}.{column}", []
                ).extend(column_values)
    return {column: str(column_values) for column, column_values in values.items()}
