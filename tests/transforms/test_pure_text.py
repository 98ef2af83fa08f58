"""transforms/ holds pure text functions: no module there may reach the warehouse or civicpulse."""

from __future__ import annotations

import ast
from pathlib import Path

from civicpulse.paths import PROJECT_ROOT

TRANSFORMS = PROJECT_ROOT / "transforms"
FORBIDDEN = ("duckdb", "civicpulse")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (relative imports resolved)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "transforms" if node.level else ""
            modules.add(".".join(part for part in (base, node.module or "") if part))
    return modules


def test_no_transforms_module_imports_duckdb_or_civicpulse() -> None:
    files = sorted(TRANSFORMS.rglob("*.py"))
    assert len(files) > 10, "transforms/ not found where expected"
    offending = {
        f"{path.relative_to(PROJECT_ROOT)}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    }
    assert not offending, f"transforms/ must stay pure text functions: {sorted(offending)}"


def test_the_import_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import re\n\ndef f():\n    from civicpulse.crashpoints import crash_point\n    import duckdb\n"
    )
    assert imported_modules(sample) == {"re", "civicpulse.crashpoints", "duckdb"}
