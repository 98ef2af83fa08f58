"""The static CX report: written from the published copy, self-contained, and rendered by real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from civicpulse.config import Config
from civicpulse.paths import PROJECT_ROOT
from civicpulse.report.build import verbatim
from civicpulse.warehouse.connection import reader

pytestmark = pytest.mark.airflow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def report(city: Config) -> Path:
    from civicpulse.report import write_report

    return write_report(city)


def test_report_is_self_contained(report: Path, city: Config) -> None:
    html = report.read_text(encoding="utf-8")
    assert report == city.report_path / "index.html"
    assert (report.parent / "warehouse.html").is_file()
    assert not re.search(r"""\bsrc=|url\(|@import""", html), "no external scripts, styles or images"
    assert "<script" not in html and "<link" not in html
    for service in city.services:
        assert f'id="svc-{service.id}"' in html
    assert "Data freshness" in html and "x_riverton" in html
    with reader(city) as con:
        settings = dict(con.execute("select key, value from ops.settings").fetchall())
    for key in ("scorer_version", "detector_version", "taxonomy_version"):
        assert f"<code>{settings[key]}</code>" in html, f"the report names its {key}"
    assert html.count("<title>") > 20, "every chart carries a text alternative"
    assert "@media print" in html


def test_verbatims_are_masked() -> None:
    text = verbatim("@RivertonCity my email [EMAIL] see https://x.com/a/status/1 " + "long " * 80)
    assert "@RivertonCity" not in text and "https://" not in text and "[EMAIL]" in text
    assert len(text) <= 260


def test_report_renders_in_chromium(report: Path, city: Config) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            assert not errors, errors
            assert all(url.startswith("file://") for url in requests), requests
            charts = page.locator("svg.chart")
            assert charts.count() >= 2 * len(city.services)
            for index in range(charts.count()):
                box = charts.nth(index).bounding_box()
                assert box and box["width"] > 100 and box["height"] > 50, (index, box)
                assert charts.nth(index).locator("polyline").count() >= 1
            sparks = page.locator("table.overview svg.spark")
            assert sparks.count() >= len(city.services)
            page.locator("#overview").screenshot(path=str(ARTIFACTS / "report-overview.png"))
            page.screenshot(path=str(ARTIFACTS / "report-first-page.png"))
            for service in city.services:
                page.locator(f"#svc-{service.id}").screenshot(
                    path=str(ARTIFACTS / f"report-{service.id}.png")
                )
            page.locator("#freshness").screenshot(path=str(ARTIFACTS / "report-freshness.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "report-overview.png").stat().st_size > 10_000


def test_report_reads_on_a_phone(report: Path, city: Config) -> None:
    """At 390 px the page does not scroll sideways; the scorecard scrolls inside its own container and
    every column can be reached. Services are ordered by need and the overview lists incidents."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    html = report.read_text(encoding="utf-8")
    assert "Incidents, most in need first" in html
    first_row = re.search(r'<th scope="row"><a href="#svc-([a-z_0-9]+)"', html)
    assert first_row and first_row.group(1) in {"drivers_licence", "utility_billing"}, first_row
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            scroller = page.locator("#overview .scroll").first
            client, scroll, overflow = scroller.evaluate(
                "e => [e.clientWidth, e.scrollWidth, getComputedStyle(e).overflowX]"
            )
            assert client <= 390 and scroll > client and overflow == "auto", (client, scroll, overflow)
            scroller.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
            last = page.locator("table.overview thead th").last.bounding_box()
            assert last and last["x"] >= 0 and last["x"] + last["width"] <= 391, last
            page.locator("#overview").screenshot(path=str(ARTIFACTS / "report-overview-390px.png"))
        finally:
            browser.close()
