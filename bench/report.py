"""The one table `make bench` prints: metric, civicpulse, baseline, ratio, target, met?"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    metric: str
    civicpulse: str
    baseline: str
    ratio: str
    target: str
    met: str

    def cells(self) -> tuple[str, ...]:
        return (self.metric, self.civicpulse, self.baseline, self.ratio, self.target, self.met)


def _met(ok: bool | None, stretch: bool = False) -> str:
    if ok is None:
        return "-"
    return ("met, stretch too" if stretch else "met") if ok else "MISSED"


def rows(results: dict[str, Any]) -> list[Row]:
    out: list[Row] = []
    sizes: dict[str, Any] = results["sizes"]
    for label, size in sizes.items():
        civ, naive, floor = size["civicpulse"], size["naive"], size["floor"]
        where = f"{size['days']} days, scale {size['scale']:g}"
        for kind in ("cpu", "wall"):
            speedup = results["speedup_vs_naive"][label][kind]
            out.append(
                Row(
                    f"end to end {kind} s vs naive, {label} ({where})",
                    f"{civ[kind + '_min']:.1f} (med {civ[kind + '_median']:.1f})",
                    f"{naive[kind + '_min']:.1f} (med {naive[kind + '_median']:.1f})",
                    f"{speedup:.2f}x speed-up",
                    ">= 1x (stretch 2x)",
                    _met(speedup >= 1, speedup >= 2),
                )
            )
        out.append(
            Row(
                f"wall over VADER floor, {label} ({size['texts']:,} texts)",
                f"{civ['wall_min']:.1f} s",
                f"{floor['wall_min']:.2f} s",
                f"{results['wall_over_floor'][label]:.1f}x",
                "-",
                "-",
            )
        )
    # The quality gate's floor: importing the required GX library, against the naive script's whole run.
    gx_cpu, naive_cpu = results["gx_import_cpu_s"], sizes["default"]["naive"]["cpu_min"]
    out.append(
        Row(
            "import great_expectations alone, CPU s (vs the naive script's whole run, default)",
            f"{gx_cpu:.1f}",
            f"{naive_cpu:.1f}",
            f"{gx_cpu / naive_cpu:.2f}x",
            "-",
            "-",
        )
    )
    sentiment = results["sentiment_texts_per_s"]
    texts_from = results.get("sentiment_texts_from", "texts")
    raw = sentiment["raw_vader"]
    for workers, target in ((1, 0.8), (2, 1.7)):
        mine = sentiment[f"civicpulse_{workers}_worker{'s' if workers > 1 else ''}"]
        out.append(
            Row(
                f"sentiment texts/s ({sentiment['texts']:,.0f} {texts_from}),"
                f" {workers} worker(s) vs raw VADER, 1 process",
                f"{mine:,.0f}",
                f"{raw:,.0f}",
                f"{mine / raw:.2f}x",
                f">= {target}x",
                _met(mine / raw >= target),
            )
        )
    details = results["incremental_detail"]
    for history, share in results["incremental_share"].items():
        detail = details[history]
        out.append(
            Row(
                f"one new day after {history} days (scale {detail['scale']:g}) vs full run, CPU s",
                f"{detail['one_day_cpu_s']:.1f}",
                f"{detail['full_cpu_s']:.1f}",
                f"{share:.1%}",
                "<= 5%",
                _met(share <= 0.05),
            )
        )
    flat = results.get("incremental_flatness")
    if flat is not None:
        out.append(
            Row(
                f"one new day, {flat['longest']} vs {flat['shortest']} days of history, CPU s",
                f"{flat['longest_cpu_s']:.1f}",
                f"{flat['shortest_cpu_s']:.1f}",
                f"{flat['ratio']:.2f}x",
                "flat (<= 1.25x)",
                _met(flat["ratio"] <= 1.25),
            )
        )
    small, big = sizes
    out.append(
        Row(
            f"peak RSS {big} vs {small}, MiB",
            f"{sizes[big]['civicpulse']['peak_rss_mib']:.0f}",
            f"{sizes[small]['civicpulse']['peak_rss_mib']:.0f}",
            f"{results['memory_ratio']:.2f}x",
            "<= 1.5x",
            _met(results["memory_ratio"] <= 1.5),
        )
    )
    times = results["settings"]["startup_repeat"]
    sql_s, parse_s, airflow_s = results["sql_cli_s"], results["dag_parse_s"], results["airflow_import_s"]
    out.append(
        Row(
            f'civicpulse sql "select 1", s (min of {times})',
            f"{sql_s:.2f}",
            "-",
            "-",
            "<= 0.3",
            _met(sql_s <= 0.3),
        )
    )
    # baseline: `import airflow.sdk` in a fresh interpreter, paid by Airflow before any DAG file is parsed
    out.append(
        Row(
            f"DAG file parse, Airflow loaded, s (min of {times})",
            f"{parse_s:.2f}",
            f"{airflow_s:.2f}",
            f"{parse_s / airflow_s:.2f}x",
            "<= 0.3",
            _met(parse_s <= 0.3),
        )
    )
    for query, ms in results["query_ms"].items():
        out.append(Row(f"query {query}, median ms", f"{ms:.1f}", "-", "-", "-", "-"))
    return out


def render(table: list[Row], write: Callable[[str], None] = print) -> None:
    header = ("metric", "civicpulse", "baseline", "ratio", "target", "met?")
    lines = [header, *(row.cells() for row in table)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        write("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")
        if index == 0:
            write("|" + "|".join("-" * (w + 2) for w in widths) + "|")
