"""Reading JSON-lines files people write by hand (label files): one object per line, blank lines
skipped, and a line that is not JSON refused in one line naming the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["json_lines"]


def json_lines(path: Path) -> Iterator[tuple[str, Any]]:
    """(`file:line`, parsed value) for each non-blank line; ValueError on a line that is not JSON."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON ({exc.msg}); write one object per line") from None
