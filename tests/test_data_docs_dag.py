"""Data Docs after a real DAG run: one site from the checks of every task process, linked by the report."""

from __future__ import annotations

import re

import pytest

from civicpulse.config import Config
from civicpulse.quality import suite_names

pytestmark = pytest.mark.airflow


def test_dag_run_builds_one_offline_site_from_every_task_and_the_report_links_it(city: Config) -> None:
    from civicpulse.report import write_report

    report = write_report(city).read_text(encoding="utf-8")
    link = re.search(r'<a href="([^"]+)">Data quality checks \(Data Docs\)</a>', report)
    assert link is not None, "the report links the Data Docs"
    index = city.report_path / link.group(1)
    site = index.parent
    assert index.is_file() and site.name == "data-docs"
    checked = {
        ".".join(p.relative_to(site / "validations").parts[:-3]) for p in site.glob("validations/**/*.html")
    }
    # Each extract task validated its source in its own process; the build task rendered them all.
    landing = {name for name in checked if name.startswith("landing.")}
    assert {name.split(".")[1] for name in landing} == {source.name for source in city.sources}
    assert checked - landing == {n for layer in ("staging", "core", "marts") for n in suite_names(layer)}
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", text), page
