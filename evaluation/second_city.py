"""The second demo city (Lakeshore, civicpulse/demo/lakeshore.py) end to end: recall of its planted events
per channel and alarms on its quiet services.

Lakeshore has other services, volumes and calendar than Riverton, five planted events (one across web,
social and phone; one web-only; one survey-only; one social-only; one phone-only) and two quiet services.
It is generated small (`SCALE`, `DAYS`), run through `pipeline.run_interval` (no Airflow) and read from
marts.anomalies and marts.incidents. Targets: every planted event found in every channel it was planted
in; at most one alarm (incident) per quiet service per quarter.

These figures come from a city designed together with the detector: they show the pipeline works end
to end on a second calendar and service set, not how accurate the detector is on a real city.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from civicpulse.config import Config
from civicpulse.warehouse.connection import reader
from evaluation import TargetsMissed

TITLE = "Second demo city (Lakeshore): planted-event recall per channel, alarms on quiet services"
LABEL = "Lakeshore is a demo city designed with the detector: figures for tests and demos only."
START = dt.date(2026, 9, 14)
DAYS = 77
SCALE = 0.6
SEED = 5
QUARTER_DAYS = 91

# The anomaly channel each generator channel of a planted effect shows in.
CHANNEL_OF = {
    "ga4": "web",
    "social": "social",
    "contact_center": "phone",
    "touchpoints": "survey",
    "resident_survey": "survey",
}


@dataclass(frozen=True)
class EventRecall:
    event: str
    service_id: str
    channel: str
    found: bool
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class QuietAlarms:
    service_id: str
    incidents: int
    per_quarter: float


def build(root: Path, *, start: dt.date = START, days: int = DAYS, scale: float = SCALE) -> Config:
    """Generate Lakeshore under `root` and run the nightly steps for its interval; its config."""
    import yaml

    from civicpulse.config import load_config
    from civicpulse.demo import generate
    from civicpulse.demo.cities import LAKESHORE, city_settings
    from civicpulse.paths import CONFIG_DIR, DEFAULT_CONFIG
    from civicpulse.pipeline import run_interval
    from civicpulse.pseudonym_key import ensure_demo_key

    template = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    template["themes"] = str(CONFIG_DIR / "themes.yml")
    config_path = root / "civicpulse.yml"
    config_path.write_text(yaml.safe_dump(city_settings(LAKESHORE, template), sort_keys=False))
    config = load_config(config_path)
    generate(root / "var" / "demo-exports", start=start, days=days, seed=SEED, scale=scale, city="lakeshore")
    ensure_demo_key(config)
    run_interval(config, start, start + dt.timedelta(days=days))
    return config


def unplanned_incidents(con: duckdb.DuckDBPyConnection) -> list[tuple[str, dt.date, str]]:
    """Incidents on any service that overlap no planted event of that service: false alarms."""
    from civicpulse.demo.cities import LAKESHORE

    rows = con.execute("select service_id, start_day, end_day, what_moved from marts.incidents").fetchall()
    return [
        (service_id, start, what_moved)
        for service_id, start, end, what_moved in rows
        if not any(
            s.service_id == service_id and end >= s.start and (s.end is None or start <= s.end)
            for s in LAKESHORE.signals
        )
    ]


def measure(con: duckdb.DuckDBPyConnection) -> tuple[list[EventRecall], list[QuietAlarms], int]:
    """Recall per planted event and channel, incidents per quiet service, and the days covered."""
    from civicpulse.demo.cities import LAKESHORE

    first, last = con.execute("select min(date_day), max(date_day) from core.dim_date").fetchone() or (
        None,
        None,
    )
    if first is None or last is None:
        raise ValueError("the warehouse holds no data")
    recall = []
    for signal in LAKESHORE.signals:
        end = signal.end or last
        for channel in sorted({CHANNEL_OF[e.channel] for e in signal.effects}):
            rows = con.execute(
                """
                select distinct metric from marts.anomalies
                where service_id = ? and channel = ? and period_end >= ? and period_start <= ?
                order by metric
                """,
                [signal.service_id, channel, signal.start, end],
            ).fetchall()
            metrics = tuple(metric for (metric,) in rows)
            recall.append(EventRecall(signal.id, signal.service_id, channel, bool(metrics), metrics))
    days = (last - first).days + 1
    quiet = []
    for service_id in LAKESHORE.quiet_services:
        count = con.execute(
            "select count(*) from marts.incidents where service_id = ?", [service_id]
        ).fetchone()
        incidents = int(count[0]) if count else 0
        quiet.append(QuietAlarms(service_id, incidents, incidents * QUARTER_DAYS / days))
    return recall, quiet, days


def render(
    recall: list[EventRecall],
    quiet: list[QuietAlarms],
    days: int,
    unplanned: list[tuple[str, dt.date, str]] | None = None,
) -> str:
    lines = [LABEL, "", f"{'planted event':<30} {'service':<20} {'channel':<8} found  metrics that moved"]
    for row in recall:
        lines.append(
            f"{row.event:<30} {row.service_id:<20} {row.channel:<8} {'yes' if row.found else 'NO':<5}  "
            + (", ".join(row.metrics) or "-")
        )
    found = sum(row.found for row in recall)
    lines += [
        f"recall: {found}/{len(recall)} (event, channel) pairs",
        "",
        f"{'quiet service':<20} incidents  per quarter ({days} days)",
    ]
    lines += [f"{row.service_id:<20} {row.incidents:>9}  {row.per_quarter:>11.1f}" for row in quiet]
    if unplanned is not None:
        lines += ["", f"incidents outside every planted event, any service: {len(unplanned)}"]
        lines += [f"  {service_id}, {start}: {what_moved}" for service_id, start, what_moved in unplanned]
    return "\n".join(lines)


def missed_targets(recall: list[EventRecall], quiet: list[QuietAlarms], days: int) -> list[str]:
    """Every event found in every channel it was planted in; at most one alarm per quiet service per
    quarter, counting a part of a quarter as one."""
    allowed = math.ceil(days / QUARTER_DAYS)
    missed = [f"{row.event} not found in {row.channel}" for row in recall if not row.found]
    missed += [
        f"{row.service_id}: {row.incidents} alarms in {days} days (target at most {allowed})"
        for row in quiet
        if row.incidents > allowed
    ]
    return missed


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="civicpulse-lakeshore-") as tmp, reader(build(Path(tmp))) as con:
        recall, quiet, days = measure(con)
        unplanned = unplanned_incidents(con)
    report = render(recall, quiet, days, unplanned)
    missed = missed_targets(recall, quiet, days)
    if missed:
        raise TargetsMissed(report, missed)
    return report
