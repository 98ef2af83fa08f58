"""End to end through real Airflow: `airflow dags test` on its embedded SQLite runs the nightly DAG over a
small generated city; the published warehouse then holds core and marts for every channel."""

from __future__ import annotations

import duckdb
import pytest

from civicpulse.config import Config
from tests.conftest import SMALL_CITY_END, SMALL_CITY_START

pytestmark = pytest.mark.airflow


def test_every_source_loaded_and_reconciled(city_warehouse: duckdb.DuckDBPyConnection, city: Config) -> None:
    loads = city_warehouse.execute(
        "select source, count(*), sum(rows_loaded), bool_and(is_reconciled) "
        "from ops.loads group by 1 order by 1"
    ).fetchall()
    days = (SMALL_CITY_END - SMALL_CITY_START).days
    assert [row[0] for row in loads] == sorted(s.name for s in city.sources)
    for source, partitions, rows, reconciled in loads:
        assert partitions == days, source
        assert rows > 0, source
        assert reconciled, source


def test_core_holds_every_channel(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    channels = dict(
        city_warehouse.execute("select channel, count(*) from core.fact_feedback group by 1").fetchall()
    )
    assert set(channels) == {"social", "phone", "survey"}
    assert all(count > 300 for count in channels.values()), channels
    for table in ("fact_web_metrics", "fact_contact", "fact_survey_response", "fact_feedback_sentiment"):
        (count,) = city_warehouse.execute(f"select count(*) from core.{table}").fetchone() or (0,)
        assert count > 0, table
    (unscored_non_english,) = city_warehouse.execute(
        """
        select count(*) from core.fact_feedback join core.fact_feedback_sentiment using (feedback_id)
        where language = 'es' and not is_unscored
        """
    ).fetchone() or (0,)
    assert unscored_non_english == 0, "Spanish texts are kept but never given an English score"


def test_feedback_ids_are_unique_and_services_known(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    assert city_warehouse.execute(
        "select count(*) = count(distinct feedback_id) from core.fact_feedback"
    ).fetchone() == (True,)
    orphans = city_warehouse.execute(
        "select count(*) from core.fact_feedback "
        "where service_id not in (select service_id from core.dim_service)"
    ).fetchone()
    assert orphans == (0,)
    (mapped_share,) = city_warehouse.execute(
        "select avg(case when service_id <> 'unmapped' then 1.0 else 0 end) from core.fact_feedback"
    ).fetchone() or (0,)
    assert mapped_share > 0.8


def test_text_is_redacted_and_authors_pseudonymised(
    city: Config, city_warehouse: duckdb.DuckDBPyConnection
) -> None:
    (emails,) = city_warehouse.execute(
        r"select count(*) from core.fact_feedback where regexp_matches(text, '[\w.]+@[\w-]+\.[a-z]{2,}')"
    ).fetchone() or (0,)
    assert emails == 0
    (redacted,) = city_warehouse.execute(
        "select count(*) from core.fact_feedback where text like '%[EMAIL]%' or text like '%[PHONE]%'"
    ).fetchone() or (0,)
    assert redacted > 0, "the demo plants PII, and it must show up redacted"
    with duckdb.connect(str(city.warehouse_path), read_only=True) as writer_file:  # raw is not published
        raw_handles = {
            row[0] for row in writer_file.execute("select author_handle from raw.social_post").fetchall()
        }
    keys = {row[0] for row in city_warehouse.execute("select author_key from core.fact_feedback").fetchall()}
    assert not raw_handles & keys


def test_marts_cover_every_service_and_grain(city_warehouse: duckdb.DuckDBPyConnection) -> None:
    grains = city_warehouse.execute(
        "select grain, count(distinct service_id) from marts.service_sentiment_trend group by 1 order by 1"
    ).fetchall()
    assert [g for g, _ in grains] == ["day", "month", "week"]
    assert all(services >= 9 for _, services in grains)
    bounds_ok = city_warehouse.execute(
        """
        select bool_and(negative_share_lower <= negative_share and negative_share <= negative_share_upper)
        from marts.service_sentiment_trend where scored_volume > 0
        """
    ).fetchone()
    assert bounds_ok == (True,)
    (scorecard_rows,) = city_warehouse.execute("select count(*) from marts.cx_scorecard").fetchone() or (0,)
    assert scorecard_rows >= 9 * 2
    (themes,) = city_warehouse.execute(
        "select count(distinct theme_id) from marts.service_theme_trend"
    ).fetchone() or (0,)
    assert themes >= 8


def test_marts_are_exported_for_bi_tools(city: Config) -> None:
    exported = {path.stem for path in city.exports_path.glob("*.parquet")}
    assert {"service_sentiment_trend", "service_theme_trend", "cx_scorecard"} <= exported


def test_status_reports_every_source(city_warehouse: duckdb.DuckDBPyConnection, city: Config) -> None:
    from civicpulse.status import render_status

    lines = render_status(city_warehouse).splitlines()
    source_lines = [line for line in lines[1:] if not line.startswith(("STALE ", "UNUSED "))]
    assert len(source_lines) == len(city.sources)
    assert all(line.split()[0] in {s.name for s in city.sources} and " yes " in line for line in source_lines)
    assert not any(line.startswith("STALE ") for line in lines), (
        "the demo's sources are fresh on its last day"
    )


def test_the_dag_writes_the_cx_report(city: Config) -> None:
    report = city.report_path / "index.html"
    assert report.is_file(), "the DAG's last task writes the report"
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "Driver" in html
