"""FailureNotifier's delivery: JSON to a webhook (a real local HTTP server) and to a command's stdin (a
real process); an undeliverable notification is one warning line, never an exception. The DAG-level
behaviour (one line per failed task, the webhook called from a real failed run) is in test_dag_failures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from civicpulse.airflow_notify import failure_line, post_json, run_command

FACTS = {
    "dag_id": "civicpulse_nightly",
    "run_id": "scheduled__2026-06-01",
    "task_id": "extract",
    "map_index": 2,
    "try_number": 3,
    "error": "contact_center.csv line 2: 'yesterday' is not a date. Fix: ...",
}


def test_failure_line_names_task_run_try_and_error() -> None:
    assert failure_line(FACTS) == (
        "civicpulse: task civicpulse_nightly.extract[2] failed in run scheduled__2026-06-01 (try 3): "
        "contact_center.csv line 2: 'yesterday' is not a date. Fix: ..."
    )
    assert "extract failed" in failure_line({**FACTS, "map_index": None, "error": ""})


def test_post_json_sends_the_payload(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/hook", method="POST", json=FACTS).respond_with_data("ok")
    post_json(httpserver.url_for("/hook"), json.dumps(FACTS).encode())
    httpserver.check_assertions()


def test_post_json_refuses_a_non_http_url_and_reports_server_errors(httpserver: HTTPServer) -> None:
    with pytest.raises(ValueError, match="not an http"):
        post_json("file:///etc/passwd", b"{}")
    httpserver.expect_oneshot_request("/hook").respond_with_data("down", status=503)
    with pytest.raises(OSError, match="503"):
        post_json(httpserver.url_for("/hook"), b"{}")


def test_run_command_gets_the_payload_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    script = f"import sys, pathlib; pathlib.Path({str(out)!r}).write_bytes(sys.stdin.buffer.read())"
    run_command(f"{sys.executable} -c {json.dumps(script)}", json.dumps(FACTS).encode())
    assert json.loads(out.read_text()) == FACTS


def test_run_command_failure_is_one_line() -> None:
    script = "import sys; sys.stderr.write('traceback...\\nwebhook token expired'); sys.exit(3)"
    with pytest.raises(ValueError, match=r"^exit 3: webhook token expired$"):
        run_command(f"{sys.executable} -c {json.dumps(script)}", b"{}")
