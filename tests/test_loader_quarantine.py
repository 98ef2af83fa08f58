"""A quarantined row is counted once in ops.loads, however many ranges re-read its file: under its own
date when it has one (else the first day of the range that read it); a rerun of that day files it again
(a real DuckDB warehouse, real CSV exports through extract and load)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from pytest import MonkeyPatch

from civicpulse import pipeline
from civicpulse.config import Config
from civicpulse.extract import extract_source
from tests.conftest import sources_config
from tests.connectors.conftest import FIXTURES
from tests.test_nothing_lost import DAY, HEADER, KEY, _call
from tests.test_nothing_lost import config as config  # the fixture

EXPORT = "touchpoints-a11-v2-form-responses-2024-05-01_120000.csv"
CURRENT_LOADS = """
    select partition_day, rows_read, rows_loaded, rows_duplicate, rows_quarantined, rows_erased,
        rows_outside_interval
    from ops.loads
    qualify row_number() over (partition by source, partition_day order by loaded_at desc, load_id desc) = 1
    order by partition_day
"""


def _run(config: Config, start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    extract_source(config, "contact_center", start, end)
    pipeline.load(config, start, end, ["contact_center"])


def test_a_quarantined_row_counts_once_across_reruns_and_later_ranges(config: Config) -> None:
    (config.inbox(config.source("contact_center")) / "calls.csv").write_text(
        HEADER
        + _call("C-1", "2024-05-06 08:00:00")
        + _call("C-2", "2024-05-07 09:00:00", wait=-5)  # line 3: a bad wait
        + _call("C-3", "2024-05-06 25:61:00")  # line 4: no date reads
        + _call("C-4", "1970-01-01 00:00:00")  # line 5: implausible date
        + _call("C-5", "2024-05-09 10:00:00", wait=-1)  # line 6: a bad wait, a later day
        + _call("C-6", "2024-05-08 11:00:00", notes="x" * 100_001),  # line 7: over-long notes
        encoding="utf-8",
    )
    _run(config, DAY, 2)  # the nightly range 05-06..05-07
    _run(config, DAY + dt.timedelta(days=2), 2)  # the next range re-reads the same inbox
    _run(config, DAY, 2)  # a rerun of the first range
    _run(config, DAY + dt.timedelta(days=1), 1)  # a rerun of its second day alone
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        quarantine = con.execute(
            "select record_line, partition_day from ops.quarantine order by record_line"
        ).fetchall()
        loads = con.execute(CURRENT_LOADS).fetchall()
    # A bad row whose date reads is filed under that date (a later one when a later range reads it);
    # one without a date, or with an implausible one, under the first day of the range that read it.
    days = [DAY + dt.timedelta(days=n) for n in range(4)]
    assert quarantine == [(3, days[1]), (4, DAY), (5, DAY), (6, days[3]), (7, days[2])]
    per_day = {day: quarantined for day, _, _, _, quarantined, _, _ in loads}
    assert per_day == {days[0]: 2, days[1]: 1, days[2]: 1, days[3]: 1}
    assert sum(per_day.values()) == len(quarantine), "each quarantined row counted once"
    for day, read, loaded, duplicate, quarantined, erased, outside in loads:
        assert read == loaded + duplicate + quarantined + erased + outside, day


def test_a_connectors_bad_row_is_filed_under_the_day_it_reads(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    """A Touchpoints export dated by its file name: its bad row lands in ops.quarantine under that day,
    not the first day of the range that read it."""
    config = sources_config(tmp_path, monkeypatch, KEY, ("touchpoints",))
    lines = (FIXTURES / "touchpoints/a11v2demo" / EXPORT).read_text().splitlines()
    lines[1] = lines[1].replace("1001,1,0,0,0,1", "1001,1,0,0,0,yes")
    form = config.inbox(config.source("touchpoints")) / "a11v2demo"
    form.mkdir()
    (form / EXPORT).write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = dt.date(2024, 4, 30)
    extract_source(config, "touchpoints", start, start + dt.timedelta(days=3))
    pipeline.load(config, start, start + dt.timedelta(days=3), ["touchpoints"])
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        quarantine = con.execute("select record_line, partition_day from ops.quarantine").fetchall()
    assert quarantine == [(2, dt.date(2024, 5, 1))]
