"""CLI mistakes end in one line naming the problem and the fix, never a traceback or a Python repr."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import yaml

from civicpulse.paths import DEFAULT_CONFIG
from tests.conftest import write_project_config

CIVICPULSE = str(Path(sys.executable).parent / "civicpulse")
KEY = "cli-errors-test-key-0123456789abcdef"


def _civicpulse(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CIVICPULSE_PSEUDONYM_KEY=KEY)
    return subprocess.run(
        [CIVICPULSE, "--config", str(config), "--quiet", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("civicpulse: error:")]
    assert len(lines) >= 1, result.stderr
    return "\n".join(lines)


def _config(tmp_path: Path, **overrides: object) -> Path:
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    sources = [s for s in settings["sources"] if s["name"] == "contact_center"]
    paths = dict(settings["paths"], pseudonym_key_file=None)
    return write_project_config(tmp_path, **{"sources": sources, "paths": paths, **overrides})


def test_check_config_finds_a_misspelt_connector_and_a_missing_inbox(tmp_path: Path) -> None:
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    source = next(s for s in settings["sources"] if s["name"] == "contact_center")
    config = _config(tmp_path, sources=[dict(source, connector="contact_centre_csv")])
    message = _one_line_error(_civicpulse(config, "check-config"))
    assert "sources.0.connector: no connector named 'contact_centre_csv'" in message
    assert "sources.0.inbox: folder" in message and "does not exist" in message


def test_unknown_service_and_reversed_interval_are_one_line_errors(tmp_path: Path) -> None:
    config = _config(tmp_path)
    message = _one_line_error(_civicpulse(config, "trends", "--service", "parking"))
    assert "unknown service(s) parking" in message and "property_tax" in message
    result = _civicpulse(config, "run", "--start", "2026-05-10", "--end", "2026-05-01")
    assert _one_line_error(result).count("empty interval") == 1
    assert result.stderr.count("empty interval") == 1


def test_extract_over_days_without_files_says_so(tmp_path: Path) -> None:
    config = _config(tmp_path)
    (tmp_path / "var" / "demo-exports" / "contact_center").mkdir(parents=True)
    result = _civicpulse(
        config, "extract", "--source", "contact_center", "--start", "2026-05-01", "--end", "2026-05-03"
    )
    assert result.returncode == 0, result.stderr
    assert "ExtractSummary(" not in result.stdout
    assert "contact_center: 0 record(s) landed over 2 day(s) from 0 file(s)" in result.stdout
    assert "nothing to read" in result.stdout


def test_a_second_writer_stops_before_any_extract(tmp_path: Path) -> None:
    config = _config(tmp_path)
    warehouse = tmp_path / "var" / "warehouse" / "civicpulse.duckdb"
    warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(warehouse)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(warehouse)!r}); print('held', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = _civicpulse(config, "run", "--start", "2026-05-01", "--end", "2026-05-02")
        message = _one_line_error(result)
        assert "is being written by process" in message and "wait for it to finish" in message
        assert time.monotonic() - started < 30
        assert not (tmp_path / "var" / "landing").exists(), "nothing was extracted"
    finally:
        holder.kill()
        holder.wait()
