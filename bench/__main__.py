"""`make bench`: civicpulse against baselines, side by side in one run, printed as one table.

At two sizes of the demo city, interleaved (naive, floor, civicpulse; naive, floor, civicpulse; ...):
- naive: bench/naive.py, a notebook-style script doing the core job on the same exports;
- floor: raw vaderSentiment in one process over the same texts (bench/floor.py);
- civicpulse: `civicpulse run` end to end, a fresh project folder (empty warehouse, landing and
  caches) every repetition.
CPU seconds and peak RSS come from each child's rusage, wall from the clock; min and median are kept.
Then: one new day after 30/120/365 days of history, sentiment throughput in-process, DAG parse,
`civicpulse sql "select 1"`, five example queries, and `import great_expectations` alone (the quality
gate's floor, beside the naive script). Writes bench/results.json.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import secrets
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

import duckdb

from bench import analyst, city, machine
from bench.incremental import IncrementalShare, incremental_share, next_day
from bench.measure import BenchError, Summary, Timing, run_timed
from bench.real_texts import REAL_DIR, real_texts
from bench.report import render, rows
from bench.sentiment import vader_throughput

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"
BIN = Path(sys.executable).parent
CIVICPULSE = str(BIN / "civicpulse")


def _throughput_function() -> Callable[[Sequence[str], int], float]:
    """bench/sentiment_speed.py's sentiment_throughput when it exists, else bench/sentiment.py's."""
    for module in ("bench.sentiment_speed", "bench.sentiment"):
        try:
            found = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        return cast(Callable[[Sequence[str], int], float], found.sentiment_throughput)
    raise ImportError("no sentiment_throughput in bench/")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=28, help="days of the default-size city (default 28)")
    parser.add_argument("--scale", type=float, default=1.0, help="scale of the default size (default 1)")
    parser.add_argument("--big-scale", type=float, default=16.0, help="scale of the large size (default 16)")
    parser.add_argument("--big-days", type=int, help="days of the large size (default: --days)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved repetitions per size (default 3)")
    parser.add_argument(
        "--history", default="30,120,365", help="days of history before the one new day (default 30,120,365)"
    )
    parser.add_argument(
        "--history-scale", type=float, default=1.0, help="scale of the incremental cities (default 1)"
    )
    parser.add_argument(
        "--skip-incremental-long", action="store_true", help="measure only the shortest history"
    )
    parser.add_argument(
        "--startup-repeat",
        type=int,
        default=5,
        help="runs of each start-up measurement, min kept (default 5)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file (default bench/results.json)")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed)")
    return parser


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CIVICPULSE_CONFIG", None)
    env["CIVICPULSE_PSEUDONYM_KEY"] = secrets.token_hex(32)  # a throw-away key for throw-away warehouses
    env.setdefault("AIRFLOW_HOME", str(work / "airflow"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    return env


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.env = _env(work)
        self.default_run: tuple[Path, Timing] | None = None

    def log(self, message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    def civicpulse(self, config: Path, start: str, end: str) -> Timing:
        command = [CIVICPULSE, "--quiet", "--config", str(config), "run", "--start", start, "--end", end]
        return run_timed(command, cwd=config.parent, env=self.env)

    def size(self, label: str, days: int, scale: float) -> tuple[dict[str, Any], list[str], Path]:
        exports = city.exports(self.work / f"exports-{label}", days, scale)
        naive_config = city.project(self.work / f"naive-{label}", exports)
        naive_db = self.work / f"naive-{label}.duckdb"
        naive = [
            sys.executable,
            str(BENCH_DIR / "naive.py"),
            "--config",
            str(naive_config),
            "--db",
            str(naive_db),
        ]
        run_timed(naive, env=self.env)  # warm-up (page cache, .pyc), and the texts for the floor
        con = duckdb.connect(str(naive_db), read_only=True)
        texts = [t for (t,) in con.execute("select distinct text from feedback order by text").fetchall()]
        con.close()
        texts_file = self.work / f"texts-{label}.json"
        texts_file.write_text(json.dumps(texts), encoding="utf-8")
        floor = [sys.executable, "-m", "bench.floor", str(texts_file)]
        timings: dict[str, list[Timing]] = {"naive": [], "floor": [], "civicpulse": []}
        project = self.work / f"civicpulse-{label}"
        for repetition in range(1, self.args.repeat + 1):
            self.log(f"{label} (scale {scale:g}, {days} days): repetition {repetition}/{self.args.repeat}")
            timings["naive"].append(run_timed(naive, env=self.env))
            timings["floor"].append(run_timed(floor, cwd=BENCH_DIR.parent, env=self.env))
            config = city.project(project, exports)
            timings["civicpulse"].append(self.civicpulse(config, city.day(0), city.day(days)))
        if label == "default":
            self.default_run = (project / "civicpulse.yml", timings["civicpulse"][-1])
        result: dict[str, Any] = {"days": days, "scale": scale, "texts": len(texts)}
        result.update({name: asdict(Summary.of(found)) for name, found in timings.items()})
        result["runs"] = {name: [asdict(t) for t in found] for name, found in timings.items()}
        return result, texts, project / "civicpulse.yml"

    def sentiment(self, texts: list[str]) -> dict[str, float]:
        throughput = _throughput_function()
        best: dict[str, float] = {"civicpulse_1_worker": 0.0, "civicpulse_2_workers": 0.0, "raw_vader": 0.0}
        for _ in range(self.args.repeat):
            best["raw_vader"] = max(best["raw_vader"], vader_throughput(texts))
            best["civicpulse_1_worker"] = max(best["civicpulse_1_worker"], throughput(texts, 1))
            best["civicpulse_2_workers"] = max(best["civicpulse_2_workers"], throughput(texts, 2))
        best["texts"] = float(len(dict.fromkeys(texts)))
        best["ratio_1_worker"] = best["civicpulse_1_worker"] / best["raw_vader"]
        best["ratio_2_workers"] = best["civicpulse_2_workers"] / best["raw_vader"]
        return best

    def incremental(self) -> list[IncrementalShare]:
        histories = sorted(int(h) for h in self.args.history.split(","))
        if self.args.skip_incremental_long:
            histories = histories[:1]
        shares = []
        scale = self.args.history_scale
        for history in histories:
            self.log(f"incremental: one new day after {history} days (scale {scale:g})")
            if self.default_run and history == self.args.days and scale == self.args.scale:
                # the default size's last repetition is this full run already
                config, full = self.default_run
                shares.append(next_day(self.work, config, full, history, scale, self.civicpulse))
            else:
                shares.append(incremental_share(self.work, history, scale, self.civicpulse))
        return shares


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    bench = Bench(args, work)
    results: dict[str, Any] = {
        "machine": machine.describe(),
        "settings": {k: str(v) for k, v in vars(args).items()},
    }
    default, texts, default_config = bench.size("default", args.days, args.scale)
    large, _, _ = bench.size("large", args.big_days or args.days, args.big_scale)
    sizes = {"default": default, "large": large}
    results["sizes"] = sizes
    results["speedup_vs_naive"] = {
        label: {
            "cpu": size["naive"]["cpu_min"] / size["civicpulse"]["cpu_min"],
            "wall": size["naive"]["wall_min"] / size["civicpulse"]["wall_min"],
            "cpu_median": size["naive"]["cpu_median"] / size["civicpulse"]["cpu_median"],
            "wall_median": size["naive"]["wall_median"] / size["civicpulse"]["wall_median"],
        }
        for label, size in sizes.items()
    }
    results["wall_over_floor"] = {
        label: size["civicpulse"]["wall_min"] / size["floor"]["wall_min"] for label, size in sizes.items()
    }
    results["memory_ratio"] = large["civicpulse"]["peak_rss_mib"] / default["civicpulse"]["peak_rss_mib"]
    # Speed is measured on real texts nobody here wrote when ../shared is beside the project.
    real = [text for _, text in real_texts()] if REAL_DIR.is_dir() else []
    results["sentiment_texts_from"] = "shared real texts" if real else "the demo city"
    bench.log(f"sentiment throughput in this process ({results['sentiment_texts_from']})")
    results["sentiment_texts_per_s"] = bench.sentiment(real or texts)
    bench.log("analyst: DAG parse, civicpulse sql, example queries")
    results["dag_parse_s"] = analyst.dag_parse_s(bench.env, args.startup_repeat)
    results["airflow_import_s"] = analyst.airflow_import_s(bench.env, args.startup_repeat)
    results["gx_import_cpu_s"] = analyst.gx_import_cpu_s(bench.env, args.startup_repeat)
    results["sql_cli_s"] = analyst.sql_cli_s(CIVICPULSE, default_config, bench.env, args.startup_repeat)
    from civicpulse.config import load_config
    from civicpulse.warehouse.connection import published_path

    published = published_path(load_config(default_config))
    results["query_ms"] = analyst.query_ms(published, 5)
    shares = bench.incremental()
    results["incremental_share"] = {str(s.history_days): s.cpu_share for s in shares}
    results["incremental_detail"] = {
        str(s.history_days): {
            "scale": s.scale,
            "full_cpu_s": s.full.cpu_s,
            "full_wall_s": s.full.wall_s,
            "one_day_cpu_s": s.one_day.cpu_s,
            "one_day_wall_s": s.one_day.wall_s,
            "wall_share": s.wall_share,
        }
        for s in shares
    }
    if len(shares) > 1:
        results["incremental_flatness"] = {
            "shortest": shares[0].history_days,
            "longest": shares[-1].history_days,
            "shortest_cpu_s": shares[0].one_day.cpu_s,
            "longest_cpu_s": shares[-1].one_day.cpu_s,
            "ratio": shares[-1].one_day.cpu_s / shares[0].one_day.cpu_s,
        }
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def _check_finite(value: object, where: str) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _check_finite(inner, f"{where}.{key}")
    elif isinstance(value, float) and not math.isfinite(value):
        raise BenchError(f"{where} is {value}: a measurement went wrong")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.repeat < 1 or args.startup_repeat < 1:
        print("bench: error: --repeat and --startup-repeat must be at least 1", file=sys.stderr)
        return 2
    try:
        if args.work:
            args.work.mkdir(parents=True, exist_ok=True)
            results = measure(args, args.work)
        else:
            with tempfile.TemporaryDirectory(prefix="civicpulse-bench-") as tmp:
                results = measure(args, Path(tmp))
        _check_finite(results, "results")
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    table = rows(results)
    results["table"] = [
        dict(zip(("metric", "civicpulse", "baseline", "ratio", "target", "met"), r.cells(), strict=True))
        for r in table
    ]
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    render(table)
    print(f"\nmachine: {results['machine']}\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
