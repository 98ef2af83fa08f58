"""What the DAG's `check` task reports, on a real DuckDB warehouse: the range's rows and quarantine in
the run's note, and a source stale relative to the range's last day (not today, not the last day
loaded), named with its newest record and threshold; a configured source never loaded is stale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
import yaml

from civicpulse import pipeline
from civicpulse.config import Config, load_config
from civicpulse.extract import extract_source
from civicpulse.paths import DEFAULT_CONFIG
from civicpulse.run_check import check_range
from tests.conftest import sources_config, write_project_config
from tests.test_nothing_lost import HEADER, KEY, _call

DAY = dt.date(2024, 5, 6)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    config = sources_config(tmp_path, monkeypatch, KEY, ("contact_center",), stale_after_days=2)
    (config.inbox(config.source("contact_center")) / "calls.csv").write_text(
        HEADER
        + _call("C-1", "2024-05-06 08:00:00")
        + _call("C-2", "2024-05-07 09:30:00")
        + _call("C-3", "2024-05-07 10:00:00", wait=-5),
        encoding="utf-8",
    )
    # Two nights with calls, then two without (the exports stopped). C-2, the newest loaded, is
    # 09:30 in Chicago (UTC-5 in May): 14:30 UTC.
    for start in (DAY, DAY + dt.timedelta(days=2)):
        end = start + dt.timedelta(days=2)
        extract_source(config, "contact_center", start, end)
        pipeline.load(config, start, end, ["contact_center"])
    return config


def _check(config: Config, start: dt.date, end: dt.date) -> tuple[str, str | None]:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        result = check_range(config, start, end, con)
    return result.note(), result.failure()


def _totals(config: Config, start: dt.date, end: dt.date) -> tuple[int, int]:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        row = con.execute(
            "select sum(rows_loaded), sum(rows_quarantined) from ops.loads "
            "where partition_day >= ? and partition_day < ?",
            [start, end],
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_a_range_with_data_is_fresh_and_its_note_counts_its_rows(config: Config) -> None:
    note, failure = _check(config, DAY, DAY + dt.timedelta(days=2))
    loaded, quarantined = _totals(config, DAY, DAY + dt.timedelta(days=2))
    assert loaded == 2 and quarantined >= 1, "C-3's negative wait is quarantined"
    assert note == f"processed 2024-05-06..2024-05-07: {loaded} rows, {quarantined} quarantined, stale: none"
    assert failure is None, "an old range is judged on its own last day, though later nights were empty"


def test_a_source_without_data_for_its_threshold_is_stale_on_the_range_end(config: Config) -> None:
    note, failure = _check(config, DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=4))
    quarantined = _totals(config, DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=4))[1]
    assert (
        note == f"processed 2024-05-08..2024-05-09: 0 rows, {quarantined} quarantined, stale: contact_center"
    )
    assert failure == (
        "civicpulse: stale source(s) on 2024-05-09: contact_center (newest record 2024-05-07 14:30 UTC, "
        "last day with data 2024-05-07: 2 day(s) without data up to 2024-05-09, threshold "
        "stale_after_days 2). Check their exports or API access, or raise stale_after_days for the "
        "source in civicpulse.yml"
    )
    # One empty night is below the threshold.
    assert _check(config, DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=3))[1] is None


def test_a_configured_source_never_loaded_is_stale(config: Config, tmp_path: Path) -> None:
    settings = yaml.safe_load(config.path.read_text())
    website = next(
        s for s in yaml.safe_load(DEFAULT_CONFIG.read_text())["sources"] if s["name"] == "city_website"
    )
    both = load_config(write_project_config(tmp_path, sources=[*settings["sources"], website]))
    note, failure = _check(both, DAY, DAY + dt.timedelta(days=2))
    assert note.endswith("stale: city_website") and failure is not None
    assert "city_website (never loaded)" in failure and "contact_center" not in failure
