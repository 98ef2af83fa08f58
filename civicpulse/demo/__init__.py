"""Demo data: realistic vendor exports for a fictional city (Riverton, or Lakeshore with
`city="lakeshore"`), with planted signals.

`generate(out)` writes one sub-folder of `out` per connector, in the formats of docs/formats.md. The
output is a pure function of the arguments: the same arguments give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from civicpulse.demo import contact_center, ga4, mastodon, resident_survey, touchpoints, x
from civicpulse.demo.city import using
from civicpulse.demo.output import Written
from civicpulse.demo.signals import SIGNALS, Signal

__all__ = ["FOLDERS", "SIGNALS", "GenerationSummary", "Signal", "generate"]

DEFAULT_START = dt.date(2026, 5, 1)

Writer = Callable[[Path, dt.date, int, int, float], Written]

_WRITERS: dict[str, tuple[Writer, str]] = {
    "ga4": (ga4.write, "ga4_*.json"),
    "x": (x.write, "x_recent_search_*.json"),
    "mastodon": (mastodon.write, "mastodon_*.json"),
    "contact_center": (contact_center.write, "calls_*.csv"),
    "touchpoints": (touchpoints.write, "touchpoints-a11-v2-form-responses-*.csv"),
    "resident_survey": (resident_survey.write, "resident_survey_*.csv"),
}
FOLDERS: tuple[str, ...] = tuple(_WRITERS)


@dataclass(frozen=True)
class GenerationSummary:
    out: Path
    start: dt.date
    days: int
    seed: int
    scale: float
    counts: Mapping[str, int]
    files: tuple[Path, ...]

    @property
    def end(self) -> dt.date:
        """The last day generated."""
        return self.start + dt.timedelta(days=self.days - 1)

    def __str__(self) -> str:
        counts = ", ".join(f"{folder} {count:,}" for folder, count in self.counts.items())
        return (
            f"wrote {sum(self.counts.values()):,} records in {len(self.files):,} files under {self.out} "
            f"({self.start}..{self.end}, seed {self.seed}, scale {self.scale:g}): {counts}"
        )


def generate(
    out: Path,
    *,
    start: dt.date = DEFAULT_START,
    days: int = 120,
    seed: int = 7,
    scale: float = 1.0,
    city: str = "riverton",
) -> GenerationSummary:
    """Write the demo city's exports under `out`, replacing files an earlier run generated there.

    `counts` are records per connector folder as they appear in the files, so paging overlaps and
    statuses listed on two hashtag timelines count twice.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    from civicpulse.demo.cities import CITIES

    if city not in CITIES:
        raise ValueError(f"unknown demo city {city!r}; choose one of: {', '.join(CITIES)}")
    out = Path(out)
    counts: dict[str, int] = {}
    files: list[Path] = []
    with using(CITIES[city]):
        for folder_name, (writer, pattern) in _WRITERS.items():
            folder = out / folder_name
            if folder.exists():
                for stale in folder.rglob(pattern):
                    stale.unlink()
            folder.mkdir(parents=True, exist_ok=True)
            written = writer(folder, start, days, seed, scale)
            counts[folder_name] = written.records
            files += written.files
    return GenerationSummary(out, start, days, seed, scale, MappingProxyType(counts), tuple(sorted(files)))
