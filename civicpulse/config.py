"""civicpulse.yml: warehouse and landing locations, services, and sources.

`load_config` validates the whole file at start-up (the schema in civicpulse.config_schema, each
source's connector sections included). `load_config(light=True)` reads the YAML only and validates on
first use: the schema (pydantic) when a setting beyond the warehouse path is read, each source's
`parse:` and `api:` sections (which load its connector) when they are. So `civicpulse sql` starts
without pydantic or any connector; `check-config`, `run` and the DAG tasks load it in full.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml

from civicpulse.paths import DEFAULT_CONFIG

if TYPE_CHECKING:
    from pydantic import BaseModel

    from civicpulse.config_schema import ConnectorSections
    from civicpulse.config_schema import Paths as Paths
    from civicpulse.config_schema import Privacy as Privacy
    from civicpulse.config_schema import Service as Service
    from civicpulse.config_schema import ServiceMatch as ServiceMatch
    from civicpulse.config_schema import Settings as Settings
    from civicpulse.config_schema import Source as Source
    from civicpulse.connector_contract import ApiSettings

CONFIG_ENV = "CIVICPULSE_CONFIG"
# Still importable from here (`from civicpulse.config import Source`); they load the schema on first use.
_SCHEMA_NAMES = frozenset({"Paths", "Privacy", "Service", "ServiceMatch", "Settings", "Source"})


def __getattr__(name: str) -> Any:
    if name in _SCHEMA_NAMES:
        from civicpulse import config_schema

        return getattr(config_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ConfigError(ValueError):
    """civicpulse.yml cannot be used; the message names the file, the key and the fix."""


def unknown_source(path: Path, name: str, known: Iterable[str]) -> ConfigError:
    """The error for a source name the configuration at `path` does not have."""
    return ConfigError(f"{path}: no source named '{name}' (configured: {', '.join(known)})")


class Config:
    """The settings of one config file, every relative path resolved against the file's folder.

    Validated in full at once, unless loaded with `light=True`: then each part on first use."""

    def __init__(self, data: dict[str, Any], path: Path) -> None:
        self.path = path
        self.root = path.parent
        self._data = data
        self._settings: Settings | None = None
        self._sections: ConnectorSections | None = None

    def validate(self) -> None:
        """Every setting checked, each source's connector sections included; ConfigError lists every
        problem with its key."""
        self._connector_sections()

    @property
    def settings(self) -> Settings:
        """The settings checked against the schema (connectors' own sections are checked on first use)."""
        if self._settings is None:
            from civicpulse.config_schema import InvalidConfig, validate_settings

            try:
                self._settings = validate_settings(self._data)
            except InvalidConfig as exc:
                raise ConfigError(f"{self.path}: invalid configuration:\n{exc}") from None
        return self._settings

    def _connector_sections(self) -> ConnectorSections:
        if self._sections is None:
            from civicpulse.config_schema import InvalidConfig, validate_sections

            settings = self.settings
            try:
                self._sections = validate_sections(settings)
            except InvalidConfig as exc:
                raise ConfigError(f"{self.path}: invalid configuration:\n{exc}") from None
        return self._sections

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (self.root / path).resolve()

    def stale_after_days(self) -> dict[str, int]:
        return {source.name: source.stale_after_days for source in self.sources}

    @property
    def warehouse_path(self) -> Path:
        if self._settings is None:
            paths = self._data.get("paths")
            warehouse = paths.get("warehouse") if isinstance(paths, dict) else None
            if isinstance(warehouse, str) and warehouse:
                return self.resolve(Path(warehouse))
        return self.resolve(self.settings.paths.warehouse)

    @property
    def landing_path(self) -> Path:
        return self.resolve(self.settings.paths.landing)

    @property
    def exports_path(self) -> Path:
        return self.resolve(self.settings.paths.exports)

    @property
    def report_path(self) -> Path:
        return self.resolve(self.settings.paths.report)

    @property
    def themes_path(self) -> Path:
        return self.resolve(self.settings.themes)

    @property
    def services(self) -> tuple[Service, ...]:
        return self.settings.services

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.settings.sources

    def source(self, name: str) -> Source:
        for source in self.settings.sources:
            if source.name == name:
                return source
        raise unknown_source(self.path, name, [s.name for s in self.settings.sources])

    def inbox(self, source: Source) -> Path:
        if source.inbox is None:
            raise ConfigError(
                f"{self.path}: source '{source.name}' is in {source.mode} mode and has no inbox"
            )
        return self.resolve(source.inbox)

    def timezone(self, source: Source) -> ZoneInfo:
        return ZoneInfo(source.timezone or self.settings.timezone)

    def parse_options(self, source: Source) -> BaseModel | None:
        """The source's validated `parse:` options (its connector's `Options`), or None when it sets none."""
        return self._connector_sections().parse_options.get(source.name)

    def api_settings(self, source: Source) -> ApiSettings:
        """The source's validated `api:` section as its connector's `Settings`."""
        settings = self._connector_sections().api_settings.get(source.name)
        if settings is None:
            raise ConfigError(f"{self.path}: source '{source.name}' has no api: section")
        return settings


def config_path(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit).resolve()
    env = os.environ.get(CONFIG_ENV)
    return Path(env).resolve() if env else DEFAULT_CONFIG


def load_config(path: str | Path | None = None, *, light: bool = False) -> Config:
    """The config file read and validated; with `light`, read only: validated on first use of a setting
    beyond the warehouse path (for commands that need nothing else)."""
    resolved = config_path(path)
    if not resolved.is_file():
        raise ConfigError(f"{resolved}: config file not found; pass --config or set {CONFIG_ENV}")
    try:
        data = yaml.safe_load(resolved.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{resolved}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{resolved}: expected a mapping at the top level")
    config = Config(data, resolved)
    if not light:
        config.validate()
    return config
