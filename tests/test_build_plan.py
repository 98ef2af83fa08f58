"""The build fingerprint names files by their place, not their absolute path: a project copied or moved
elsewhere keeps it (its next build stays incremental), and a change to a file's bytes changes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from civicpulse.config import load_config
from civicpulse.warehouse.build_plan import build_fingerprint
from tests.conftest import write_project_config


def test_a_copied_project_keeps_its_fingerprint_and_an_edit_changes_it(tmp_path: Path) -> None:
    first = tmp_path / "here" / "project"
    first.mkdir(parents=True)
    write_project_config(first)
    second = tmp_path / "there" / "elsewhere"
    shutil.copytree(first, second)
    con = duckdb.connect()
    fingerprints = [build_fingerprint(con, load_config(root / "civicpulse.yml")) for root in (first, second)]
    assert fingerprints[0] == fingerprints[1]
    config = second / "civicpulse.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert build_fingerprint(con, load_config(config)).split("-")[0] != fingerprints[0].split("-")[0]
