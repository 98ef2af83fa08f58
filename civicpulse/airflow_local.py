"""`make airflow`: run Airflow for real on this machine, on loopback, for the civicpulse DAG.

Starts the api-server (bound to 127.0.0.1), the scheduler (LocalExecutor) and the dag-processor as
children, each with the virtualenv's own `airflow` (its folder first on PATH, so nothing falls back to
another install), and stops them all on Ctrl-C or SIGTERM, or when one of them exits. Its metadata
database lives in its own AIRFLOW_HOME (default var/airflow-prod), never the demo's `.airflow`, so the
demo's `airflow dags test` runs do not appear in it. The api-server's simple auth manager writes the
admin password to AIRFLOW_HOME/simple_auth_manager_passwords.json.generated; the banner names the file.
It also has a `civicpulse` user (role `user`): the scheduler and dag-processor start once the api-server
answers, with that user in the `civicpulse_airflow_api` connection, so the DAG's `check` task can write
each run's note through the REST API (civicpulse.airflow_note).

    python -m civicpulse.airflow_local [--home DIR] [--port 8080]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

from civicpulse.paths import DEFAULT_CONFIG, PROJECT_ROOT

DEFAULT_HOME = PROJECT_ROOT / "var" / "airflow-prod"
HOST = "127.0.0.1"
COMPONENTS = ("api-server", "scheduler", "dag-processor")
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"
WRITER_POOL = "duckdb_writer"
# The user the DAG's `check` task writes the run's note as (role `user`: may edit DAG runs, nothing else).
NOTE_USER = "civicpulse"
NOTE_CONN_ENV = "AIRFLOW_CONN_CIVICPULSE_AIRFLOW_API"


def airflow_bin() -> Path:
    return Path(sys.executable).parent / "airflow"


def airflow_env(home: Path, port: int, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every Airflow component of `make airflow` runs with."""
    env = dict(os.environ if base is None else base)
    bin_dir = str(airflow_bin().parent)
    env["PATH"] = os.pathsep.join([bin_dir, *(p for p in env.get("PATH", "").split(os.pathsep) if p)])
    env.setdefault("CIVICPULSE_CONFIG", str(DEFAULT_CONFIG))
    url = f"http://{HOST}:{port}"
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # Two cores: at most two task processes at once, whatever the DAGs ask for.
            "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "2"),
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"admin:admin,{NOTE_USER}:user",
        }
    )
    return env


def note_connection(home: Path, port: int) -> dict[str, str]:
    """The `civicpulse_airflow_api` connection (as an environment variable) the `check` task writes
    the run's note with: the API on loopback, as the note user with its generated password. Empty if
    the password file has no such user (then runs keep no note; the `check` task logs why)."""
    try:
        password = json.loads(password_file(home).read_text()).get(NOTE_USER)
    except (OSError, ValueError):
        password = None
    if not password:
        return {}
    conn = {
        "conn_type": "http",
        "host": f"http://{HOST}",
        "port": port,
        "login": NOTE_USER,
        "password": password,
    }
    return {NOTE_CONN_ENV: json.dumps(conn)}


def password_file(home: Path) -> Path:
    return home / PASSWORD_FILE


def prepare(env: Mapping[str, str]) -> None:
    """Create or upgrade the metadata database and the writer pool (idempotent)."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    for args in (
        ["db", "migrate"],
        ["pools", "set", WRITER_POOL, "1", "civicpulse: DuckDB allows one writer at a time"],
    ):
        result = subprocess.run(
            [str(airflow_bin()), *args], env=dict(env), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise SystemExit(f"airflow {' '.join(args[:2])} failed (exit {result.returncode}): {tail[0]}")


def start(
    env: Mapping[str, str], logs: Path, names: Sequence[str] = COMPONENTS
) -> dict[str, subprocess.Popen[bytes]]:
    """Start the components, each logging to logs/<component>.log."""
    logs.mkdir(parents=True, exist_ok=True)
    children: dict[str, subprocess.Popen[bytes]] = {}
    for name in names:
        with (logs / f"{name}.log").open("ab") as out:
            children[name] = subprocess.Popen(
                [str(airflow_bin()), name],
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
    return children


def stop(children: Mapping[str, subprocess.Popen[bytes]], grace: float = 20.0) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + grace
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def api_healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/api/v2/monitor/health", timeout=5) as response:
            return bool(json.load(response).get("metadatabase", {}).get("status") == "healthy")
    except (OSError, ValueError, urllib.error.URLError):
        return False


def wait_until_serving(
    children: Mapping[str, subprocess.Popen[bytes]], port: int, timeout: float = 180.0
) -> str | None:
    """None once the api-server answers; else why not (a component exited, or the time ran out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, child in children.items():
            if child.poll() is not None:
                return f"{name} exited with code {child.returncode}"
        if api_healthy(port):
            return None
        time.sleep(1)
    return f"the api-server did not answer on {HOST}:{port} within {timeout:.0f}s"


def banner(home: Path, port: int) -> str:
    return "\n".join(
        [
            f"Airflow is up: http://{HOST}:{port} (loopback only; AIRFLOW_HOME={home})",
            f"Log in as admin; the password is in {password_file(home)}",
            f"Component logs: {home / 'logs'}/{{api-server,scheduler,dag-processor}}.log",
            "New DAGs start paused: unpause civicpulse_nightly to load every night since its start date "
            "(docs/airflow.md). Ctrl-C stops everything.",
        ]
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make airflow", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home", type=Path, default=Path(os.environ.get("CIVICPULSE_AIRFLOW_HOME", DEFAULT_HOME))
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("CIVICPULSE_AIRFLOW_PORT", "8080")))
    parser.add_argument(
        "--start-timeout", type=float, default=300.0, help="seconds to wait for the api-server (default 300)"
    )
    args = parser.parse_args(argv)
    home: Path = args.home.resolve()
    env = airflow_env(home, args.port)
    prepare(env)
    signal.signal(signal.SIGTERM, _interrupt)
    # The api-server first: it writes the users' passwords, and the note connection needs one.
    children = start(env, home / "logs", ["api-server"])
    try:
        problem = wait_until_serving(children, args.port, args.start_timeout)
        if problem:
            print(f"make airflow: {problem}; see {home / 'logs'}", file=sys.stderr)
            return 1
        workers = {**env, **note_connection(home, args.port)}
        children.update(start(workers, home / "logs", ["scheduler", "dag-processor"]))
        print(banner(home, args.port), flush=True)
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(
                        f"make airflow: {name} exited with code {child.returncode}; "
                        f"see {home / 'logs' / name}.log",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop(children)


if __name__ == "__main__":
    raise SystemExit(main())
