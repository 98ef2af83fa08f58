"""mypy --strict is clean (tests/test_code_quality.py has the other checks)."""

from __future__ import annotations

from tests.test_code_quality import assert_clean


def test_clean() -> None:
    assert_clean(["mypy"])
