"""Where generators put their files, and what they report back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Written:
    """Records and files one generator wrote; records count rows as they appear in files, repeats included."""

    records: int = 0
    files: list[Path] = field(default_factory=list)

    def json(self, path: Path, payload: Any, records: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )
        self.files.append(path)
        self.records += records
