from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from civicpulse.config import ConfigError, load_config
from civicpulse.paths import DEFAULT_CONFIG
from connectors.ga4.api import Settings as Ga4Settings
from tests.conftest import write_project_config


def test_project_config_is_valid() -> None:
    config = load_config(DEFAULT_CONFIG)
    assert len(config.services) >= 8
    assert {s.connector for s in config.sources} == {
        "ga4",
        "x",
        "mastodon",
        "contact_center_csv",
        "touchpoints",
        "resident_survey_csv",
    }
    assert config.warehouse_path.is_absolute()


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    config = load_config(write_project_config(tmp_path))
    assert config.landing_path == tmp_path / "var" / "landing"
    assert config.inbox(config.source("x_riverton")) == tmp_path / "var" / "demo-exports" / "x"


def test_env_variable_selects_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_project_config(tmp_path)
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(path))
    assert load_config().path == path


def _broken(tmp_path: Path, mutate: object) -> str:
    path = write_project_config(tmp_path)
    data = yaml.safe_load(path.read_text())
    assert callable(mutate)
    mutate(data)
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    return str(excinfo.value)


def test_unknown_key_is_named(tmp_path: Path) -> None:
    message = _broken(tmp_path, lambda d: d["sources"][0].update({"inboxx": "x"}))
    assert "sources.0.inboxx" in message and "unknown key" in message
    assert str(tmp_path / "civicpulse.yml") in message


def test_wrong_type_is_named(tmp_path: Path) -> None:
    message = _broken(tmp_path, lambda d: d["services"][0].update({"name": ["not", "a", "string"]}))
    assert "services.0.name" in message


def test_missing_key_is_named(tmp_path: Path) -> None:
    message = _broken(tmp_path, lambda d: d["paths"].pop("warehouse"))
    assert "paths.warehouse" in message and "missing" in message


def test_unknown_service_in_a_map_is_named(tmp_path: Path) -> None:
    message = _broken(
        tmp_path, lambda d: d["sources"][3]["service_map"].update({"parking": {"queues": ["P"]}})
    )
    assert "service_map.parking" in message and "unknown service" in message


def test_api_mode_needs_its_api_section_and_names_unknown_api_keys(tmp_path: Path) -> None:
    message = _broken(tmp_path, lambda d: d["sources"][0].update({"mode": "api"}))
    assert "sources.0" in message and "needs an api: section" in message
    api = {"conn_id": "ga4_city", "property_idd": "123"}
    message = _broken(tmp_path, lambda d: d["sources"][0].update({"mode": "api", "api": api}))
    assert "sources.0.api.property_idd" in message and "unknown key" in message
    message = _broken(tmp_path, lambda d: d["sources"][0].update({"mode": "ftp"}))
    assert "sources.0.mode" in message


def test_each_connector_declares_its_api_keys_and_they_are_checked_at_load(tmp_path: Path) -> None:
    ga4 = {"conn_id": "ga4_city"}
    message = _broken(tmp_path, lambda d: d["sources"][0].update({"mode": "api", "api": ga4}))
    assert "sources.0.api.property_id: required key is missing: the GA4 property's numeric id" in message
    foreign = {"conn_id": "ga4_city", "property_id": "123", "hashtags": ["riverton"]}
    message = _broken(tmp_path, lambda d: d["sources"][0].update({"mode": "api", "api": foreign}))
    assert "sources.0.api.hashtags: unknown key" in message
    no_api_mode = {"conn_id": "calls"}
    message = _broken(tmp_path, lambda d: d["sources"][3].update({"mode": "api", "api": no_api_mode}))
    assert "sources.3.api: connector 'contact_center_csv' has no API mode" in message


def test_a_valid_api_section_reaches_the_connector_typed(tmp_path: Path) -> None:
    data = yaml.safe_load(write_project_config(tmp_path).read_text())
    data["sources"][0].update({"mode": "api", "api": {"conn_id": "ga4_city", "property_id": "123"}})
    path = tmp_path / "api.yml"
    path.write_text(yaml.safe_dump(data))
    config = load_config(path)
    settings = config.api_settings(config.sources[0])
    assert isinstance(settings, Ga4Settings)
    assert (settings.conn_id, settings.property_id, settings.page_size) == ("ga4_city", "123", 100)


def test_bad_time_zone_and_unsafe_pattern(tmp_path: Path) -> None:
    assert "unknown time zone" in _broken(tmp_path, lambda d: d.update({"timezone": "Mars/Olympus"}))
    injection = {"path_prefixes": ["/tax'); drop table x; --"]}
    message = _broken(tmp_path, lambda d: d["sources"][0]["service_map"]["property_tax"].update(injection))
    assert "path_prefixes" in message


def test_duplicate_source_names(tmp_path: Path) -> None:
    message = _broken(tmp_path, lambda d: d["sources"].append(dict(d["sources"][0])))
    assert "declared twice" in message


def test_missing_file_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CIVICPULSE_CONFIG"):
        load_config(tmp_path / "nope.yml")


@pytest.mark.parametrize(("threads", "expected"), [(None, 1), (3, 3)])
def test_the_writer_runs_duckdb_on_writer_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: int | None, expected: int
) -> None:
    """Unset, the writer runs one DuckDB thread (the default); set, the count given."""
    from civicpulse.warehouse.connection import writer

    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", "ab" * 32)
    path = write_project_config(tmp_path, writer_threads=threads)
    if threads is None:
        settings = yaml.safe_load(path.read_text())
        del settings["writer_threads"]
        path.write_text(yaml.safe_dump(settings, sort_keys=False))
    config = load_config(path)
    assert config.settings.writer_threads == expected
    with writer(config) as con:
        assert con.execute("select current_setting('threads')").fetchone() == (expected,)


def test_writer_threads_below_one_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="writer_threads"):
        load_config(write_project_config(tmp_path, writer_threads=0))
