"""civicpulse.yml: warehouse and landing locations, services, and sources. Validated strictly at start-up."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from civicpulse.paths import DEFAULT_CONFIG

CONFIG_ENV = "CIVICPULSE_CONFIG"
UNMAPPED_SERVICE = "unmapped"
IDENTIFIER = r"^[a-z][a-z0-9_]{0,62}$"
# Matching patterns reach SQL as bound values and regular expressions; keep them to plain words.
PATTERN = re.compile(r"^[\w /.'&\-]{1,100}$", re.UNICODE)

Identifier = Annotated[str, Field(pattern=IDENTIFIER)]
ModelT = TypeVar("ModelT", bound=BaseModel)


class ConfigError(ValueError):
    """civicpulse.yml cannot be used; the message names the file, the key and the fix."""


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


Url = Annotated[str, Field(pattern=r"^https?://[^\s?#]+$")]
NumericId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]
SurveyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
QuestionId = Annotated[str, Field(pattern=r"^[\w.\-]{1,100}$")]
Measure = Literal["satisfaction", "trust", "ease", "comment"]
AnswerLabel = Annotated[str, Field(min_length=1, max_length=200)]


class ApiSettings(_Strict):
    """What every API-mode source's `api:` section may hold; a connector's `Settings` adds its own keys.

    Secrets never live here: `conn_id` names the Airflow connection (see docs/connectors.md).
    """

    conn_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]{1,100}$")]
    base_url: Url | None = None
    page_size: int = Field(default=100, ge=1, le=10_000)
    max_pages: int = Field(default=1_000, ge=1, le=100_000)
    max_attempts: int = Field(default=6, ge=1, le=20)
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    max_response_mb: float = Field(default=50.0, gt=0, le=4096)
    allow_cross_origin_redirects: bool = False


class SurveyApiSettings(ApiSettings):
    """Survey platforms: which surveys to pull and which questions carry the A-11 measures."""

    survey_ids: tuple[SurveyId, ...] = Field(min_length=1)
    question_ids: dict[Measure, QuestionId] = Field(default_factory=dict)
    answer_scores: dict[AnswerLabel, Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=dict)

    def mapping(self) -> SurveyMapping:
        return SurveyMapping({str(k): v for k, v in self.question_ids.items()}, dict(self.answer_scores))


@dataclass(frozen=True)
class SurveyMapping:
    """The questions read as satisfaction, trust, ease and comment, and the score (1-5) of an answer
    (its label or choice id); empty in file mode, where the export's own columns say it."""

    question_ids: dict[str, str] = field(default_factory=dict)
    answer_scores: dict[str, int] = field(default_factory=dict)


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


class Config:
    """Validated settings with every relative path resolved against the config file's folder."""

    def __init__(self, settings: Settings, path: Path) -> None:
        self.settings = settings
        self.path = path
        self.root = path.parent
        self._parse_options = _validated_parse_options(settings, path)
        self._api_settings = _validated_api_settings(settings, path)

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (self.root / path).resolve()

    def stale_after_days(self) -> dict[str, int]:
        return {source.name: source.stale_after_days for source in self.sources}

    @property
    def warehouse_path(self) -> Path:
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
        known = ", ".join(s.name for s in self.settings.sources)
        raise ConfigError(f"{self.path}: no source named '{name}' (configured: {known})")

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
        return self._parse_options.get(source.name)

    def api_settings(self, source: Source) -> ApiSettings:
        """The source's validated `api:` section as its connector's `Settings`."""
        settings = self._api_settings.get(source.name)
        if settings is None:
            raise ConfigError(f"{self.path}: source '{source.name}' has no api: section")
        return settings


def _validated_parse_options(settings: Settings, path: Path) -> dict[str, BaseModel]:
    """Each `parse:` section checked against its connector's `Options`; errors name sources.N.parse.<key>."""
    from civicpulse.sources import options_type  # connectors import this module: load them lazily

    def model_of(connector: str) -> type[BaseModel]:
        model = options_type(connector)
        if model is None:
            raise ValueError(f"connector '{connector}' takes no parse options; remove the parse: section")
        return model

    return _validated_sections(settings, path, "parse", model_of)


def _validated_api_settings(settings: Settings, path: Path) -> dict[str, ApiSettings]:
    """Each `api:` section checked against its connector's `Settings`; errors name sources.N.api.<key>."""
    from civicpulse.api import settings_type  # connectors import this module: load them lazily

    return _validated_sections(settings, path, "api", settings_type)


def _validated_sections(
    settings: Settings,
    path: Path,
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
        raise ConfigError(f"{path}: invalid configuration:\n" + "\n".join(problems))
    return validated


def config_path(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit).resolve()
    env = os.environ.get(CONFIG_ENV)
    return Path(env).resolve() if env else DEFAULT_CONFIG


def load_config(path: str | Path | None = None) -> Config:
    resolved = config_path(path)
    if not resolved.is_file():
        raise ConfigError(f"{resolved}: config file not found; pass --config or set {CONFIG_ENV}")
    try:
        data = yaml.safe_load(resolved.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{resolved}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{resolved}: expected a mapping at the top level")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{resolved}: invalid configuration:\n{_describe(exc)}") from None
    return Config(settings, resolved)


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
