"""Run every evaluation of the package (see evaluation/__init__.py for the convention)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType

import evaluation


def discover() -> list[ModuleType]:
    """The package's modules that define a callable `run`, in name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(evaluation.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"evaluation.{info.name}")
        if callable(getattr(module, "run", None)):
            found.append(module)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    wanted = list(sys.argv[1:] if argv is None else argv)
    modules = discover()
    names = {module.__name__.rsplit(".", 1)[-1] for module in modules}
    unknown = sorted(set(wanted) - names)
    if unknown:
        print(f"unknown evaluation(s): {', '.join(unknown)} (available: {', '.join(sorted(names))})")
        return 2
    failed = []
    for module in modules:
        name = module.__name__.rsplit(".", 1)[-1]
        if wanted and name not in wanted:
            continue
        title = str(getattr(module, "TITLE", name))
        print(f"\n== {title} ==\n", flush=True)
        started = time.perf_counter()
        run: Callable[[], str] = module.run
        try:
            print(run())
        except evaluation.TargetsMissed as missed:
            print(missed.report)
            print(f"\n{name}: {missed}")
            failed.append(name)
        except Exception:
            failed.append(name)
            traceback.print_exc()
        print(f"({name}: {time.perf_counter() - started:.1f}s)", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
