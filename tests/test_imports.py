"""The import graph: no import cycles, the config and the connectors do not import each other, and
`civicpulse sql` starts without the heavy libraries (checked in fresh interpreters, not timed)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from civicpulse.cli import main
from civicpulse.paths import PROJECT_ROOT

PACKAGES = ("civicpulse", "connectors", "transforms")
CONFIG_MODULES = ("civicpulse.config", "civicpulse.config_schema")
# What the `sql` command must not load: the validation, HTTP, Parquet, checks and scoring stacks.
NOT_FOR_SQL = (
    "pydantic",
    "pyarrow",
    "requests",
    "great_expectations",
    "vaderSentiment",
    "pandas",
    "numpy",
    "connectors",
    "transforms",
    "civicpulse.config_schema",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for package in PACKAGES
    for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
}


def _imports(path: Path, *, module_level: bool) -> set[str]:
    """The project modules `path` imports: at import time only (not inside functions, not under
    TYPE_CHECKING) with `module_level`, else anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes: list[ast.AST]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(list(node.orelse))
            elif module_level and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, field, None)
                    if isinstance(children, list):
                        visit([child for child in children if isinstance(child, ast.AST)])

    visit(list(tree.body))
    return {name for name in found if name in MODULES and name != module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def _loaded(code: str, *args: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code` (which may print, to stderr)."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=PROJECT_ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _of(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == r or m.startswith(f"{r}.") for r in roots))


def test_the_graph_sees_the_imports() -> None:
    assert "civicpulse.connector_contract" in _imports(MODULES["connectors.qualtrics"], module_level=True), (
        "the import parser lost track of a connector's imports"
    )
    assert {"civicpulse.config", "civicpulse.warehouse.connection"} <= _imports(
        MODULES["civicpulse.pipeline"], module_level=True
    )


def test_no_import_cycles_at_import_time() -> None:
    graph = {name: _imports(path, module_level=True) for name, path in MODULES.items()}
    assert _cycles(graph) == []


def test_connectors_never_import_the_config() -> None:
    offenders = {
        name: sorted(set(CONFIG_MODULES) & _imports(path, module_level=False))
        for name, path in MODULES.items()
        if name.startswith("connectors")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_config_imports_no_connector() -> None:
    for name in (*CONFIG_MODULES, "civicpulse.connector_contract"):
        imported = _imports(MODULES[name], module_level=False)
        assert not _of(imported, ("connectors",)), f"{name} imports {_of(imported, ('connectors',))}"


def test_importing_every_connector_loads_no_config() -> None:
    connectors = [name for name in MODULES if name.startswith("connectors.")]
    loaded = _loaded("import importlib\nfor name in sys.argv[1:]: importlib.import_module(name)", *connectors)
    assert set(connectors) <= loaded
    assert _of(loaded, CONFIG_MODULES) == []


def test_importing_the_config_loads_no_connector_and_no_pydantic() -> None:
    loaded = _loaded("import civicpulse.config")
    assert _of(loaded, ("connectors", "pydantic", "civicpulse.config_schema")) == []
    loaded = _loaded("import civicpulse.config_schema, civicpulse.connector_contract")
    assert _of(loaded, ("connectors",)) == []


@pytest.fixture()
def published_config(tmp_path: Path) -> Path:
    """The demo's civicpulse.yml, its warehouse in tmp_path, with a real (tiny) published copy."""
    data = yaml.safe_load((PROJECT_ROOT / "civicpulse.yml").read_text(encoding="utf-8"))
    data["paths"]["warehouse"] = str(tmp_path / "civicpulse.duckdb")
    con = duckdb.connect(str(tmp_path / "civicpulse.published.duckdb"))
    con.execute("create schema marts; create table marts.answer as select 42 as answer")
    con.close()
    config = tmp_path / "civicpulse.yml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    return config


def test_sql_command_loads_none_of_the_heavy_stack(published_config: Path) -> None:
    code = (
        "from civicpulse.cli import main\n"
        "import sys\n"
        "assert main(['--quiet', '--config', sys.argv[1], 'sql', 'select answer from marts.answer',"
        " '--format', 'csv']) == 0\n"
    )
    loaded = _loaded(code, str(published_config))
    assert {"civicpulse.cli", "civicpulse.config", "civicpulse.analyst", "duckdb"} <= loaded
    assert _of(loaded, NOT_FOR_SQL) == []


def test_sql_needs_only_the_warehouse_path_check_config_checks_everything(
    published_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(published_config.read_text(encoding="utf-8"))
    data["sources"][0]["connector"] = "no_such_vendor"
    data["sources"][0]["parse"] = {"layout": "x"}
    published_config.write_text(yaml.safe_dump(data), encoding="utf-8")

    assert main(["--quiet", "--config", str(published_config), "sql", "select answer from marts.answer"]) == 0
    assert "42" in capsys.readouterr().out

    assert main(["--quiet", "--config", str(published_config), "check-config"]) == 2
    error = capsys.readouterr().err
    assert "sources.0.connector: no connector named 'no_such_vendor'" in error


def test_sql_without_a_warehouse_path_names_the_key(
    published_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(published_config.read_text(encoding="utf-8"))
    del data["paths"]["warehouse"]
    published_config.write_text(yaml.safe_dump(data), encoding="utf-8")

    assert main(["--quiet", "--config", str(published_config), "sql", "select 1"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"civicpulse: error: {published_config}: invalid configuration")
    assert "paths.warehouse: required key is missing" in error


def test_a_light_config_validates_the_schema_without_loading_connectors(published_config: Path) -> None:
    code = (
        "from civicpulse.config import load_config\n"
        "config = load_config(sys.argv[1], light=True)\n"
        "assert [s.id for s in config.services][:1] == ['property_tax'] and config.sources\n"
    )
    loaded = _loaded(code, str(published_config))
    assert "pydantic" in loaded and "civicpulse.config_schema" in loaded
    assert _of(loaded, ("connectors", "requests", "pyarrow")) == []


def test_file_mode_sources_validate_and_run_without_the_http_stack(published_config: Path) -> None:
    """No source has an api: section: neither the full validation nor `run`'s modules load requests."""
    code = (
        "from civicpulse.config import load_config\n"
        "import civicpulse.pipeline\n"
        "config = load_config(sys.argv[1])\n"
        "assert config.sources and {s.mode for s in config.sources} == {'file'}\n"
        "assert [config.parse_options(s) for s in config.sources]\n"
    )
    loaded = _loaded(code, str(published_config))
    assert {"civicpulse.config_schema", "civicpulse.extract", "civicpulse.sources"} <= loaded
    assert _of(loaded, ("requests", "civicpulse.http", "civicpulse.api", "civicpulse.credentials")) == []


def test_a_light_config_still_checks_connector_sections_when_they_are_used(published_config: Path) -> None:
    from civicpulse.config import ConfigError, load_config

    data = yaml.safe_load(published_config.read_text(encoding="utf-8"))
    data["sources"][0]["parse"] = {"no_such_option": 1}
    published_config.write_text(yaml.safe_dump(data), encoding="utf-8")
    config = load_config(published_config, light=True)
    assert config.sources[0].parse == {"no_such_option": 1}
    with pytest.raises(ConfigError, match=r"sources\.0\.parse\.no_such_option: unknown key"):
        config.parse_options(config.sources[0])
    with pytest.raises(ConfigError, match=r"sources\.0\.parse\.no_such_option: unknown key"):
        load_config(published_config)


def test_the_x_file_parser_loads_neither_tweepy_nor_requests() -> None:
    """The X connector's file mode reads tweets as tweepy's Tweet would, without importing tweepy."""
    loaded = _loaded("import connectors.x\nimport connectors.x.helpers\n")
    assert "connectors.x.helpers" in loaded
    assert _of(loaded, ("tweepy", "requests")) == []


def test_an_extract_process_compiles_no_redaction_patterns() -> None:
    """Extract processes pseudonymize ids (transforms.pseudonym) and redact only bad rows' raw text,
    importing the redactor when one is written; the patterns cost ~0.1 CPU-s per process."""
    connectors = [name for name in MODULES if name.startswith("connectors.")]
    loaded = _loaded(
        "import importlib\nimport civicpulse.extract, civicpulse.landing\n"
        "for name in sys.argv[1:]: importlib.import_module(name)",
        *connectors,
    )
    assert {"civicpulse.extract", "transforms.pseudonym"} <= loaded
    assert _of(loaded, ("transforms.privacy",)) == []
