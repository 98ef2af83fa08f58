"""The code stays ruff, mypy --strict and sqlfluff clean: CI fails otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from civicpulse.paths import PROJECT_ROOT

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
        ["sqlfluff", "lint", "sql"],
    ],
    ids=["ruff", "ruff-format", "mypy", "sqlfluff"],
)
def test_clean(command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
