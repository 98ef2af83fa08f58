"""The API-mode half of the connector contract.

A connector that can pull from its service has a module `connectors/<name>/api.py` exposing:

    CONNECTION_FIELDS: str              # what its Airflow connection / environment variable must hold
    SECRET_REQUIRED: bool = True        # optional: False when the API can be read without a key
    Settings: type[ApiSettings]         # the keys its `api:` section takes (ApiSettings plus its own)
    def extract_api(settings: Settings, secret, window, context, http) -> ApiBatch

A source's `api:` section is validated against `Settings` when the config is loaded, so a missing
`property_id` or a misspelt key fails before any task runs, naming `sources.N.api.<key>`.

It fetches the records of `window` (resuming from `window.resume` when set) through the shared
`ApiSession`, parses every page with the same parser as file mode, and returns them with its new cursor
values. It never opens the warehouse and never reads secrets itself.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from civicpulse.connector_contract import ApiSettings
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession
from civicpulse.sources import ParseContext, ParsedRow
from civicpulse.state import Window


@dataclass
class ApiBatch:
    rows: list[ParsedRow] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)


class ApiConnector(Protocol):
    CONNECTION_FIELDS: str
    Settings: type[ApiSettings]

    def extract_api(
        self, settings: ApiSettings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
    ) -> ApiBatch: ...


def load_api_connector(name: str) -> ApiConnector:
    try:
        module = importlib.import_module(f"connectors.{name}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"connectors.{name}.api":
            raise
        raise ValueError(
            f"connector '{name}' has no API mode (no connectors/{name}/api.py); use mode: file"
        ) from None
    for attribute in ("CONNECTION_FIELDS", "Settings", "extract_api"):
        if not hasattr(module, attribute):
            raise ValueError(f"connectors/{name}/api.py does not define {attribute}")
    settings = module.Settings
    if not (isinstance(settings, type) and issubclass(settings, ApiSettings)):
        raise ValueError(f"connectors/{name}/api.py: Settings is not an ApiSettings model")
    return cast(ApiConnector, module)


def settings_type(name: str) -> type[ApiSettings]:
    """The connector's API `Settings` model; ValueError when it has no API mode."""
    from civicpulse.sources import load_connector

    load_connector(name)
    return load_api_connector(name).Settings
