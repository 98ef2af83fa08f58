"""The exception an evaluation raises when it measured fine but missed its target."""

from __future__ import annotations


class TargetMissed(Exception):
    """`report` is the evaluation's full output; the message says which targets were missed."""

    def __init__(self, report: str, message: str) -> None:
        super().__init__(message)
        self.report = report
