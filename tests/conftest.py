from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from civicpulse.config import Config, load_config
from civicpulse.demo.pii import Planted
from civicpulse.paths import CONFIG_DIR, DEFAULT_CONFIG

SHARED_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"

# A small city that covers the three planted signals (outage 15-28 June, fees from 1 July, permit
# staffing from 15 July), with two quiet weeks before the outage and a full August fortnight after.
SMALL_CITY_START = dt.date(2026, 6, 1)
SMALL_CITY_DAYS = 77
SMALL_CITY_END = SMALL_CITY_START + dt.timedelta(days=SMALL_CITY_DAYS)


def write_project_config(root: Path, **overrides: object) -> Path:
    """The project's civicpulse.yml, relocated under `root` (themes still from the project)."""
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    settings["themes"] = str(CONFIG_DIR / "themes.yml")
    settings.update(overrides)
    path = root / "civicpulse.yml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


def sources_config(
    root: Path, monkeypatch: pytest.MonkeyPatch, key: str, names: tuple[str, ...], **source_settings: object
) -> Config:
    """The project's config under `root` with only the named sources (each with `source_settings` on top),
    the pseudonym key `key` from the environment instead of a key file, and every source's inbox made."""
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", key)
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    sources = [dict(s, **source_settings) for s in settings["sources"] if s["name"] in names]
    paths = dict(settings["paths"], pseudonym_key_file=None)
    config = load_config(write_project_config(root, sources=sources, paths=paths))
    for name in names:
        config.inbox(config.source(name)).mkdir(parents=True, exist_ok=True)
    return config


@pytest.fixture
def project_config(tmp_path: Path) -> Config:
    return load_config(write_project_config(tmp_path))


def airflow_env(root: Path, config_path: Path, airflow_db: Path) -> dict[str, str]:
    """The environment of an Airflow CLI run with its own AIRFLOW_HOME under `root`, holding a copy of
    the migrated metadata database `airflow_db` (the `airflow_db` fixture)."""
    from civicpulse.paths import PROJECT_ROOT

    home = root / ".airflow"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy2(airflow_db, home / "airflow.db")
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "CIVICPULSE_CONFIG": str(config_path),
        }
    )
    return env


def _airflow_cli() -> str:
    import sys

    return str(Path(sys.executable).parent / "airflow")


def _migrate_airflow(root: Path) -> None:
    """A metadata database as `make airflow-init` makes it: migrated, with the DuckDB writer pool."""
    import subprocess

    home = root / ".airflow"
    env = dict(os.environ, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    subprocess.run([_airflow_cli(), "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [_airflow_cli(), "pools", "set", "duckdb_writer", "1", "civicpulse writer"],
        env=env,
        check=True,
        capture_output=True,
    )
    # Only the database is copied: the airflow.cfg written beside it names this folder.
    (home / "airflow.cfg").unlink()


def dag_run_failed(log: str) -> bool:
    """How `airflow dags test` logs a failed run: 'state=failed' (INFO) or 'DagRun failed' (WARNING)."""
    return "state=failed" in log.replace(" ", "") or "DagRun failed" in log


def run_dag_through_airflow(
    root: Path, config_path: Path, start: dt.date, end: dt.date, airflow_db: Path
) -> str:
    """`airflow dags test` on a fresh embedded SQLite metadata database, as `make demo` does."""
    import subprocess

    env = airflow_env(root, config_path, airflow_db)
    conf = json.dumps({"start": start.isoformat(), "end": end.isoformat()})
    result = subprocess.run(
        [_airflow_cli(), "dags", "test", "civicpulse_nightly", end.isoformat(), "-c", conf],
        env=env,
        capture_output=True,
        text=True,
    )
    log = result.stdout + result.stderr
    (root / "dags-test.log").write_text(log)
    if result.returncode != 0 or dag_run_failed(log):
        raise AssertionError(f"airflow dags test failed (exit {result.returncode}):\n{log[-6000:]}")
    return log


def _build_city(root: Path, airflow_db: Path) -> None:
    """The small city of SMALL_CITY_*, run end to end through the real DAG, and the personal values
    its generator planted (planted.json: generation is byte-identical with or without recording)."""
    from civicpulse.demo.pii import planted_values
    from civicpulse.pseudonym_key import ensure_demo_key

    config = load_config(write_project_config(root))
    planted = planted_values(
        root / "var" / "demo-exports", start=SMALL_CITY_START, days=SMALL_CITY_DAYS, seed=11
    )
    (root / "planted.json").write_text(json.dumps({k: sorted(v) for k, v in planted.values.items()}))
    ensure_demo_key(config)
    run_dag_through_airflow(root, config.path, SMALL_CITY_START, SMALL_CITY_END, airflow_db)


def _built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder `build` fills once per test run: under pytest-xdist every worker runs session fixtures,
    so the first to get the lock builds into the run's shared temp dir and the others wait for it."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        root = tmp_path_factory.mktemp(name)
        build(root)
        return root
    shared = tmp_path_factory.getbasetemp().parent  # the run's dir, above every worker's basetemp
    root = shared / f"{name}-shared"
    with (shared / f"{name}-shared.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / f"{name}-shared.built").exists():
            shutil.rmtree(root, ignore_errors=True)  # a failed build by another worker
            root.mkdir()
            build(root)
            (shared / f"{name}-shared.built").touch()
    return root


@pytest.fixture(scope="session")
def airflow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated Airflow metadata database, made once per run (two Airflow CLI starts, ~10 CPU-s);
    `airflow_env` copies it into each test's own AIRFLOW_HOME."""
    return _built_once(tmp_path_factory, "airflow", _migrate_airflow) / ".airflow" / "airflow.db"


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory, airflow_db: Path) -> Config:
    """A small generated city run end to end through the real DAG, shared by the end-to-end tests.
    Built once per run; each xdist worker gets its own copy, as tests write reports into it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under pytest-xdist
    built = _built_once(tmp_path_factory, "city", lambda root: _build_city(root, airflow_db))
    if worker is None:
        return load_config(built / "civicpulse.yml")
    root = tmp_path_factory.mktemp("city")
    shutil.copytree(built, root, dirs_exist_ok=True, symlinks=True)
    return load_config(root / "civicpulse.yml")


@pytest.fixture(scope="session")
def city_planted(city: Config) -> Planted:
    """The personal values the `city` fixture's generator planted in its vendor exports."""
    values = json.loads((city.root / "planted.json").read_text())
    return Planted({kind: set(found) for kind, found in values.items()})


@pytest.fixture(scope="session")
def city_warehouse(city: Config) -> object:
    from civicpulse.warehouse.connection import reader

    with reader(city) as con:
        yield con
