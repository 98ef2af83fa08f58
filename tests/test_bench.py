"""`make bench` in miniature: a tiny city, one repetition, the shortest history. Checks the shape of
bench/results.json and that every metric is a finite positive number; never the timings themselves."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from typing import Any

import pytest

from bench.naive import phrase_regex
from civicpulse.paths import PROJECT_ROOT

TINY = [
    "--days", "3", "--scale", "0.2", "--big-scale", "0.4", "--repeat", "1",
    "--history", "3", "--history-scale", "0.2", "--startup-repeat", "1", "--skip-incremental-long",
]  # fmt: skip


def _positive_numbers(value: Any, where: str) -> list[str]:
    """Paths under `value` that are not finite positive numbers."""
    if isinstance(value, dict):
        assert value, f"{where} is empty"
        return [bad for key, inner in value.items() for bad in _positive_numbers(inner, f"{where}.{key}")]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    return [] if ok else [f"{where} = {value!r}"]


@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    tmp = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, AIRFLOW_HOME=str(tmp / "airflow"))
    out = tmp / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", *TINY, "--out", str(out), "--work", str(tmp / "work")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text()), done.stdout


def test_every_metric_is_a_finite_positive_number(tiny_bench: tuple[dict[str, Any], str]) -> None:
    results, _ = tiny_bench
    metrics = (
        "speedup_vs_naive",
        "wall_over_floor",
        "sentiment_texts_per_s",
        "incremental_share",
        "memory_ratio",
        "dag_parse_s",
        "airflow_import_s",
        "gx_import_cpu_s",
        "sql_cli_s",
        "query_ms",
    )
    bad = [problem for name in metrics for problem in _positive_numbers(results[name], name)]
    assert not bad, bad
    assert set(results["speedup_vs_naive"]) == {"default", "large"}
    for size in results["speedup_vs_naive"].values():
        assert {"cpu", "wall"} <= set(size)
    assert set(results["incremental_share"]) == {"3"}
    assert {"civicpulse_1_worker", "civicpulse_2_workers", "raw_vader"} <= set(
        results["sentiment_texts_per_s"]
    )
    assert len(results["query_ms"]) == 5


def test_sizes_record_min_median_and_peak_for_each_contender(tiny_bench: tuple[dict[str, Any], str]) -> None:
    results, _ = tiny_bench
    for label, size in results["sizes"].items():
        for contender in ("naive", "floor", "civicpulse"):
            summary = size[contender]
            assert summary["repeats"] == 1, (label, contender)
            assert not _positive_numbers(
                {k: summary[k] for k in ("cpu_min", "cpu_median", "wall_min", "wall_median", "peak_rss_mib")},
                f"{label}.{contender}",
            )
        assert size["texts"] > 0


def test_machine_and_table_are_reported(tiny_bench: tuple[dict[str, Any], str]) -> None:
    results, stdout = tiny_bench
    assert results["machine"]["usable_cpus"] >= 1
    assert results["machine"]["python"].startswith("3.")
    assert all(
        set(row) == {"metric", "civicpulse", "baseline", "ratio", "target", "met"} for row in results["table"]
    )
    assert stdout.startswith("| metric")
    assert sum("MISSED" in row["met"] or row["met"].startswith("met") for row in results["table"]) >= 8


def test_naive_theme_phrases_follow_the_taxonomy_syntax() -> None:
    import re

    wait = re.compile(phrase_regex("[long|endless] wait"))
    assert wait.search("such a long wait today") and wait.search("endless waiting")
    assert not wait.search("a long walk")
    hours = re.compile(phrase_regex("{n} [hours|hrs] on hold"))
    assert hours.search("2 hours on hold") and hours.search("three hrs on hold")
