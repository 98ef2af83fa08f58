"""Sentiment workers: fork from a single-threaded process, forkserver once other threads exist."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from transforms import sentiment
from transforms.sentiment import score_texts

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [f"Visit {i}. The clerk was {'great' if i % 3 else 'rude'}. Waited {i} minutes!" for i in range(300)]


def test_a_single_threaded_process_forks_and_one_with_duckdb_loaded_uses_forkserver() -> None:
    probe = (
        "from transforms.sentiment import _process_context; {}print(_process_context().get_start_method())"
    )
    methods = [
        subprocess.run(
            [sys.executable, "-c", probe.format(preamble)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        for preamble in ("", "import duckdb; ")
    ]
    assert methods == ["fork", "forkserver"]


def test_a_process_with_an_open_duckdb_connection_scores_with_forkserver_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sequential = score_texts(TEXTS, workers=1)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create table t as select range as i from range(100000)")
        con.execute("select sum(i) from t").fetchall()
        if sentiment._os_thread_count() == 1:
            pytest.skip("DuckDB started no threads here")
        assert sentiment._process_context().get_start_method() == "forkserver"
        monkeypatch.setattr(sentiment, "PARALLEL_MIN_TEXTS", 0)
        assert score_texts(TEXTS, workers=2) == sequential


def test_a_worker_error_is_raised_here_and_no_worker_is_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "PARALLEL_MIN_TEXTS", 0)
    with pytest.raises(TypeError):
        score_texts([*TEXTS, 7], workers=2)  # type: ignore[list-item]
    assert multiprocessing.active_children() == []
    assert score_texts(TEXTS[:60], workers=2) == score_texts(TEXTS[:60], workers=1)
