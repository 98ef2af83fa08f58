"""The personal values the demo generator plants, so tests can prove none reaches a published output.

Generators pass each value through `plant(kind, value)`; inside `recording()` the values are
collected by kind, outside it `plant` only returns the value (generation stays byte-identical).
`planted_values(...)` regenerates a city into a folder and returns what it planted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

# Values a resident is identified by (ids and handles in the vendor records) ...
IDENTIFIERS = ("handle", "author_id", "display_name", "caller_id", "respondent_id")
# ... and values written into free text (post, call note and comment bodies).
IN_TEXT = ("phone", "email", "address", "plate")
KINDS = IDENTIFIERS + IN_TEXT


@dataclass
class Planted:
    values: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})

    def __len__(self) -> int:
        return sum(len(v) for v in self.values.values())


_recorder: ContextVar[Planted | None] = ContextVar("civicpulse_demo_planted", default=None)


def plant(kind: str, value: str) -> str:
    """Record `value` as personal data of `kind` when recording; returns it unchanged."""
    planted = _recorder.get()
    if planted is not None and value:
        planted.values[kind].add(value)
    return value


@contextmanager
def recording() -> Iterator[Planted]:
    planted = Planted()
    token = _recorder.set(planted)
    try:
        yield planted
    finally:
        _recorder.reset(token)


def planted_values(out: Path, *, start: dt.date, days: int, seed: int, scale: float = 1.0) -> Planted:
    """Generate the city of these arguments into `out` and return the personal values it planted."""
    from civicpulse.demo import generate

    with recording() as planted:
        generate(out, start=start, days=days, seed=seed, scale=scale)
    return planted
