"""The code stays ruff, mypy --strict and sqlfluff clean: CI fails otherwise. mypy and sqlfluff are the
two slowest checks of the suite, so each has a file of its own (test_code_quality_*.py) that pytest-xdist
(--dist loadfile) can give to either worker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from civicpulse.paths import PROJECT_ROOT

BIN = Path(sys.executable).parent


def assert_clean(command: list[str]) -> None:
    """`command` (a tool of the venv and its arguments) exits 0 in the project root."""
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.parametrize(
    "command", [["ruff", "check", "."], ["ruff", "format", "--check", "."]], ids=["ruff", "ruff-format"]
)
def test_clean(command: list[str]) -> None:
    assert_clean(command)
