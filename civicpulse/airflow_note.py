"""Write a DAG run's note through Airflow's public REST API.

Airflow 3.3's task SDK and execution API can read a run's note but not write it, and tasks have no
metadata database access, so the `check` task sets it as a user would: `PATCH
/api/v2/dags/{dag}/dagRuns/{run}` with a JWT from `POST /auth/token`. The API's URL and a user allowed
to edit DAG runs (simple auth manager role `user` or above) come from the Airflow connection
`civicpulse_airflow_api` (`http://login:password@127.0.0.1:8080`); `make airflow` sets it up. Without
the connection (`airflow dags test`, the demo) no note is written and the summary stays in the log
and the XCom.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

CONN_ID = "civicpulse_airflow_api"
TIMEOUT = 30.0


class NoteNotWritten(RuntimeError):
    """The API refused or could not be reached; the message says which and why."""


def _call(method: str, url: str, body: object, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as err:
        detail = err.read().decode(errors="replace")[:200]
        raise NoteNotWritten(f"{method} {url} answered {err.code}: {detail}") from None
    except (OSError, ValueError) as err:
        raise NoteNotWritten(f"{method} {url} failed: {err}") from None


def write_note(
    base_url: str, login: str, password: str, dag_id: str, run_id: str, note: str
) -> dict[str, Any]:
    """Set the run's note (at most 1,000 characters, the API's limit); returns the updated run."""
    base = base_url.rstrip("/")
    token = _call("POST", f"{base}/auth/token", {"username": login, "password": password})
    path = f"/api/v2/dags/{urllib.parse.quote(dag_id)}/dagRuns/{urllib.parse.quote(run_id, safe='')}"
    run: dict[str, Any] = _call(
        "PATCH", f"{base}{path}?update_mask=note", {"note": note[:1000]}, token["access_token"]
    )
    return run


def api_base_url(host: str | None, port: int | None) -> str:
    """The API's base URL from the connection's host (`127.0.0.1` or `http://127.0.0.1`) and port."""
    if not host:
        raise NoteNotWritten(f"connection {CONN_ID!r} has no host: set it to the api-server's URL")
    base = host if "://" in host else f"http://{host}"
    return f"{base.rstrip('/')}:{port}" if port else base.rstrip("/")


def write_run_note(dag_id: str, run_id: str, note: str) -> str:
    """Set the run's note when the connection exists; one line saying what happened. A note that
    cannot be written is a warning, never a failed run."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(CONN_ID)
    except AirflowNotFoundException:
        return f"no connection {CONN_ID!r}, so the run's note is not set (docs/airflow.md)"
    try:
        write_note(
            api_base_url(conn.host, conn.port), conn.login or "", conn.password or "", dag_id, run_id, note
        )
    except NoteNotWritten as exc:
        return f"WARNING the run's note was not written: {exc}"
    return f"run note set: {note}"
