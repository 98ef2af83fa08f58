"""The pseudonymisation key: one resolution for the CLI and Airflow tasks, fingerprinted in the warehouse."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from civicpulse.cli import main
from civicpulse.config import Config, ConfigError, load_config
from civicpulse.pseudonym_key import (
    KeyMismatchError,
    ensure_demo_key,
    fingerprint,
    pseudonym_key,
    resolve_key,
    stored_fingerprint,
)
from civicpulse.warehouse.connection import writer
from tests.conftest import write_project_config

KEY = "env-key-0123456789abcdef0123456789"
CONN_KEY = "airflow-connection-key-0123456789"
PRODUCTION_PATHS = {"warehouse": "w/w.duckdb", "landing": "l", "exports": "e", "report": "r"}


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No key and no Airflow in the environment; AIRFLOW_HOME an empty folder."""
    for name in (
        "CIVICPULSE_PSEUDONYM_KEY",
        "AIRFLOW_CTX_DAG_ID",
        "AIRFLOW_CONN_CIVICPULSE_PSEUDONYM",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__SECRETS__BACKEND",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "airflow-home"
    home.mkdir()
    monkeypatch.setenv("AIRFLOW_HOME", str(home))
    return home


@pytest.fixture
def production(tmp_path: Path, clean_env: Path) -> Config:
    (tmp_path / "prod").mkdir()
    return load_config(write_project_config(tmp_path / "prod", paths=PRODUCTION_PATHS))


@pytest.fixture
def demo(tmp_path: Path, clean_env: Path) -> Config:
    (tmp_path / "demo").mkdir()
    return load_config(write_project_config(tmp_path / "demo"))


def _cli_and_task_keys(config: Config, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    """The key as the CLI resolves it, and as an Airflow task does (AIRFLOW_CTX_DAG_ID set)."""
    cli = pseudonym_key(config)
    with monkeypatch.context() as task:
        task.setenv("AIRFLOW_CTX_DAG_ID", "civicpulse_nightly")
        in_task = pseudonym_key(config)
    return cli, in_task


def test_environment_variable_first_and_too_short_keys_refused(
    production: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="no pseudonymisation key: set CIVICPULSE_PSEUDONYM_KEY") as raised:
        pseudonym_key(production)
    assert "civicpulse_pseudonym" in str(raised.value)
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", "short")
    with pytest.raises(ConfigError, match="shorter than 16 characters") as short:
        pseudonym_key(production)
    assert "short" not in str(short.value).replace("shorter", ""), "the error never shows the key"
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv(
        "AIRFLOW_CONN_CIVICPULSE_PSEUDONYM", json.dumps({"conn_type": "generic", "password": CONN_KEY})
    )
    assert _cli_and_task_keys(production, monkeypatch) == (KEY.encode(), KEY.encode())
    assert resolve_key(production).origin == "CIVICPULSE_PSEUDONYM_KEY"


@pytest.mark.parametrize(
    "connection",
    [json.dumps({"conn_type": "generic", "password": CONN_KEY}), f"generic://:{CONN_KEY}@"],
    ids=["json", "uri"],
)
def test_cli_and_airflow_tasks_read_the_same_connection(
    demo: Config, connection: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A demo config names a key file, yet a configured connection wins for the CLI and in Airflow alike."""
    ensure_demo_key(demo)
    monkeypatch.setenv("AIRFLOW_CONN_CIVICPULSE_PSEUDONYM", connection)
    assert _cli_and_task_keys(demo, monkeypatch) == (CONN_KEY.encode(), CONN_KEY.encode())
    assert resolve_key(demo).origin == "Airflow connection 'civicpulse_pseudonym'"


@pytest.mark.parametrize(
    ("connection", "message"),
    [
        ("{not json", "(?i)civicpulse_pseudonym.*(could not be read|cannot read it)"),
        (json.dumps({"conn_type": "generic"}), "connection 'civicpulse_pseudonym' has no password"),
        (json.dumps({"conn_type": "generic", "password": "short"}), "shorter than 16 characters"),
    ],
    ids=["unparsable", "no-password", "short"],
)
def test_a_broken_connection_is_an_error_never_a_fallback(
    demo: Config, connection: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = ensure_demo_key(demo)
    assert key_file is not None and key_file.is_file(), "a key file to fall back to is there"
    monkeypatch.setenv("AIRFLOW_CONN_CIVICPULSE_PSEUDONYM", connection)
    for dag in (None, "civicpulse_nightly"):
        with monkeypatch.context() as task:
            if dag:
                task.setenv("AIRFLOW_CTX_DAG_ID", dag)
            with pytest.raises(ConfigError, match=message):
                pseudonym_key(demo)
    for source in demo.sources:
        if source.mode == "file":
            demo.inbox(source).mkdir(parents=True, exist_ok=True)
    assert main(["--config", str(demo.path), "check-config"]) == 0
    assert main(["--config", str(demo.path), "cursors"]) == 2, "the writer does not open"


def _cli(config: Config, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh process: Airflow reads AIRFLOW_HOME once, when it is first imported."""
    return subprocess.run(
        [sys.executable, "-m", "civicpulse.cli", "--config", str(config.path), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _recorded_fingerprint(config: Config) -> str | None:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return stored_fingerprint(con)


def test_an_unreadable_metadata_database_is_an_error(demo: Config, clean_env: Path) -> None:
    """airflow.cfg in AIRFLOW_HOME means there is an Airflow to ask; a database it cannot open is an
    error naming it, not a fall-back to the demo key file."""
    ensure_demo_key(demo)
    missing = clean_env / "missing" / "airflow.db"
    (clean_env / "airflow.cfg").write_text(f"[database]\nsql_alchemy_conn = sqlite:///{missing}\n")
    result = _cli(demo, "cursors")
    assert result.returncode == 2, result.stderr[-2000:]
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("civicpulse: error: Airflow connection 'civicpulse_pseudonym' could not be read")
    assert "MetastoreBackend" in error and not demo.warehouse_path.exists()


def test_without_airflow_configured_the_demo_key_file(demo: Config) -> None:
    with pytest.raises(ConfigError, match="run `civicpulse demo-data`"):
        pseudonym_key(demo)
    key_file = ensure_demo_key(demo)
    assert key_file is not None and pseudonym_key(demo) == key_file.read_text().strip().encode()
    assert resolve_key(demo).origin == str(key_file)


@pytest.mark.airflow
def test_the_cli_reads_the_connection_from_the_airflow_metadata_database(
    demo: Config, clean_env: Path, airflow_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`airflow connections add` stores the key in the metadata database, where tasks read it; the
    CLI finds it there too instead of the demo key file."""
    airflow = str(Path(sys.executable).parent / "airflow")
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    shutil.copy2(airflow_db, clean_env / "airflow.db")  # what `airflow db migrate` makes there
    key_file = ensure_demo_key(demo)
    assert key_file is not None
    subprocess.run(
        [
            airflow,
            "connections",
            "add",
            "civicpulse_pseudonym",
            "--conn-type",
            "generic",
            "--conn-password",
            CONN_KEY,
        ],
        check=True,
        capture_output=True,
    )
    result = _cli(demo, "cursors")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _recorded_fingerprint(demo) == fingerprint(CONN_KEY.encode())
    assert fingerprint(CONN_KEY.encode()) != fingerprint(key_file.read_text().strip().encode())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_writer_with_another_key_refuses_to_write(
    production: Config, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", KEY)
    with writer(production) as con:
        assert stored_fingerprint(con) == fingerprint(KEY.encode())
        con.execute("insert into ops.responses values ('f1', now(), 'me', 'email', 'answered')")
    before = _digest(production.warehouse_path)

    other = "another-key-0123456789abcdef"
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", other)
    with pytest.raises(KeyMismatchError) as refused, writer(production) as con:
        con.execute("delete from ops.responses")
    message = str(refused.value)
    assert "\n" not in message
    assert fingerprint(KEY.encode()) in message and fingerprint(other.encode()) in message
    assert "CIVICPULSE_PSEUDONYM_KEY" in message and "civicpulse rotate-key" in message
    assert KEY not in message and other not in message
    assert _digest(production.warehouse_path) == before, "nothing changed"

    assert main(["--config", str(production.path), "cursors"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and fingerprint(KEY.encode()) in error

    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", KEY)
    with writer(production) as con:
        assert con.execute("select count(*) from ops.responses").fetchone() == (1,)


def test_a_run_without_a_key_stops_before_extracting(
    demo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    """Loading needs the key: `civicpulse run` says so in one line before reading any export."""
    assert main(["--config", str(demo.path), "run", "--start", "2026-05-01", "--end", "2026-05-02"]) != 0
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "run `civicpulse demo-data`" in error
    assert not demo.landing_path.exists() or not any(demo.landing_path.iterdir())
