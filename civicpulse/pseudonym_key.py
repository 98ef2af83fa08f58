"""The pseudonymisation key: resolved the same way by the CLI and by Airflow tasks, and fingerprinted
in the warehouse so that a writer holding another key refuses to write.

Resolution order (the first source that is configured wins; a configured source that cannot be read
is an error naming it, never a fall-back to the next one):

1. the environment variable `CIVICPULSE_PSEUDONYM_KEY`;
2. the password of the Airflow connection `civicpulse_pseudonym`, when Airflow is in play: inside an
   Airflow task through `airflow.sdk.Connection` (the task supervisor), elsewhere through Airflow's
   secrets backends and metadata database (`airflow.models.Connection`), which the CLI reaches when
   `AIRFLOW_CONN_CIVICPULSE_PSEUDONYM`, `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`,
   `AIRFLOW__SECRETS__BACKEND` or `$AIRFLOW_HOME/airflow.cfg` says there is an Airflow to ask;
3. the demo's key file, only when the config names one (`paths.pseudonym_key_file`).

Airflow is imported only in case 2, so the CLI stays fast where no Airflow is configured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from civicpulse.config import Config, ConfigError

__all__ = [
    "MIN_KEY_LENGTH",
    "PSEUDONYM_CONN_ID",
    "PSEUDONYM_KEY_ENV",
    "KeyMismatchError",
    "ResolvedKey",
    "check_fingerprint",
    "ensure_demo_key",
    "fingerprint",
    "pseudonym_key",
    "resolve_key",
    "stored_fingerprint",
]

PSEUDONYM_KEY_ENV = "CIVICPULSE_PSEUDONYM_KEY"
PSEUDONYM_CONN_ID = "civicpulse_pseudonym"
AIRFLOW_CONN_ENV = "AIRFLOW_CONN_" + PSEUDONYM_CONN_ID.upper()
AIRFLOW_TASK_ENV = "AIRFLOW_CTX_DAG_ID"
AIRFLOW_CONFIG_ENVS = (AIRFLOW_CONN_ENV, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__SECRETS__BACKEND")
MIN_KEY_LENGTH = 16
FINGERPRINT_MESSAGE = b"civicpulse-key-fingerprint"
ROTATE_HINT = (
    "to change keys, resolve the warehouse's key as usual and run "
    "`civicpulse rotate-key --new-key-env VAR` (see docs/quality-and-privacy.md, Pseudonym key)"
)


class KeyMismatchError(ConfigError):
    """The resolved key is not the key the warehouse's pseudonyms were made with."""


@dataclass(frozen=True)
class ResolvedKey:
    key: bytes
    origin: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)


def fingerprint(key: bytes) -> str:
    """A short public id of a key (HMAC of a fixed message): equal keys, equal fingerprints."""
    return hmac.new(key, FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def pseudonym_key(config: Config) -> bytes:
    return resolve_key(config).key


def resolve_key(config: Config) -> ResolvedKey:
    """The HMAC key for person pseudonyms and where it came from; see the module docstring."""
    value = os.environ.get(PSEUDONYM_KEY_ENV)
    if value:
        return _checked(value, PSEUDONYM_KEY_ENV)
    password = airflow_password()
    if password is not None:
        return _checked(password, f"Airflow connection '{PSEUDONYM_CONN_ID}'")
    key_file = config.settings.paths.pseudonym_key_file
    if key_file is None:
        raise ConfigError(
            f"no pseudonymisation key: set {PSEUDONYM_KEY_ENV}, or the password of the Airflow "
            f"connection '{PSEUDONYM_CONN_ID}'; only the demo uses paths.pseudonym_key_file"
        )
    path = config.resolve(key_file)
    if not path.is_file():
        raise ConfigError(
            f"{config.path}: paths.pseudonym_key_file: {path} does not exist; "
            f"run `civicpulse demo-data` (demo) or set {PSEUDONYM_KEY_ENV}"
        )
    return _checked(path.read_text(encoding="utf-8").strip(), str(path))


def key_from_env(name: str) -> ResolvedKey:
    """A key given by the name of the environment variable holding it (`rotate-key --new-key-env`)."""
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"environment variable {name} is not set or empty: put the new key in it")
    return _checked(value, name)


def _checked(value: str, origin: str) -> ResolvedKey:
    if len(value) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"the pseudonymisation key from {origin} is shorter than {MIN_KEY_LENGTH} characters; "
            "use a long random value, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return ResolvedKey(value.encode("utf-8"), origin)


def airflow_in_play() -> bool:
    """Whether there is an Airflow to ask for the connection (never imports Airflow)."""
    if os.environ.get(AIRFLOW_TASK_ENV) or any(os.environ.get(name) for name in AIRFLOW_CONFIG_ENVS):
        return True
    home = Path(os.environ.get("AIRFLOW_HOME") or Path.home() / "airflow")
    return (home / "airflow.cfg").is_file()


def airflow_password() -> str | None:
    """The password of the connection `civicpulse_pseudonym`; None when Airflow is not in play or
    does not define the connection. Any other failure to read it is an error naming it."""
    if not airflow_in_play():
        return None
    try:
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:
        if os.environ.get(AIRFLOW_CONN_ENV):
            raise ConfigError(
                f"{AIRFLOW_CONN_ENV} is set but Airflow is not installed here; "
                f"set {PSEUDONYM_KEY_ENV} instead, or install Airflow"
            ) from None
        return None
    try:
        if os.environ.get(AIRFLOW_TASK_ENV):
            from airflow.sdk import Connection

            password = Connection.get(PSEUDONYM_CONN_ID).password
        else:
            password = _password_from_secrets_backends()
    except AirflowNotFoundException:
        if os.environ.get(AIRFLOW_CONN_ENV):
            # Airflow's secrets backends log an unparsable connection at debug level and go on.
            raise ConfigError(
                f"{AIRFLOW_CONN_ENV} is set but Airflow cannot read it as a connection; give it as JSON "
                '(\'{"conn_type": "generic", "password": "..."}\') or as a URI (generic://:KEY@)'
            ) from None
        return None
    except ConfigError:
        raise
    except Exception as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ConfigError(
            f"Airflow connection '{PSEUDONYM_CONN_ID}' could not be read ({type(exc).__name__}: {reason}); "
            f"fix the connection or its secrets backend, or set {PSEUDONYM_KEY_ENV}"
        ) from None
    if not password:
        raise ConfigError(
            f"Airflow connection '{PSEUDONYM_CONN_ID}' has no password: put the key in its password "
            "field (`airflow connections add civicpulse_pseudonym --conn-type generic --conn-password ...`)"
        )
    return str(password)


def _password_from_secrets_backends() -> str | None:
    """Outside a task: Airflow's secrets backends in order (environment, external, metadata database),
    as `airflow connections get` reads them. Airflow's own lookup skips a backend that fails, which
    would fall back silently; here a failing backend is an error naming it."""
    from airflow.configuration import ensure_secrets_loaded
    from airflow.sdk.exceptions import AirflowNotFoundException

    for backend in ensure_secrets_loaded():
        try:
            connection = backend.get_connection(conn_id=PSEUDONYM_CONN_ID)
        except Exception as exc:
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise ConfigError(
                f"Airflow connection '{PSEUDONYM_CONN_ID}' could not be read from "
                f"{type(backend).__name__} ({type(exc).__name__}: {reason}); fix Airflow's configuration "
                f"(AIRFLOW_HOME, the metadata database, the secrets backend) or set {PSEUDONYM_KEY_ENV}"
            ) from None
        if connection is not None:
            return str(connection.password) if connection.password else ""
    raise AirflowNotFoundException(PSEUDONYM_CONN_ID)


def ensure_demo_key(config: Config) -> Path | None:
    """Create the demo's key file (when the config names one) with a random key."""
    key_file = config.settings.paths.pseudonym_key_file
    if key_file is None:
        return None
    path = config.resolve(key_file)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(uuid.uuid4().hex + uuid.uuid4().hex + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint recorded in ops.pseudonym_key, None when none is recorded (or no table yet)."""
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'ops' and table_name = 'pseudonym_key'"
    ).fetchone()
    if not found or not found[0]:
        return None
    row = con.execute("select fingerprint from ops.pseudonym_key order by created_at desc limit 1").fetchone()
    return str(row[0]) if row else None


def check_fingerprint(con: duckdb.DuckDBPyConnection, key: ResolvedKey, where: Path) -> None:
    """Raise KeyMismatchError when the warehouse records another key's fingerprint; writes nothing."""
    stored = stored_fingerprint(con)
    if stored is not None and stored != key.fingerprint:
        raise KeyMismatchError(
            f"{where}: the warehouse's pseudonyms were made with the key of fingerprint {stored}, "
            f"but the key from {key.origin} has fingerprint {key.fingerprint}; resolve the warehouse's "
            f"key (check {PSEUDONYM_KEY_ENV} and the Airflow connection '{PSEUDONYM_CONN_ID}'), or "
            + ROTATE_HINT
        )


def record_fingerprint(con: duckdb.DuckDBPyConnection, key: ResolvedKey) -> None:
    """The first writer session records its key's fingerprint (ops.pseudonym_key must exist)."""
    if stored_fingerprint(con) is None:
        con.execute(
            "insert into ops.pseudonym_key values (?, ?, ?)",
            [key.fingerprint, dt.datetime.now(dt.UTC), None],
        )
