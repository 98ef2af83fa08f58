"""Measured accuracy of civicpulse's text analytics: `python -m evaluation` (or `make eval`).

Convention: every module of this package whose name does not start with "_" and that defines
`run() -> str` is an evaluation. `python -m evaluation` imports them in name order, calls each
`run()` and prints the text it returns under a heading (the module's `TITLE` if it defines one,
else its name). `python -m evaluation sentiment_heldout themes_heldout` runs only the named modules.
An evaluation that raises is reported and makes the command exit with status 1 after the others ran;
one that measured everything but missed a target raises `TargetsMissed` with its report, which is
printed in full before the command fails.

Data outside the repository is read relative to the project, from `SHARED_REAL`
(`../shared/data/real/` beside the project folder); data kept in the repository is in `data/`.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_REAL = PROJECT_ROOT.parent / "shared" / "data" / "real"
DATA_DIR = Path(__file__).resolve().parent / "data"


class TargetsMissed(Exception):
    """An evaluation ran to the end but missed targets: `report` is its full output."""

    def __init__(self, report: str, missed: list[str]) -> None:
        super().__init__(f"{len(missed)} target(s) missed (marked MISSED above)")
        self.report = report
        self.missed = missed
