"""A source's API secret: from an environment variable (CLI) or its Airflow Connection (inside a task).

CIVICPULSE_<SOURCE>_TOKEN holds the token, API key or password; CIVICPULSE_<SOURCE>_LOGIN the user name or
e-mail where the API needs one. In Airflow, the connection `api.conn_id` gives `password` and `login`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from civicpulse.http import Credentials, CredentialsError

if TYPE_CHECKING:
    from civicpulse.config_schema import Source

AIRFLOW_TASK_ENV = "AIRFLOW_CTX_DAG_ID"


@dataclass(frozen=True)
class Secret:
    token: str = field(repr=False)
    login: str | None = field(default=None, repr=False)


def env_names(source_name: str) -> tuple[str, str]:
    prefix = f"CIVICPULSE_{source_name.upper()}"
    return f"{prefix}_TOKEN", f"{prefix}_LOGIN"


def credentials_of(source: Source, conn_id: str, fields: str) -> Credentials:
    return Credentials(conn_id=conn_id, env_var=env_names(source.name)[0], fields=fields)


def resolve_secret(source: Source, conn_id: str, fields: str, *, required: bool = True) -> Secret:
    token_env, login_env = env_names(source.name)
    token = os.environ.get(token_env)
    if token:
        return Secret(token, os.environ.get(login_env) or None)
    where = credentials_of(source, conn_id, fields)
    if os.environ.get(AIRFLOW_TASK_ENV):
        from airflow.sdk import Connection

        try:
            connection = Connection.get(where.conn_id)
        except Exception as exc:  # the SDK raises its own not-found error types
            if not required:
                return Secret("")
            raise CredentialsError(
                f"{source.name}: the Airflow connection '{where.conn_id}' cannot be read ({exc}); "
                f"create it with {fields}"
            ) from None
        if connection.password or not required:
            return Secret(str(connection.password or ""), connection.login or None)
    if not required:
        return Secret("")
    raise CredentialsError(
        f"{source.name}: no credentials; set the environment variable {token_env} (CLI) "
        f"or the password of the Airflow connection '{where.conn_id}' ({fields})"
    )
