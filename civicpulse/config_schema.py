"""The schema of civicpulse.yml (pydantic) and the validation of every source's connector sections.

Imported only when a configuration is validated (`civicpulse.config.load_config`, or the first use of
a setting beyond the warehouse path), so commands that need only the warehouse path start without
pydantic. Connectors are loaded by name, never imported here, and import nothing of the config.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from civicpulse.connector_contract import ApiSettings

UNMAPPED_SERVICE = "unmapped"
IDENTIFIER = r"^[a-z][a-z0-9_]{0,62}$"
# Matching patterns reach SQL as bound values and regular expressions; keep them to plain words.
PATTERN = re.compile(r"^[\w /.'&\-]{1,100}$", re.UNICODE)

Identifier = Annotated[str, Field(pattern=IDENTIFIER)]
ModelT = TypeVar("ModelT", bound=BaseModel)


class InvalidConfig(ValueError):
    """The configuration breaks the schema; the message lists each problem as `  - <key>: <problem>`."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceMatch(_Strict):
    path_prefixes: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    survey_ids: tuple[str, ...] = ()

    @field_validator("path_prefixes", "hashtags", "keywords", "queues", "survey_ids")
    @classmethod
    def _plain_patterns(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not PATTERN.match(value):
                raise ValueError(f"'{value}' may only contain letters, digits, spaces and / . ' & - _")
        return values

    def rules(self) -> list[tuple[str, str]]:
        return [
            *(("path_prefix", v) for v in self.path_prefixes),
            *(("hashtag", v.lower().lstrip("#")) for v in self.hashtags),
            *(("keyword", v.lower()) for v in self.keywords),
            *(("queue", v) for v in self.queues),
            *(("survey_id", v) for v in self.survey_ids),
        ]


class Service(_Strict):
    id: Identifier
    name: str
    department: str


class Source(_Strict):
    name: Identifier
    connector: Identifier
    mode: Literal["file", "api"]
    inbox: Path | None = None
    # The connector's API settings (its `Settings`, an ApiSettings), checked when the config is loaded.
    api: dict[str, Any] | None = None
    timezone: str | None = None
    service_map: dict[str, ServiceMatch] = Field(default_factory=dict)
    # The connector's parse options (its `Options` model), checked when the config is loaded.
    parse: dict[str, Any] | None = None
    # Loaded days in a row without any record after which the source counts as stale (civicpulse.freshness).
    stale_after_days: int = Field(default=2, ge=1)

    @field_validator("inbox", mode="before")
    @classmethod
    def _path(cls, value: object) -> object:
        return Path(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _mode_settings(self) -> Source:
        if self.mode == "file" and self.inbox is None:
            raise ValueError("mode 'file' needs inbox: the folder where the vendor exports are dropped")
        if self.mode == "api" and self.api is None:
            raise ValueError("mode 'api' needs an api: section (at least conn_id); see docs/connectors.md")
        return self


class Paths(_Strict):
    warehouse: Path
    landing: Path
    exports: Path
    report: Path
    pseudonym_key_file: Path | None = None

    @field_validator("warehouse", "landing", "exports", "report", "pseudonym_key_file", mode="before")
    @classmethod
    def _path(cls, value: object) -> object:
        return Path(value) if isinstance(value, str) else value


class Privacy(_Strict):
    """Redaction settings: organisation-specific account or case number formats (regular expressions).

    Each pattern is a Python regular expression matched case-insensitively on word boundaries, e.g.
    `RIV-\\d{6}` (case numbers) or `UB\\d{8}` (utility accounts); matches become [ACCOUNT]. Numbers
    introduced as an account, customer or member number are redacted without any pattern.
    """

    account_patterns: tuple[str, ...] = ()

    @field_validator("account_patterns")
    @classmethod
    def _compiles(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not 1 <= len(value) <= 200:
                raise ValueError(f"'{value[:40]}': a pattern is 1 to 200 characters long")
            try:
                compiled = re.compile(value)
            except re.error as exc:
                raise ValueError(f"'{value}' is not a valid regular expression: {exc}") from None
            if compiled.match(""):
                raise ValueError(f"'{value}' matches the empty string; it would redact nothing useful")
        return values


class Settings(_Strict):
    timezone: str = "UTC"
    paths: Paths
    themes: Path = Path("config/themes.yml")
    services: tuple[Service, ...]
    sources: tuple[Source, ...]
    privacy: Privacy = Field(default_factory=Privacy)
    # Neighbourhood, street and landmark names: never reported as emerging phrases (see
    # sql/marts/emerging_terms.sql); matched case-insensitively against each word of a term.
    place_names: tuple[str, ...] = ()
    # DuckDB threads of the writer (loads and builds). A night is many small models running beside the
    # sentiment and quality workers: on a 2-core host two threads cost about twice the SQL CPU for no
    # shorter wall time (measured at 30 and 365 days of history). Raise it for large backfills on a
    # host with cores to spare; results are the same at any count.
    writer_threads: int = Field(default=1, ge=1, le=1024)

    @field_validator("themes", mode="before")
    @classmethod
    def _path(cls, value: object) -> object:
        return Path(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        _check_timezone("timezone", self.timezone)
        service_ids = [s.id for s in self.services]
        _check_unique("services", service_ids)
        if UNMAPPED_SERVICE in service_ids:
            raise ValueError(f"services: '{UNMAPPED_SERVICE}' is reserved for records that match no service")
        _check_unique("sources", [s.name for s in self.sources])
        for index, source in enumerate(self.sources):
            if source.timezone:
                _check_timezone(f"sources.{index}.timezone", source.timezone)
            for service_id in source.service_map:
                if service_id not in service_ids:
                    raise ValueError(
                        f"sources.{index}.service_map.{service_id}: unknown service; "
                        f"declare it under services (known: {', '.join(service_ids)})"
                    )
        return self


def _check_unique(key: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{key}: '{value}' is declared twice")
        seen.add(value)


def _check_timezone(key: str, name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"{key}: unknown time zone '{name}' (use an IANA name like America/Chicago)"
        ) from exc


def validate_settings(data: dict[str, Any]) -> Settings:
    """The configuration checked against the schema; InvalidConfig lists every problem found."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise InvalidConfig(_describe(exc)) from None


@dataclass(frozen=True)
class ConnectorSections:
    """Each source's `parse:` and `api:` sections as the models its connector declares."""

    parse_options: dict[str, BaseModel]
    api_settings: dict[str, ApiSettings]


def validate_sections(settings: Settings) -> ConnectorSections:
    """Each source's connector sections checked (loading its connector by name); InvalidConfig names
    `sources.N.parse.<key>` or `sources.N.api.<key>`."""
    return ConnectorSections(_validated_parse_options(settings), _validated_api_settings(settings))


def _validated_parse_options(settings: Settings) -> dict[str, BaseModel]:
    """Each `parse:` section checked against its connector's `Options`; errors name sources.N.parse.<key>."""
    from civicpulse.sources import options_type  # loads connectors: only when validating

    def model_of(connector: str) -> type[BaseModel]:
        model = options_type(connector)
        if model is None:
            raise ValueError(f"connector '{connector}' takes no parse options; remove the parse: section")
        return model

    return _validated_sections(settings, "parse", model_of)


def _validated_api_settings(settings: Settings) -> dict[str, ApiSettings]:
    """Each `api:` section checked against its connector's `Settings`; errors name sources.N.api.<key>."""
    if all(source.api is None for source in settings.sources):
        return {}  # nothing to check: civicpulse.api and the HTTP stack it imports stay unloaded
    from civicpulse.api import settings_type  # loads connectors: only when validating

    return _validated_sections(settings, "api", settings_type)


def _validated_sections(
    settings: Settings,
    section: Literal["parse", "api"],
    model_of: Callable[[str], type[ModelT]],
) -> dict[str, ModelT]:
    """A connector-defined section of every source, validated against the model the connector declares."""
    from civicpulse.sources import load_connector

    validated: dict[str, ModelT] = {}
    problems: list[str] = []
    for index, source in enumerate(settings.sources):
        data = source.parse if section == "parse" else source.api
        if data is None:
            continue
        key = f"sources.{index}.{section}"
        try:
            load_connector(source.connector)
        except ValueError as exc:
            problems.append(f"  - sources.{index}.connector: {exc}")
            continue
        try:
            model = model_of(source.connector)
        except ValueError as exc:
            problems.append(f"  - {key}: {exc}")
            continue
        try:
            validated[source.name] = model.model_validate(data)
        except ValidationError as exc:
            problems.append(_describe(exc, prefix=key, model=model))
    if problems:
        raise InvalidConfig("\n".join(problems))
    return validated


def _describe(exc: ValidationError, prefix: str = "", model: type[BaseModel] | None = None) -> str:
    lines = []
    for error in exc.errors():
        parts = [prefix] if prefix else []
        key = ".".join([*parts, *(str(part) for part in error["loc"])]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (check its spelling and indentation)"
        elif error["type"] == "missing":
            message = "required key is missing"
            field = model.model_fields.get(str(error["loc"][0])) if model and error["loc"] else None
            if field is not None and field.description:
                message += f": {field.description}"
        lines.append(f"  - {key}: {message}")
    return "\n".join(lines)
