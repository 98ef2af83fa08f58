"""CPU seconds of the scoring phase alone, on a copy of a built warehouse, for before/after comparisons.

`python -m bench.scoring_phase WAREHOUSE.duckdb [CODE_ROOT ...] [--repeat N]` copies the warehouse
once per run, empties its scoring caches (sentiment, themes, urgency, terms and the service
classifier's), and in a fresh interpreter whose imports come from CODE_ROOT (default: this checkout)
runs what a build runs for them: the four scoring models and the social service inference. It prints
that interpreter's CPU seconds (imports included: a run pays them) and an md5 of every table the
phase writes, so two code roots can be compared, interleaved, and their outputs proven identical.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.measure import code_roots_parser, warehouse_missing

ROOT = Path(__file__).resolve().parents[1]
CACHES = ("ops.sentiment_cache", "ops.theme_cache", "ops.urgency_cache", "ops.term_cache")
OUTPUTS = (*CACHES, "staging.social_service_inference")

# Runs in the measured interpreter: argv[1] the warehouse copy, argv[2] the themes file.
_PHASE = """
import sys
from pathlib import Path
import duckdb
from civicpulse.warehouse.scoring import match_themes, score_sentiment, flag_urgency, extract_terms
from civicpulse.warehouse.social_service import infer_social_services
con = duckdb.connect(sys.argv[1])
score_sentiment(con)
match_themes(con, Path(sys.argv[2]))
flag_urgency(con)
extract_terms(con)
infer_social_services(con)
con.close()
"""


def _prepare(warehouse: Path, copy: Path, code_root: Path, *, empty: bool = True) -> None:
    """Copy the warehouse, apply `code_root`'s migrations it lacks and empty the scoring caches."""
    import duckdb

    shutil.copyfile(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        applied = {int(v) for (v,) in con.execute("select version from ops.schema_migrations").fetchall()}
        for migration in sorted((code_root / "sql" / "migrations").glob("*.sql")):
            if int(migration.name.split("_", 1)[0]) not in applied:
                con.execute(migration.read_text(encoding="utf-8"))
        if not empty:
            return
        for table in CACHES:
            con.execute(f"delete from {table}")
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'ops'"
            ).fetchall()
        }
        if "service_inference_cache" in present:
            con.execute("delete from ops.service_inference_cache")
    finally:
        con.close()


def checksums(warehouse: Path) -> dict[str, str]:
    """md5 of each table the phase writes, its rows as text in order, timestamp columns left out."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sums: dict[str, str] = {}
        for table in OUTPUTS:
            columns = [
                name
                for name, kind, *_ in con.execute(f"describe {table}").fetchall()
                if not str(kind).startswith("TIMESTAMP")
            ]
            select = ", ".join(columns)
            (digest,) = con.execute(
                f"select md5(coalesce(string_agg(row_text, '\n' order by row_text), '')) "
                f"from (select ({select})::varchar as row_text from {table})"
            ).fetchone() or ("",)
            sums[table] = str(digest)
        setting = con.execute("select value from ops.settings where key = 'service_inference'").fetchone()
        sums["ops.settings.service_inference"] = str(setting[0] if setting else "")
        return sums
    finally:
        con.close()


def run_phase(
    warehouse: Path, code_root: Path, themes: Path, work: Path, *, warm: bool = False
) -> tuple[float, float, dict[str, str]]:
    """(CPU seconds, elapsed seconds, output checksums) of one scoring phase with `code_root`'s code;
    `warm`: a second phase on the first one's caches (a rebuild with nothing new) is the one timed."""
    copy = work / "phase.duckdb"
    _prepare(warehouse, copy, code_root)
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    if warm:
        subprocess.run(
            [sys.executable, "-c", _PHASE, str(copy), str(themes)], check=True, env=env, cwd=code_root
        )
    before = os.times()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _PHASE, str(copy), str(themes)], check=True, env=env, cwd=code_root)
    elapsed = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return cpu, elapsed, checksums(copy)


def main(argv: Sequence[str]) -> int:
    parser = code_roots_parser("python -m bench.scoring_phase", __doc__)
    parser.add_argument("--themes", type=Path, default=ROOT / "config" / "themes.yml")
    parser.add_argument("--warm", action="store_true", help="time a rebuild on the caches of a first phase")
    args = parser.parse_args(argv)
    if warehouse_missing(args.warehouse):
        return 2
    roots: list[Path] = args.roots or [ROOT]
    cpu: dict[Path, list[float]] = {root: [] for root in roots}
    sums: dict[Path, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.repeat):
            for root in roots:
                seconds, elapsed, found = run_phase(
                    args.warehouse, root, args.themes, Path(work), warm=args.warm
                )
                cpu[root].append(seconds)
                print(f"{root}: {seconds:.2f} CPU-s, {elapsed:.2f} s elapsed", flush=True)
                if sums.setdefault(root, found) != found:
                    print(f"{root}: outputs differ between repetitions", file=sys.stderr)
                    return 1
    for root in roots:
        print(f"{root!s:40} min {min(cpu[root]):6.2f}  median {statistics.median(cpu[root]):6.2f} CPU-s")
    first = sums[roots[0]]
    for root in roots[1:]:
        differing = [table for table in first if sums[root].get(table) != first[table]]
        print(f"{root}: outputs {'identical' if not differing else 'DIFFER: ' + ', '.join(differing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
