"""Great Expectations suites on landing and on every warehouse layer: results, errors, Data Docs."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civicpulse import pipeline
from civicpulse.config import Config
from civicpulse.landing import Manifest, complete_days, day_folder, write_day
from civicpulse.pseudonym_key import ensure_demo_key
from civicpulse.quality import (
    REJECTED_MANIFEST,
    SITE_PAGES,
    QualityError,
    build_data_docs,
    check_landing,
    check_layers,
    landed,
    load_suite,
    read_landed,
    schema_suite,
    suite_names,
)
from civicpulse.sources import Record
from civicpulse.streams import load_streams
from civicpulse.warehouse.connection import writer

DAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


@pytest.fixture
def config(project_config: Config) -> Config:
    ensure_demo_key(project_config)
    return project_config


def _survey(response_id: str, score: int, line: int, at: dt.datetime | None = None) -> Record:
    values = {
        "response_id": response_id,
        "submitted_at": at or dt.datetime(2026, 6, 15, 14, tzinfo=dt.UTC),
        "survey_kind": "touchpoints_a11_v2",
        "form_id": "3f9c21aa",
        "respondent_id": f"resp-{response_id}",
        "satisfaction_score": score,
        "comment": "The online renewal was quick, thank you",
    }
    return Record("survey_response", values, "export.csv", line)


def _land(config: Config, records: list[Record], source: str = "touchpoints", day: dt.date = DAY) -> Path:
    manifest = Manifest(
        source=source,
        connector=config.source(source).connector,
        day=day.isoformat(),
        files=("export.csv",),
        rows_read=len(records),
        rows_quarantined=0,
        streams={"survey_response": len(records)},
    )
    return write_day(config.landing_path, manifest, {"survey_response": records}, [])


def test_landing_suites_follow_the_stream_schemas() -> None:
    streams = load_streams()
    assert sorted(suite_names("landing")) == sorted(f"landing.{name}" for name in streams), (
        "every landing stream needs quality/suites/landing.<stream>.json"
    )
    for name in streams:
        suite = load_suite(f"landing.{name}")
        assert all(e["severity"] in ("critical", "warning") for e in suite["expectations"])
        kept = [(e["type"], e["kwargs"]) for e in suite["expectations"]]
        for implied in schema_suite(name)["expectations"]:
            assert (implied["type"], implied["kwargs"]) in kept, f"landing.{name}: {implied} is missing"


def test_every_layer_table_suite_names_an_existing_model() -> None:
    sql = Path(__file__).resolve().parents[1] / "sql"
    for layer in ("staging", "core", "marts"):
        for name in suite_names(layer):
            table = load_suite(name)["meta"].get("table", name)
            schema, model = table.split(".")
            assert (sql / schema / f"{model}.sql").is_file(), f"{name}: no model {table}"


def test_good_landing_passes_and_records_results(config: Config) -> None:
    _land(config, [_survey("1", 5, 2), _survey("2", 1, 3)])
    results = check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
    assert results and all(r.success for r in results)
    assert {r.suite for r in results} == {"landing.survey_response"}
    written = config.landing_path / "touchpoints" / "_quality" / f"{DAY}_{DAY + dt.timedelta(days=1)}.json"
    assert len(json.loads(written.read_text())) == len(results)
    # Data Docs wait for the end of the run (build_data_docs); a passing check does not build them.
    assert not (config.report_path / "data-docs").exists()
    index = build_data_docs(config)
    assert "landing.touchpoints.survey_response" in index.read_text()


def test_critical_landing_failure_names_expectation_file_and_rows_and_holds_the_day_back(
    config: Config,
) -> None:
    folder = _land(config, [_survey("1", 5, 2), _survey("2", 4, 3), _survey("3", 3, 4)])
    # A broken export slipped past the connector: two ratings off the 1-5 scale, one from the future.
    table = pq.read_table(folder / "survey_response.parquet").to_pylist()
    table[0]["satisfaction_score"] = 9
    table[1]["satisfaction_score"] = 0
    table[2]["submitted_at"] = NOW + dt.timedelta(days=30)
    pq.write_table(
        pq.read_table(folder / "survey_response.parquet").from_pylist(table),
        folder / "survey_response.parquet",
    )

    with pytest.raises(QualityError) as raised:
        check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
    message = str(raised.value)
    assert "expect_column_values_to_be_between(satisfaction_score)" in message
    assert "2 of 3 rows" in message
    assert "expect_column_values_to_be_between(submitted_at)" in message and "1 of 3 rows" in message
    assert "touchpoints/day=2026-06-15/survey_response.parquet" in message
    assert complete_days(config.landing_path, "touchpoints", DAY, DAY + dt.timedelta(days=1)) == []
    assert (day_folder(config.landing_path, "touchpoints", DAY) / REJECTED_MANIFEST).is_file()
    # The run stops for this source, so its Data Docs are built now and show the failure.
    index = (config.report_path / "data-docs" / "index.html").read_text()
    assert re.search(r"failed</span></td><td>landing</td>\s*<td><a [^>]*>landing.touchpoints", index)


def test_landing_files_are_read_as_pq_read_table_reads_them(config: Config) -> None:
    """`read_landed` (each file by `ParquetFile`, on this thread) gives the table that `pq.read_table`
    gives, schema metadata included; `landed` lists each stream's files of the complete days."""
    days = [DAY + dt.timedelta(days=offset) for offset in range(3)]
    for offset, day in enumerate(days):
        at = dt.datetime.combine(day, dt.time(9 + offset), dt.UTC)
        _land(config, [_survey(f"{offset}-{n}", 1 + (n + offset) % 5, n + 2, at) for n in range(4)], day=day)
    files = landed(config, "touchpoints", DAY, DAY + dt.timedelta(days=4))
    assert files.folders == complete_days(config.landing_path, "touchpoints", DAY, DAY + dt.timedelta(days=4))
    assert files.streams == {"survey_response": [f / "survey_response.parquet" for f in files.folders]}
    assert len(files.folders) == 3
    paths = files.streams["survey_response"]
    expected = pa.concat_tables([pq.read_table(path) for path in paths], promote_options="permissive")
    table = read_landed(paths)
    assert table.num_rows == 12
    assert table.equals(expected, check_metadata=True)


def test_layers_pass_record_run_and_load_ids_and_fail_on_an_unknown_service(config: Config) -> None:
    _land(config, [_survey("1", 5, 2), _survey("2", 2, 3)])
    check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
    pipeline.load(config, DAY, DAY + dt.timedelta(days=1), ["touchpoints"])
    pipeline.build(config)
    with writer(config) as con:
        results = check_layers(con, config, "run-1", now=NOW)
        failed = [r.describe() for r in results if not r.success]
        assert not failed
        layers = dict(con.execute("select layer, count(*) from ops.dq_results group by 1").fetchall())
        assert set(layers) == {"landing", "staging", "core", "marts"}
        landing_loads = con.execute(
            "select distinct load_ids from ops.dq_results where layer = 'landing'"
        ).fetchall()
        (load_id,) = con.execute("select load_id from ops.loads").fetchone() or ("",)
        assert landing_loads == [([load_id],)]
        by_run = dict(
            con.execute(
                "select run_id, count(*) from ops.dq_results where layer <> 'landing' group by 1"
            ).fetchall()
        )
        build_run = con.execute("select max(run_id) from ops.model_runs").fetchone()
        assert build_run is not None
        assert set(by_run) == {"run-1", build_run[0]}, "the build checks its own layers under its run id"
        assert by_run["run-1"] == by_run[build_run[0]]

        con.execute("update core.fact_feedback set service_id = 'moon_base'")
        with pytest.raises(QualityError) as raised:
            check_layers(con, config, "run-2", now=NOW)
        assert (
            "expect_column_values_to_be_in_set(service_id) failed on core.fact_feedback: 2 of 2 rows"
            in str(raised.value)
        )
        recorded = con.execute(
            "select count(*) from ops.dq_results where run_id = 'run-2' and not success"
        ).fetchone()
        assert recorded == (1,)
    index = (config.report_path / "data-docs" / "index.html").read_text()
    assert re.search(r"failed</span></td><td>core</td>\s*<td><a [^>]*>core.fact_feedback<", index)


# ---------------------------------------------------------------------------------------------------
# One run: two sources landing the same stream, the build (which builds the Data Docs) and the report.

EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def docs_run(tmp_path_factory: pytest.TempPathFactory) -> Config:
    from civicpulse.config import load_config
    from civicpulse.report import write_report
    from tests.conftest import write_project_config

    config = load_config(write_project_config(tmp_path_factory.mktemp("docs")))
    ensure_demo_key(config)
    end = DAY + dt.timedelta(days=1)
    _land(config, [_survey("1", 5, 2), _survey("2", 2, 3)])
    _land(config, [_survey("7", 4, 2)], source="resident_survey")
    check_landing(config, "touchpoints", DAY, end, now=NOW)
    check_landing(config, "resident_survey", DAY, end, now=NOW)
    assert not (config.report_path / "data-docs").exists(), "no Data Docs before the end of the run"
    pipeline.load(config, DAY, end, ["touchpoints", "resident_survey"])
    pipeline.build(config)
    write_report(config)
    return config


def test_one_gx_context_serves_every_check_and_the_docs_show_each_dataset(docs_run: Config) -> None:
    from civicpulse.quality import _validator

    assert _validator.cache_info().currsize == 1 and _validator.cache_info().misses == 1
    site = docs_run.report_path / "data-docs"
    expected = {
        "landing.touchpoints.survey_response",
        "landing.resident_survey.survey_response",
        *(name for layer in ("staging", "core", "marts") for name in suite_names(layer)),
    }
    pages = {page.relative_to(site / "validations").parts for page in site.glob("validations/**/*.html")}
    assert {".".join(parts[:-3]) for parts in pages} == expected, "one validation page per dataset"
    index = (site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    assert len(links) == 2 * len(expected)
    assert all((site / link).is_file() for link in links), "the index links GX's own pages"


def test_data_docs_load_nothing_from_the_network(docs_run: Config) -> None:
    from html.parser import HTMLParser

    class Refs(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.refs: list[tuple[str, str, str]] = []
            self.scripts = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.scripts += tag == "script"
            for name, value in attrs:
                if name in {"src", "href", "srcset", "action", "data", "poster"} and value is not None:
                    self.refs.append((tag, name, value))

    site = docs_run.report_path / "data-docs"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = Refs()
        parser.feed(text)
        external = [ref for ref in parser.refs if EXTERNAL.match(ref[2])]
        assert not external, f"{page}: {external}"
        assert parser.scripts == 0, f"{page}: scripts need jQuery from a CDN"
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//|@import", text), f"{page}: external CSS"
        for tag, _, value in parser.refs:
            target = value.split("#", 1)[0].split("?", 1)[0]
            if target:
                assert (page.parent / target).resolve().is_file(), f"{page}: <{tag}> {value} is missing"


def test_report_links_the_data_docs_index(docs_run: Config) -> None:
    report = (docs_run.report_path / "index.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="([^"]+)">Data quality checks \(Data Docs\)</a>', report)
    assert link is not None and not EXTERNAL.match(link.group(1))
    assert (docs_run.report_path / link.group(1)).is_file()


def test_data_docs_render_offline_in_chromium(docs_run: Config) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    site = docs_run.report_path / "data-docs"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--headless", "--no-sandbox"])
        try:
            context = browser.new_context(offline=True)
            requests: list[str] = []

            def only_files(route: Any) -> None:
                if route.request.url.startswith("file:"):
                    route.continue_()
                else:
                    requests.append(route.request.url)
                    route.abort()

            context.route("**/*", only_files)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto((site / "index.html").as_uri())
            rows = page.locator("tbody tr")
            assert rows.count() == len(list(site.glob("validations/**/*.html")))
            page.locator("a", has_text="core.fact_feedback").first.click()
            page.wait_for_load_state("load")
            assert "validations" in page.url
            cells = page.locator("table td")
            assert cells.count() > 10 and cells.first.is_visible()
            box = page.locator("table").first.bounding_box()
            assert box is not None and box["width"] > 100
            assert not errors, errors
            assert not requests, f"requests outside the site: {requests}"
        finally:
            browser.close()


# ---------------------------------------------------------------------------------------------------
# What keeps the checks cheap changes no verdict and no page.

GX_IDS = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _site(site: Path) -> dict[str, bytes]:
    """Every file of a Data Docs site but the page list, with GX's random element ids blanked."""
    return {
        path.relative_to(site).as_posix(): GX_IDS.sub(b"id", path.read_bytes())
        for path in site.rglob("*")
        if path.is_file() and path.name != SITE_PAGES
    }


def test_data_docs_render_only_changed_pages_and_equal_a_full_build(config: Config) -> None:
    _land(config, [_survey("1", 5, 2), _survey("2", 2, 3)])
    check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
    pipeline.load(config, DAY, DAY + dt.timedelta(days=1), ["touchpoints"])
    pipeline.build(config)  # checks the layers and builds the Data Docs
    site = config.report_path / "data-docs"
    pages = sorted(site.glob("*/**/*.html"))
    inodes = {page.relative_to(site): page.stat().st_ino for page in pages}
    before = {page.relative_to(site): page.read_bytes() for page in pages}

    build_data_docs(config)  # nothing changed: every page is carried over, not rendered again
    assert {page.relative_to(site): page.read_bytes() for page in site.glob("*/**/*.html")} == before
    assert {page.relative_to(site): page.stat().st_ino for page in site.glob("*/**/*.html")} == inodes

    with writer(config) as con:
        check_layers(con, config, "run-2", now=NOW)  # new layer validations, same suites
    build_data_docs(config)
    after = {page.relative_to(site): page.stat().st_ino for page in site.glob("*/**/*.html")}
    carried = {page for page, inode in after.items() if inodes.get(page) == inode}
    assert carried, "the unchanged pages are carried over"
    assert {page.parts[0] for page in carried} == {"expectations", "validations"}
    assert all(page.parts[1] == "landing" for page in carried if page.parts[0] == "validations")
    assert all(
        page not in inodes for page in after if page.parts[0] == "validations" and page.parts[1] != "landing"
    )
    incremental = _site(site)

    (site / SITE_PAGES).unlink()  # no page list: everything is rendered again
    build_data_docs(config)
    assert _site(site) == incremental


def test_expectation_kwargs_as_gx_builds_them() -> None:
    """`_configuration_once_per_call` builds an expectation's configuration once per call of GX's
    domain, success and runtime kwargs: the same dicts as GX's own methods, key order included, for
    every expectation of every suite (and of a suite implied by a schema), with and without runtime
    settings."""
    from great_expectations.core.expectation_suite import ExpectationSuite

    from civicpulse.quality import SUITES_DIR, _configuration_once_per_call, _validator

    _validator()
    originals = _configuration_once_per_call()
    specs = [load_suite(path.stem) for path in sorted(SUITES_DIR.glob("*.json"))]
    specs.append(schema_suite("social_post"))
    runtimes: list[dict[str, Any] | None] = [
        None,
        {"result_format": "BASIC", "catch_exceptions": True},
        {
            "result_format": {"result_format": "SUMMARY", "partial_unexpected_count": 3},
            "include_config": False,
        },
    ]
    compared = 0
    for spec in specs:
        for expectation in ExpectationSuite(**spec).expectations:
            for name, original in originals.items():
                ours = getattr(expectation, name)
                assert ours.__func__ is not original
                for runtime in runtimes if name == "_get_runtime_kwargs" else [None]:
                    settings = () if runtime is None else (runtime,)
                    expected = original(expectation, *settings)
                    got = ours(*settings)
                    assert list(got.items()) == list(expected.items()), (spec["name"], name, runtime)
                    compared += 1
    assert compared > 500


def _copied_alike(ours: Any, theirs: Any, original: Any) -> bool:
    """Two deep copies of `original` share the same objects with it and are equal copies of the
    others: same types, down through containers, slots and instance dicts."""
    import copyreg

    if theirs is original or ours is original:
        return ours is theirs
    kind = type(theirs)
    if type(ours) is not kind:
        return False
    if isinstance(theirs, list | tuple):
        together = zip(ours, theirs, original, strict=True)
        return len(ours) == len(theirs) and all(_copied_alike(*three) for three in together)
    if isinstance(theirs, dict):
        items = zip(ours.items(), theirs.items(), original.items(), strict=True)
        return len(ours) == len(theirs) and all(
            _copied_alike(o[0], t[0], x[0]) and _copied_alike(o[1], t[1], x[1]) for o, t, x in items
        )
    slots = vars(copyreg)["_slotnames"](kind)
    if slots:
        missing = object()
        return all(
            _copied_alike(
                getattr(ours, n, missing), getattr(theirs, n, missing), getattr(original, n, missing)
            )
            for n in slots
        )
    if hasattr(theirs, "__dict__"):
        return _copied_alike(vars(ours), vars(theirs), vars(original))
    return repr(ours) == repr(theirs)


def test_field_copies_as_deepcopy_makes_them() -> None:
    """`_slotted_field_copies` copies pydantic v1 fields attribute by attribute while GX is imported:
    every field of every GX model copies into what `copy.deepcopy` makes of it (same slots, the same
    objects shared, equal copies of the others), and deepcopy is itself again afterwards."""
    import copy

    from pydantic.v1 import BaseModel

    from civicpulse.quality import _slotted_field_copies, _validator

    _validator()  # GX's models
    models: list[type[BaseModel]] = []
    unseen = [BaseModel]
    while unseen:
        subclasses = unseen.pop().__subclasses__()
        models += subclasses
        unseen += subclasses
    fields = [field for model in models for field in model.__fields__.values()]
    assert len(fields) > 1000
    dispatch = dict(vars(copy)["_deepcopy_dispatch"])
    plain = copy.deepcopy(fields)
    with _slotted_field_copies():
        ours = copy.deepcopy(fields)
    assert vars(copy)["_deepcopy_dispatch"] == dispatch
    assert _copied_alike(ours, plain, fields)


def test_numbers_and_timestamps_checked_as_numpy_columns_give_the_arrow_verdicts() -> None:
    from civicpulse.quality import _validator

    at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    table = pa.table(
        {
            "rating": pa.array([1, 5, None, 7, 0], pa.int64()),
            "share": pa.array([0.5, None, 1.5, 0.0, -0.1], pa.float64()),
            "occurred_at": pa.array(
                [at, None, at + dt.timedelta(days=40), at, at], pa.timestamp("us", "UTC")
            ),
            "day": pa.array([at.date(), None, (at + dt.timedelta(days=40)).date(), at.date(), at.date()]),
        }
    )
    between = [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "rating", "min_value": 1, "max_value": 5},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "share", "min_value": 0, "max_value": 1},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "occurred_at", "max_value": {"$PARAMETER": "latest_timestamp"}},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "day", "max_value": {"$PARAMETER": "latest_day"}},
        },
    ]
    types = {"rating": "int", "share": "float", "occurred_at": "datetime", "day": "date"}
    typed = [
        {"type": "expect_column_values_to_be_in_type_list", "kwargs": {"column": c, "type_list": None}}
        for c in types
    ]
    parameters = {
        "latest_timestamp": at + dt.timedelta(days=1),
        "latest_day": (at + dt.timedelta(days=1)).date(),
    }
    numpy, _ = _validator().validate(
        {"name": "t", "meta": {}, "expectations": between}, "t.numpy", table, parameters
    )
    arrow, _ = _validator().validate(
        {"name": "t", "meta": {}, "expectations": between + typed}, "t.arrow", table, parameters
    )
    for outcome in [*numpy, *arrow]:
        del outcome["kwargs"]["batch_id"]  # the GX asset: t.numpy or t.arrow
    by_column = {o["kwargs"]["column"]: o for o in numpy}
    assert {c: o["unexpected_count"] for c, o in by_column.items()} == {
        "rating": 2,
        "share": 2,
        "occurred_at": 1,
        "day": 1,
    }
    checked = {o["kwargs"]["column"]: o for o in arrow if o["type"] == "expect_column_values_to_be_between"}
    assert checked == by_column


_WITHOUT_DEFERRED_MODULES = """
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa

from civicpulse import quality
from civicpulse.config import load_config
from civicpulse.warehouse.connection import writer
from tests.test_quality import DAY, NOW, _land, _survey

# A stand-in in sys.modules is not the module: its submodules tell whether it was loaded.
LOADED = {
    "scipy.stats": "scipy.stats._stats_py",
    "altair": "altair.vegalite",
    "jsonschema": "jsonschema.validators",
}

config = load_config(Path(sys.argv[1]))
with writer(config) as con:
    quality.check_layers(con, config, "run-2", now=NOW)  # every layer suite
_land(config, [_survey("1", 5, 2), _survey("2", 9, 3)])
try:
    quality.check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
except quality.QualityError:
    pass  # and its Data Docs, with the failure
else:
    raise AssertionError("the landing check should have failed")
loaded = [name for name, module in LOADED.items() if module in sys.modules]
assert not loaded, f"loaded: {loaded}"

kl = {
    "type": "expect_column_kl_divergence_to_be_less_than",
    "kwargs": {
        "column": "x",
        "partition_object": {"bins": [0, 1, 2], "weights": [0.5, 0.5]},
        "threshold": 0.1,
    },
}
table = pa.table({"x": [0.5, 1.5, 0.2, 1.7]})
suite = {"name": "kl", "meta": {}, "expectations": [kl]}
(outcome,), record = quality._validator().validate(suite, "kl", table, {})
assert outcome["success"] and outcome["exception"] is None and outcome["observed_value"] == 0.0, outcome
assert LOADED["scipy.stats"] in sys.modules

# The KL expectation's pages draw its partition with altair (a Vega-Lite chart).
site = Path(tempfile.mkdtemp())
quality._validator().build_docs([record], [record["suite"]], site)
pages = sorted(site.rglob("*.html"))
assert len(pages) == 2 and all("vega-lite" in page.read_text(encoding="utf-8") for page in pages), pages
assert LOADED["altair"] in sys.modules

schema = {"type": "object", "required": ["a"]}
json_schema = {
    "type": "expect_column_values_to_match_json_schema",
    "kwargs": {"column": "j", "json_schema": schema},
}
table = pa.table({"j": ['{"a": 1}', '{"b": 2}', '{"a": 3}']})
suite = {"name": "js", "meta": {}, "expectations": [json_schema]}
(outcome,), _ = quality._validator().validate(suite, "js", table, {})
assert not outcome["success"] and outcome["unexpected_count"] == 1 and outcome["exception"] is None, outcome
assert LOADED["jsonschema"] in sys.modules
"""


def test_gx_checks_and_renders_every_suite_without_loading_what_it_defers(config: Config) -> None:
    """GX's imports of scipy.stats, altair and jsonschema are deferred to their first use
    (`_defer_scipy_stats`, `_defer_module`). On a built warehouse, a fresh interpreter runs every
    layer suite, a failing landing check and the Data Docs without loading them; what needs them still
    works: the KL-divergence expectation computes its value (scipy.stats) and its pages draw their
    chart (altair), the JSON-schema expectation finds the row that does not match (jsonschema)."""
    import subprocess
    import sys

    from civicpulse.paths import PROJECT_ROOT

    _land(config, [_survey("1", 5, 2), _survey("2", 2, 3)])
    check_landing(config, "touchpoints", DAY, DAY + dt.timedelta(days=1), now=NOW)
    pipeline.load(config, DAY, DAY + dt.timedelta(days=1), ["touchpoints"])
    pipeline.build(config)
    # No Airflow in play (`make demo` leaves an airflow.cfg in the project's AIRFLOW_HOME): the writer
    # would ask Airflow for the pseudonym key, and importing Airflow loads jsonschema itself.
    no_airflow = dict(os.environ, AIRFLOW_HOME=str(config.path.parent / "no-airflow"))
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_DEFERRED_MODULES, str(config.path)],
        cwd=PROJECT_ROOT,
        env=no_airflow,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_recorded_result_reads_back_into_gx_as_the_validation_left_it(config: Config) -> None:
    """The docs record is the result as GX's store serialised it, and the Data Docs put it back into
    the store as is: GX reads it back into the same result, field for field."""
    from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier

    from civicpulse.quality import _time_parameters, _validator, landing_suite

    records = [_survey("1", 5, 2), _survey("2", 9, 3), _survey("3", 4, 4)]
    folder = _land(config, records)
    table = pq.read_table(folder / "survey_response.parquet")
    validator = _validator()
    outcomes, record = validator.validate(
        landing_suite("survey_response"), "t.record", table, _time_parameters(NOW)
    )
    assert any(not outcome["success"] for outcome in outcomes)
    store: Any = validator._context.validation_results_store
    key = ValidationResultIdentifier.from_tuple(tuple(record["key"]))
    assert not store.has_key(key), "the validation leaves nothing behind in the store"
    store.store_backend.set(store.key_to_tuple(key), json.dumps(record["result"]))
    try:
        assert json.loads(store.serialize(store.get(key))) == record["result"]
        assert store.get(key).to_json_dict() == store.deserialize(record["result"]).to_json_dict()
    finally:
        store.remove_key(key)
