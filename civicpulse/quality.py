"""Data quality: the Great Expectations suites in quality/suites/ run on landing files and warehouse layers.

Two entry points, both plain functions:

* `check_landing(config, source, start, end)` runs in the extract task, after landing is written. It
  reads the landing Parquet of [start, end) (never the warehouse), validates each stream against
  `quality/suites/landing.<stream>.json`, writes the results beside the landing folders
  (`<landing>/<source>/_quality/<start>_<end>.json`, picked up into `ops.dq_results` by the next
  `check_layers`) and builds the source's Data Docs. On a critical failure the interval's landing
  folders are held back (their manifest is renamed, so the writer keeps what it loaded before) and
  `QualityError` names the expectation, the files and how many rows failed.
* `check_layers(con, config, run_id)` runs in the build task, after the models are built, on the
  writer connection: every `staging.*`, `core.*` and `marts.*` suite, results into `ops.dq_results`
  with the run id (landing results with the load ids of the partitions they checked), Data Docs, and
  `QualityError` on a critical failure. Warnings are logged and recorded, never raised.

In `civicpulse run` the GX work happens in the run's quality worker (civicpulse/quality_worker.py):
it runs `validate_landing` (the landing check without its report and Data Docs), and `check_layers`
hands it each table read here (its `checker`; `LOCAL`, this process's GX context, elsewhere).

Each expectation carries Great Expectations' own `severity` ("critical" or "warning"). Suites may
use `{"$PARAMETER": name}` for values known only at run time: `latest_timestamp` and `latest_day`
(now plus `FUTURE_TOLERANCE`), `known_services` (core.dim_service), `known_queues` and
`known_survey_ids` (the source's service map; an expectation whose parameter is unknown is skipped).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import sys
import types
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from civicpulse.config import Config, unknown_source
from civicpulse.datadocs import DocsEntry, make_offline, write_index
from civicpulse.paths import PROJECT_ROOT

if TYPE_CHECKING:  # the quality worker never touches the warehouse: no DuckDB import there
    import duckdb

log = logging.getLogger(__name__)

SUITES_DIR = PROJECT_ROOT / "quality" / "suites"
FUTURE_TOLERANCE = dt.timedelta(days=1)
LANDING_RESULTS = "_quality"
REJECTED_MANIFEST = "_manifest.rejected.json"
DATA_DOCS = "data-docs"
DOCS_RESULTS = ".data-docs-results"
LAYERS = ("staging", "core", "marts")
CRITICAL = "critical"
_TABLE = re.compile(r"^(staging|core|marts)\.[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class CheckResult:
    """One expectation's outcome on one dataset: a row of ops.dq_results."""

    check_id: str
    run_id: str
    layer: str
    suite: str
    dataset: str
    source: str | None
    partition_start: str | None
    partition_end: str | None
    expectation: str
    column_name: str | None
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    observed_value: str | None
    checked_at: str

    def describe(self) -> str:
        if self.unexpected_count is not None:
            rows = f"{self.unexpected_count:,} of {self.element_count or 0:,} rows fail"
        else:
            rows = f"observed {self.observed_value}" if self.observed_value else "failed"
        return f"{self.severity} expectation {self.expectation} failed on {self.dataset}: {rows}"


class QualityError(RuntimeError):
    """A critical expectation failed; the message names the expectation, the dataset and the rows."""

    def __init__(self, failures: Sequence[CheckResult], consequence: str) -> None:
        lines = "\n".join(f"  - {failure.describe()}" for failure in failures)
        super().__init__(f"{len(failures)} critical data-quality check(s) failed; {consequence}:\n{lines}")
        self.failures = tuple(failures)


@cache
def load_suite(name: str) -> dict[str, Any]:
    path = SUITES_DIR / f"{name}.json"
    suite: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if suite.get("name") != name:
        raise ValueError(f"{path}: suite name {suite.get('name')!r} does not match the file name")
    return suite


def suite_names(prefix: str) -> list[str]:
    return sorted(path.stem for path in SUITES_DIR.glob(f"{prefix}.*.json"))


# ---------------------------------------------------------------------------------------------------
# Great Expectations


class _Validator:
    """The process's ephemeral GX context (in-memory stores, no analytics): validates and builds docs.

    Importing GX and creating a context cost seconds, so there is one per process (`_validator()`),
    shared by every check. Each validation's suite, asset and result are removed from the context
    once run; the result is kept on disk for the Data Docs instead (`_write_record`).
    """

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        _defer_scipy_stats()
        for name in _DEFERRED:
            _defer_module(name)
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        project = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
            data_docs_sites={},
        )
        self._gx = gx
        self._context = gx.get_context(mode="ephemeral", project_config=project)
        # Each change to an asset, a validation definition or a docs site saves the context's config:
        # for an ephemeral context, YAML written into a store of its own that nothing reads (~70 saves,
        # ~0.15 CPU-s, a run). This context's config lives in this process only.
        self._context.__dict__["_save_project_config"] = _kept_in_memory
        _configuration_once_per_call()
        self._datasource = self._context.data_sources.add_pandas("civicpulse")

    def validate(
        self, suite_spec: Mapping[str, Any], name: str, table: pa.Table, parameters: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Run the suite on the table under the GX name `name`: the outcomes and the docs record."""
        from great_expectations.core.expectation_suite import ExpectationSuite

        frame = _to_frame(table, _type_checked(suite_spec))
        parameters = _gx_parameters(parameters)

        spec = dict(suite_spec)
        spec["name"] = name
        spec["expectations"] = [e for e in suite_spec["expectations"] if _parameters_known(e, parameters)]
        context = self._context
        suite = context.suites.add(ExpectationSuite(**spec))
        data_asset = self._datasource.add_dataframe_asset(name)
        try:
            batch = data_asset.add_batch_definition_whole_dataframe("all rows")
            definition = context.validation_definitions.add(
                self._gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
            try:
                result = definition.run(
                    batch_parameters={"dataframe": frame},
                    expectation_parameters=dict(parameters),
                    result_format="BASIC",
                )
            finally:
                context.validation_definitions.delete(name)
        finally:
            self._datasource.delete_asset(name)
            context.suites.delete(name)
        store: Any = context.validation_results_store  # GX's stores are untyped
        keys = [key for key in store.list_keys() if key.expectation_suite_identifier.name == name]
        stored = store.store_backend.get(store.key_to_tuple(keys[-1]))  # serialised by the run
        for key in keys:
            store.remove_key(key)
        record = {"name": name, "key": list(keys[-1].to_tuple()), "suite": spec, "result": json.loads(stored)}
        outcomes = []
        for item in result.results:
            config = item.expectation_config
            if config is None:
                continue
            details = item.result or {}
            raised = (item.exception_info or {}).get("raised_exception")
            outcomes.append(
                {
                    "type": config.type,
                    "kwargs": dict(config.kwargs),
                    "severity": str(getattr(config.severity, "value", config.severity) or CRITICAL),
                    "success": bool(item.success),
                    "element_count": details.get("element_count"),
                    "unexpected_count": details.get("unexpected_count"),
                    "observed_value": details.get("observed_value"),
                    "exception": (item.exception_info or {}).get("exception_message") if raised else None,
                }
            )
        return outcomes, record

    def build_docs(
        self, records: Sequence[Mapping[str, Any]], suites: Sequence[Mapping[str, Any]], site: Path
    ) -> None:
        """Render the validation pages of `records` and the expectation pages of `suites` (suite specs)
        into `site`, with GX's static files; GX's own index is not built (`write_index` replaces it)."""
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier

        context = self._context
        store: Any = context.validation_results_store
        identifier: Any = ValidationResultIdentifier
        keys = [identifier.from_tuple(tuple(record["key"])) for record in records]
        for record, key in zip(records, keys, strict=True):
            # As the store keeps it (the serialised result): not loaded and serialised again first.
            store.store_backend.set(store.key_to_tuple(key), json.dumps(record["result"]))
        for suite in suites:
            context.suites.add(ExpectationSuite(**suite))
        site_config: Any = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
        context.add_data_docs_site("civicpulse", site_config)
        try:
            context.build_data_docs(site_names=["civicpulse"], build_index=False)
        finally:
            context.delete_data_docs_site("civicpulse")
            for key in keys:
                store.remove_key(key)
            for suite in suites:
                context.suites.delete(suite["name"])


@cache
def _validator() -> _Validator:
    # GX's import creates ~380,000 objects the collector tracks, all but ~3,000 of them for good:
    # its ~650 collections meanwhile find next to nothing and cost ~0.3-0.5 CPU-s.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with _slotted_field_copies():
            return _Validator()
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _slotted_field_copies() -> Iterator[None]:
    """Deep copies of pydantic v1's `ModelField`, `FieldInfo` and class `Validator` made attribute by
    attribute, while GX is imported and its context built.

    pydantic v1 deep-copies every field of a model's bases into each subclass it creates, and GX
    declares hundreds of them (every expectation, datasource and asset class): ~10% of the worker's
    CPU. These classes keep their state in `__slots__`, which `copy.deepcopy` copies through
    `__reduce_ex__`, a state tuple and dict copied in turn, and `copy._reconstruct`; this copier sets
    the same slots, in the same order, to the same deep copies (a test compares them on every field
    of every GX model)."""
    import copy
    import copyreg

    from pydantic.v1.class_validators import Validator
    from pydantic.v1.fields import FieldInfo, ModelField

    slot_names = vars(copyreg)["_slotnames"]
    deep_copy = copy.deepcopy

    def copy_slots(original: Any, memo: dict[int, Any]) -> Any:
        kind: Any = type(original)
        copied = kind.__new__(kind)
        memo[id(original)] = copied
        for name in slot_names(kind):
            try:
                value = getattr(original, name)
            except AttributeError:  # never set: deepcopy leaves it unset too
                continue
            object.__setattr__(copied, name, deep_copy(value, memo))
        return copied

    dispatch: dict[type, Any] = vars(copy)["_deepcopy_dispatch"]
    kinds: tuple[type, ...] = (ModelField, FieldInfo, Validator)
    before = {kind: dispatch[kind] for kind in kinds if kind in dispatch}
    dispatch.update(dict.fromkeys(kinds, copy_slots))
    try:
        yield
    finally:
        for kind in kinds:
            dispatch.pop(kind, None)
        dispatch.update(before)


def _kept_in_memory() -> None:
    """The ephemeral context's `_save_project_config`: its config is the one in memory already."""


@cache
def _configuration_once_per_call() -> dict[str, Any]:
    """GX's `Expectation._get_domain_kwargs`, `_get_success_kwargs` and `_get_runtime_kwargs`, each
    building the expectation's `configuration` once instead of once per key.

    `Expectation.configuration` is a property that rebuilds the configuration from the model (pydantic's
    `dict()`) on every read, and these three read it once for every domain, success and runtime key:
    ~16 builds for each of the ~2,000 calls of a run (metric dependencies, validation). The results
    are the same (`test_expectation_kwargs_as_gx_builds_them`); great-expectations is pinned. Returns
    GX's own three."""
    from great_expectations.expectations import expectation as module
    from great_expectations.expectations.expectation_configuration import parse_result_format

    def kwarg(expectation: Any, kwargs: Mapping[str, Any], key: str) -> Any:
        """`Expectation._get_success_kwarg`, on the configuration's kwargs."""
        if key in kwargs:
            return kwargs[key]
        field = expectation.__fields__.get(key)
        if field is not None:
            return field.default if not field.required else None
        module.logger.warning(
            f'_get_success_kwarg called with key "{key}", '
            f"but it is not a known field of {type(expectation).__name__}"
        )
        return None

    def success_kwargs(expectation: Any, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        default = expectation._get_default_value
        domain = {key: kwargs.get(key, default(key)) for key in expectation.domain_keys}
        success = {key: kwargs.get(key, default(key)) for key in expectation.success_keys}
        success.update(domain)
        return success

    def get_domain_kwargs(self: Any) -> dict[str, Any]:
        kwargs = self.configuration.kwargs
        return {key: kwargs.get(key, self._get_default_value(key)) for key in self.domain_keys}

    def get_success_kwargs(self: Any) -> dict[str, Any]:
        return success_kwargs(self, self.configuration.kwargs)

    def get_runtime_kwargs(self: Any, runtime_configuration: dict[str, Any] | None = None) -> dict[str, Any]:
        runtime_configuration = runtime_configuration or {}
        kwargs = self.configuration.kwargs
        success = success_kwargs(self, kwargs)
        runtime = {key: runtime_configuration.get(key, kwarg(self, kwargs, key)) for key in self.runtime_keys}
        runtime.update(success)
        runtime["result_format"] = parse_result_format(runtime["result_format"])
        return runtime

    replaced = {
        "_get_domain_kwargs": get_domain_kwargs,
        "_get_success_kwargs": get_success_kwargs,
        "_get_runtime_kwargs": get_runtime_kwargs,
    }
    originals = {name: getattr(module.Expectation, name) for name in replaced}
    for name, method in replaced.items():
        setattr(module.Expectation, name, method)
    return originals


def _defer_scipy_stats() -> None:
    """Make `scipy.stats` load on its first use instead of at GX's import.

    Three GX modules (the KL-divergence expectation, two KS-test metrics) run `from scipy import stats`
    at import, which loads scipy.stats, sparse, spatial, optimize and ndimage: a third of GX's import
    CPU, for expectations no suite here uses. With the module set lazily on the `scipy` package, that
    statement binds it unloaded; the first attribute GX reads from it loads it whole, as before.
    (`import scipy.stats`, unlike `from scipy import stats`, still loads it at once: it reads the
    module's `__spec__`.)"""
    if "scipy.stats" in sys.modules:
        return
    try:
        import scipy
    except ImportError:  # GX then fails its own import as it would have
        return
    spec = importlib.util.find_spec("scipy.stats")
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scipy.stats"] = module
    spec.loader.exec_module(module)
    scipy.stats = module


# Imported at GX's import by modules that use them only when called: altair by the KL-divergence
# expectation's chart renderer (with jsonschema and narwhals, ~0.25 CPU-s), requests by the checkpoint
# actions that post to Slack, Teams and the like (with urllib3, ~0.1 CPU-s). No suite here uses either.
_DEFERRED = ("altair", "jsonschema")


def _defer_module(name: str) -> None:
    """Make `import name` bind a stand-in (`_StandIn`) that imports the module on its first use.

    `importlib.util.LazyLoader` cannot do this for a plain `import name`: the import statement reads
    the module's `__spec__`, which loads a lazy module at once. The stand-in has its own `__spec__`
    (the real module's, not initialising), so the statement binds it unread."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:  # not installed: GX fails or falls back as it would have
        return
    stand_in = _StandIn(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in


class _StandIn(types.ModuleType):
    """Any attribute it does not have (`alt.Chart`, `__path__` for a submodule's import) imports the
    real module, which then replaces the stand-in in `sys.modules`, and is read from it."""

    def __getattr__(self, attribute: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


def _parameters_known(expectation: Mapping[str, Any], parameters: Mapping[str, Any]) -> bool:
    for value in expectation.get("kwargs", {}).values():
        if isinstance(value, dict) and "$PARAMETER" in value:
            known = parameters.get(value["$PARAMETER"])
            if known is None or (isinstance(known, list | tuple) and not known):
                return False
    return True


_TYPE_EXPECTATIONS = {"expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"}


def _type_checked(suite_spec: Mapping[str, Any]) -> set[str]:
    return {e["kwargs"]["column"] for e in suite_spec["expectations"] if e["type"] in _TYPE_EXPECTATIONS}


def _to_frame(table: pa.Table, type_checked: set[str]) -> Any:
    """The table as pandas with Arrow dtypes (what the type expectations check), except numbers and
    timestamps whose type no expectation checks: those get NumPy dtypes, for which GX compares a whole
    column at once (on Arrow dtypes `expect_column_values_to_be_between` calls Python per value)."""
    import pandas as pd  # type: ignore[import-untyped]

    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    for name, field in zip(table.column_names, table.schema, strict=True):
        kind = field.type
        numeric = pa.types.is_integer(kind) or pa.types.is_floating(kind)
        if name not in type_checked and (numeric or pa.types.is_timestamp(kind)):
            frame[name] = table.column(name).to_pandas()
    return frame


def _time_parameters(now: dt.datetime | None = None) -> dict[str, Any]:
    latest = (now or dt.datetime.now(dt.UTC)) + FUTURE_TOLERANCE
    return {"latest_timestamp": latest, "latest_day": latest.date()}


def _gx_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Timestamps as pandas compares them with the frame's columns (kept plain until then, so that a
    process handing checks to the quality worker never imports pandas)."""
    import pandas as pd

    return {
        key: pd.Timestamp(value) if isinstance(value, dt.datetime) else value
        for key, value in parameters.items()
    }


def _results(
    outcomes: Iterable[Mapping[str, Any]],
    *,
    check_id: str,
    run_id: str,
    layer: str,
    suite: str,
    dataset: str,
    source: str | None = None,
    partition: tuple[dt.date, dt.date] | None = None,
) -> list[CheckResult]:
    checked_at = dt.datetime.now(dt.UTC).isoformat()
    results = []
    for outcome in outcomes:
        kwargs = outcome["kwargs"]
        column = kwargs.get("column") or (
            f"{kwargs['column_A']},{kwargs['column_B']}" if "column_A" in kwargs else None
        )
        if column is None and "column_list" in kwargs:
            column = ",".join(kwargs["column_list"])
        observed = outcome.get("observed_value")
        if outcome.get("exception"):
            observed = f"error: {outcome['exception']}"
        results.append(
            CheckResult(
                check_id=check_id,
                run_id=run_id,
                layer=layer,
                suite=suite,
                dataset=dataset,
                source=source,
                partition_start=partition[0].isoformat() if partition else None,
                partition_end=partition[1].isoformat() if partition else None,
                expectation=f"{outcome['type']}({column})" if column else str(outcome["type"]),
                column_name=column,
                severity=outcome["severity"],
                success=bool(outcome["success"]),
                element_count=_int(outcome.get("element_count")),
                unexpected_count=_int(outcome.get("unexpected_count")),
                observed_value=None if observed is None else str(observed)[:500],
                checked_at=checked_at,
            )
        )
    return results


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _report(results: Sequence[CheckResult], consequence: str) -> None:
    for result in results:
        if not result.success and result.severity != CRITICAL:
            log.warning("data quality: %s", result.describe())
    failures = [r for r in results if not r.success and r.severity == CRITICAL]
    if failures:
        raise QualityError(failures, consequence)


# ---------------------------------------------------------------------------------------------------
# Landing


class Checker(Protocol):
    """Where suites run: in this process (`LOCAL`), or in `civicpulse run`'s quality worker."""

    def validate(
        self, suite_spec: Mapping[str, Any], name: str, table: pa.Table, parameters: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]: ...

    def build_docs(self, config: Config | CheckSettings) -> Path: ...


class _InProcess:
    def validate(
        self, suite_spec: Mapping[str, Any], name: str, table: pa.Table, parameters: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return _validator().validate(suite_spec, name, table, parameters)

    def build_docs(self, config: Config | CheckSettings) -> Path:
        return build_data_docs(config)


LOCAL: Checker = _InProcess()


@dataclass(frozen=True)
class LandingCheck:
    """The outcome of one source's landing check, before it is reported (`raise_failures`)."""

    source: str
    results: list[CheckResult]
    consequence: str

    @property
    def failed(self) -> bool:
        return any(not r.success and r.severity == CRITICAL for r in self.results)

    def raise_failures(self) -> list[CheckResult]:
        """Log the warnings; QualityError on a critical failure."""
        _report(self.results, self.consequence)
        return self.results


def check_landing(
    config: Config, source: str, start: dt.date, end: dt.date, *, now: dt.datetime | None = None
) -> list[CheckResult]:
    """Validate the landed streams of `source` for [start, end); see the module docstring."""
    checked = validate_landing(config, source, start, end, now=now)
    if checked.failed:
        # The run stops for this source: show the failure in the Data Docs now.
        build_data_docs(config)
    return checked.raise_failures()


@dataclass(frozen=True)
class CheckSettings:
    """What the landing checks and the Data Docs read of the config. The quality worker is handed this,
    not the `Config`, whose unpickling imports pydantic, the config schema and the connectors'
    settings models (~0.1 CPU-s, once per worker)."""

    path: Path
    landing_path: Path
    report_path: Path
    # Per source, the queues and survey ids its service map knows: (kind, pattern), kind "queue" or
    # "survey_id".
    service_rules: Mapping[str, tuple[tuple[str, str], ...]]

    @classmethod
    def of(cls, config: Config | CheckSettings) -> CheckSettings:
        if isinstance(config, CheckSettings):
            return config
        rules = {
            source.name: tuple(
                rule
                for match in source.service_map.values()
                for rule in match.rules()
                if rule[0] in ("queue", "survey_id")
            )
            for source in config.sources
        }
        return cls(config.path, config.landing_path, config.report_path, rules)

    def known(self, source: str, kind: str) -> list[str]:
        """The source's patterns of `kind`; ConfigError, as `Config.source`, for an unknown source."""
        if source not in self.service_rules:
            raise unknown_source(self.path, source, self.service_rules)
        return [pattern for rule_kind, pattern in self.service_rules[source] if rule_kind == kind]


@dataclass(frozen=True)
class Landed:
    """The complete day folders of a source's interval, and each stream's files in them."""

    folders: list[Path]
    streams: dict[str, list[Path]]


def landed(config: Config | CheckSettings, source: str, start: dt.date, end: dt.date) -> Landed:
    """What `validate_landing` checks. `civicpulse run` reads it in its own process, where the landing
    module is loaded anyway: the quality worker never imports it (nor, through it, the redaction
    patterns, ~0.15 CPU-s)."""
    from civicpulse.landing import Manifest, complete_days

    folders = complete_days(config.landing_path, source, start, end)
    streams: dict[str, list[Path]] = {}
    for folder in folders:
        for stream in Manifest.read(folder).streams:
            streams.setdefault(stream, []).append(folder / f"{stream}.parquet")
    return Landed(folders, streams)


def validate_landing(
    config: Config | CheckSettings,
    source: str,
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
    files: Landed | None = None,
) -> LandingCheck:
    """`check_landing` without its Data Docs and its report: results recorded beside landing and the
    folders held back on a critical failure. The quality worker runs this (with `files` read by the
    run, `landed`); the caller reports."""
    settings = CheckSettings.of(config)
    parameters: dict[str, Any] = _time_parameters(now)
    parameters["known_queues"] = settings.known(source, "queue")
    parameters["known_survey_ids"] = settings.known(source, "survey_id")
    files = files or landed(settings, source, start, end)
    check_id = f"landing:{source}:{start}:{end}:{uuid.uuid4().hex[:8]}"
    validator = _validator()
    results: list[CheckResult] = []
    for stream, paths in sorted(files.streams.items()):
        dataset = _landing_dataset(settings, source, stream, start, end)
        name = f"landing.{source}.{stream}"
        outcomes, record = validator.validate(landing_suite(stream), name, read_landed(paths), parameters)
        _write_record(settings, record, layer="landing", source=source, dataset=dataset)
        results += _results(
            outcomes,
            check_id=check_id,
            run_id=check_id,
            layer="landing",
            suite=f"landing.{stream}",
            dataset=dataset,
            source=source,
            partition=(start, end),
        )
    _write_json(settings.landing_path / source / LANDING_RESULTS / f"{start}_{end}.json", results)
    checked = LandingCheck(
        source,
        results,
        f"the {len(files.folders)} landing folder(s) of {source} for {start}..{end} were held back "
        "(the warehouse keeps what it loaded before); fix the export and re-run the extract",
    )
    if checked.failed:
        from civicpulse.landing import MANIFEST

        for folder in files.folders:
            os.replace(folder / MANIFEST, folder / REJECTED_MANIFEST)
    return checked


def read_landed(paths: Sequence[Path]) -> pa.Table:
    """A stream's landing files as one table. Each file is read by `ParquetFile` on this thread: the
    same table as `pq.read_table`, without its dataset discovery and thread pool (a third of the CPU
    on a month of days)."""
    tables = []
    for path in paths:
        with pq.ParquetFile(path) as file:
            tables.append(file.read(use_threads=False))
    return pa.concat_tables(tables, promote_options="permissive")


_PYTHON_TYPES = {
    "string": "str",
    "int64": "int",
    "float64": "float",
    "bool": "bool",
    "date": "date",
    "timestamp": "datetime",
    "list<string>": "list",
}


def landing_suite(stream_name: str) -> dict[str, Any]:
    """The stream's suite from quality/suites/, or (for a stream added without one) the checks its
    schema implies: columns, types, required values, time not in the future."""
    if (SUITES_DIR / f"landing.{stream_name}.json").is_file():
        return load_suite(f"landing.{stream_name}")
    log.warning("no suite quality/suites/landing.%s.json: checking the schema only", stream_name)
    return schema_suite(stream_name)


def schema_suite(stream_name: str) -> dict[str, Any]:
    from civicpulse.streams import POINTER_COLUMNS, get_stream

    stream = get_stream(stream_name)
    columns = [*stream.column_names, *(name for name, _ in POINTER_COLUMNS)]
    expectations: list[dict[str, Any]] = [
        {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": columns, "exact_match": True}},
        *(
            {
                "type": "expect_column_values_to_be_of_type",
                "kwargs": {"column": c.name, "type_": _PYTHON_TYPES[c.type]},
            }
            for c in stream.columns
        ),
        *(
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c.name}}
            for c in stream.columns
            if c.required
        ),
    ]
    time_type = next(c.type for c in stream.columns if c.name == stream.time_column)
    latest = "latest_day" if time_type == "date" else "latest_timestamp"
    expectations.append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": stream.time_column, "max_value": {"$PARAMETER": latest}},
        }
    )
    return {
        "name": f"landing.{stream_name}",
        "meta": {"layer": "landing", "stream": stream_name},
        "expectations": expectations,
    }


def _landing_dataset(config: CheckSettings, source: str, stream: str, start: dt.date, end: dt.date) -> str:
    last = end - dt.timedelta(days=1)
    days = f"day={start}" if last == start else f"day={start}..day={last}"
    return f"{config.landing_path / source}/{days}/{stream}.parquet"


def _write_json(path: Path, results: Sequence[CheckResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temp.write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")
    os.replace(temp, path)


# ---------------------------------------------------------------------------------------------------
# Warehouse layers


def check_layers(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    run_id: str | None = None,
    *,
    now: dt.datetime | None = None,
    checker: Checker = LOCAL,
) -> list[CheckResult]:
    """Validate staging, core and marts on the writer connection; see the module docstring. The
    tables are read here; `checker` runs the suites (in this process, or in the quality worker)."""
    run_id = run_id or _latest_model_run(con) or uuid.uuid4().hex[:12]
    ingest_landing_results(con, config)
    parameters: dict[str, Any] = _time_parameters(now)
    parameters["known_services"] = [
        row[0] for row in con.execute("select service_id from core.dim_service").fetchall()
    ]
    results: list[CheckResult] = []
    for layer in LAYERS:
        for name in suite_names(layer):
            suite = load_suite(name)
            table = str(suite["meta"].get("table", name))
            if not _TABLE.match(table):
                raise ValueError(f"{SUITES_DIR / name}.json: meta.table {table!r} is not a layer table")
            check_id = f"{name}:{run_id}"
            outcomes, record = checker.validate(suite, name, _layer_table(con, suite, table), parameters)
            _write_record(config, record, layer=layer, source=None, dataset=table)
            results += _results(
                outcomes, check_id=check_id, run_id=run_id, layer=layer, suite=name, dataset=table
            )
    con.execute("delete from ops.dq_results where run_id = ? and layer <> 'landing'", [run_id])
    _insert(con, results, load_ids=None)
    if any(not r.success and r.severity == CRITICAL for r in results):
        checker.build_docs(config)  # the build stops here: show the failure in the Data Docs now
    _report(results, "the tables were built but should not be used until this is fixed")
    return results


def _latest_model_run(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("select run_id from ops.model_runs order by finished_at desc limit 1").fetchone()
    return str(row[0]) if row else None


def _layer_table(con: duckdb.DuckDBPyConnection, suite: Mapping[str, Any], table: str) -> pa.Table:
    query = suite["meta"].get("query")
    if not query:
        # Only the columns the suite looks at: the texts of a large fact table are never read.
        columns = sorted(_columns(suite))
        quoted = ", ".join(f'"{c}"' for c in columns if re.fullmatch(r"[a-z_][a-z0-9_]*", c)) or "*"
        query = f"select {quoted} from {table}"  # table validated by _TABLE, columns by the regex
    return con.sql(query).to_arrow_table()


def _columns(suite: Mapping[str, Any]) -> set[str]:
    columns: set[str] = set()
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        for key in ("column", "column_A", "column_B"):
            if key in kwargs:
                columns.add(kwargs[key])
        columns.update(kwargs.get("column_list", []))
    return columns


def ingest_landing_results(con: duckdb.DuckDBPyConnection, config: Config) -> int:
    """Record the landing checks written by extract tasks, with the load ids of the days they checked."""
    count = 0
    for path in sorted(config.landing_path.glob(f"*/{LANDING_RESULTS}/*.json")):
        results = [CheckResult(**item) for item in json.loads(path.read_text(encoding="utf-8"))]
        if results:
            first = results[0]
            load_ids = [
                row[0]
                for row in con.execute(
                    """
                    select load_id from ops.loads
                    where source = ? and partition_day >= ? and partition_day < ?
                    qualify row_number() over (partition by partition_day order by loaded_at desc) = 1
                    order by partition_day
                    """,
                    [first.source, first.partition_start, first.partition_end],
                ).fetchall()
            ]
            con.execute("delete from ops.dq_results where check_id = ?", [first.check_id])
            _insert(con, results, load_ids=load_ids)
            count += len(results)
        done = path.parent / "recorded"
        done.mkdir(exist_ok=True)
        os.replace(path, done / path.name)
    return count


def _insert(
    con: duckdb.DuckDBPyConnection, results: Sequence[CheckResult], load_ids: list[str] | None
) -> None:
    """One insert for all the results (an `executemany` costs a statement per row)."""
    if not results:
        return
    rows = [asdict(r) for r in results]
    columns = {name: [row[name] for row in rows] for name in rows[0]}
    types = {"success": pa.bool_(), "element_count": pa.int64(), "unexpected_count": pa.int64()}
    table = pa.table(
        {
            **{name: pa.array(values, types.get(name, pa.string())) for name, values in columns.items()},
            "load_ids": pa.array([load_ids] * len(rows), pa.list_(pa.string())),
        }
    )
    con.register("_civicpulse_dq_rows", table)
    try:
        con.execute(
            """
            insert into ops.dq_results
            select check_id, run_id, load_ids, layer, suite, dataset, source,
                cast(partition_start as date), cast(partition_end as date), expectation, column_name,
                severity, success, element_count, unexpected_count, observed_value,
                cast(checked_at as timestamptz)
            from _civicpulse_dq_rows
            """
        )
    finally:
        con.unregister("_civicpulse_dq_rows")


# ---------------------------------------------------------------------------------------------------
# Data Docs: one GX site, <report>/data-docs/, built once per run from the latest validation of every
# dataset. Each validation leaves its GX result in <report>/.data-docs-results/<name>.json (the extract
# tasks and the build task are separate processes in Airflow); `build_data_docs` renders them all.


def _write_record(
    config: Config | CheckSettings, record: Mapping[str, Any], *, layer: str, source: str | None, dataset: str
) -> None:
    path = config.report_path / DOCS_RESULTS / f"{record['name']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    document = {**record, "layer": layer, "source": source, "dataset": dataset}
    temp.write_text(json.dumps(document, default=str), encoding="utf-8")
    os.replace(temp, path)


def _docs_records(config: CheckSettings) -> list[dict[str, Any]]:
    """The recorded validations of the configured sources and the suites that still exist."""
    sources = set(config.service_rules)
    suites = {name for layer in LAYERS for name in suite_names(layer)}
    records = []
    for path in sorted((config.report_path / DOCS_RESULTS).glob("*.json")):
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if record["source"] in sources or (record["source"] is None and record["name"] in suites):
            records.append(record)
    return records


def build_data_docs(config: Config | CheckSettings) -> Path:
    """Build <report>/data-docs/ (offline: no CDN) from the latest validation of every dataset.

    The pipeline calls this once at the end of a run; a critical failure calls it before raising.
    The site is built in a temporary folder and then swapped in, so readers never see half a site;
    builders (extract tasks failing at once) take turns on a lock file. Only the pages whose validation
    or suite changed since the last build are rendered; the others are carried over from the last site
    (`SITE_PAGES` lists each page with the digest of what it shows).
    """
    config = CheckSettings.of(config)
    target = config.report_path / DATA_DOCS
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(config.report_path / f".{DATA_DOCS}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        records = _docs_records(config)
        building = config.report_path / f".{DATA_DOCS}.{uuid.uuid4().hex}"
        building.mkdir()
        try:
            _build_pages(records, target, building)
            write_index(building, [_docs_entry(record) for record in records])
            retired = config.report_path / f".{DATA_DOCS}.old.{uuid.uuid4().hex}"
            if target.exists():
                os.replace(target, retired)
            os.replace(building, target)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        for old in config.report_path.glob(f".{DATA_DOCS}.old.*"):
            shutil.rmtree(old, ignore_errors=True)
    return target / "index.html"


SITE_PAGES = ".pages.json"


def _build_pages(records: Sequence[Mapping[str, Any]], previous_site: Path, site: Path) -> None:
    """The validation and expectation pages of `records` in `site` (offline), and `SITE_PAGES`."""
    previous = _site_pages(previous_site)
    pages: dict[str, str] = {}
    render: list[Mapping[str, Any]] = []
    suites: dict[str, Mapping[str, Any]] = {}
    kept: list[str] = []
    for record in records:
        entry = _docs_entry(record)
        for page, digest, is_validation in (
            (entry.validation_page, _digest(record["key"], record["result"]), True),
            (entry.suite_page, _digest(record["suite"]), False),
        ):
            pages[page] = digest
            if previous.get(page) == digest and (previous_site / page).is_file():
                kept.append(page)
            elif is_validation:
                render.append(record)
            else:
                suites[record["name"]] = record["suite"]
    for page in kept:
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        os.link(previous_site / page, site / page)  # never written again: new pages are new files
    if render or suites:
        _validator().build_docs(render, list(suites.values()), site)
    elif (previous_site / "static").is_dir():
        shutil.copytree(previous_site / "static", site / "static", copy_function=os.link)
    carried = {site / page for page in kept}
    make_offline(site, [page for page in sorted(site.rglob("*.html")) if page not in carried])
    (site / SITE_PAGES).write_text(json.dumps({"format": _docs_format(), "pages": pages}), encoding="utf-8")


def _site_pages(site: Path) -> dict[str, str]:
    """The pages of the last site and their digests; nothing if it was built by another version."""
    try:
        listing = json.loads((site / SITE_PAGES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(listing, dict) or listing.get("format") != _docs_format():
        return {}
    pages = listing.get("pages")
    return pages if isinstance(pages, dict) else {}


@cache
def _docs_format() -> str:
    """GX's version and the offline rewriting: a page built by others is not carried over."""
    from importlib.metadata import version

    from civicpulse import datadocs

    rules = Path(datadocs.__file__).read_bytes()
    return f"{version('great_expectations')}:{hashlib.sha256(rules).hexdigest()[:16]}"


def _digest(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _run_time(stamp: str) -> str:
    """GX's run time key (20260615T140102.123456Z) as 2026-06-15 14:01:02."""
    try:
        return f"{dt.datetime.strptime(stamp, '%Y%m%dT%H%M%S.%fZ'):%Y-%m-%d %H:%M:%S}"
    except ValueError:
        return stamp


def _docs_entry(record: Mapping[str, Any]) -> DocsEntry:
    result = record["result"]
    statistics = result.get("statistics") or {}
    parts = "/".join(record["key"])
    return DocsEntry(
        name=record["name"],
        layer=record["layer"],
        dataset=record["dataset"],
        success=bool(result.get("success")),
        evaluated=int(statistics.get("evaluated_expectations") or 0),
        failed=int(statistics.get("unsuccessful_expectations") or 0),
        checked_at=_run_time(str(record["key"][-2])),
        validation_page=f"validations/{parts}.html",
        suite_page="expectations/" + "/".join(record["name"].split(".")) + ".html",
    )
