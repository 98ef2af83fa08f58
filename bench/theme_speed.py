"""CPU seconds of theme scoring in-process (`Taxonomy.load` + `match_many`), for before/after comparisons.

`python -m bench.theme_speed WAREHOUSE.duckdb [CODE_ROOT ...] [--repeat N] [--warm]` times, in a fresh
interpreter per measurement whose imports come from CODE_ROOT (default: this checkout), interleaved:

* city: the distinct (text, service) pairs of the warehouse's `staging.stg_feedback_texts`, what
  `match_themes` scores on a fresh warehouse, in its batches of 5,000;
* real: the 8,105 distinct shared real texts (../shared/data/real/), without a service.

The clock starts before `transforms.themes` is imported and covers every import the scoring makes
(a run pays them); `--warm` imports scikit-learn and scipy first, outside the clock, as a run whose
service inference has already imported them. Each line ends with an md5 of the matches (themes and
evidence, in order), so two code roots can be proven to give the same output.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.measure import code_roots_parser, warehouse_missing
from bench.real_texts import REAL_DIR, real_texts

ROOT = Path(__file__).resolve().parents[1]

# Runs in the measured interpreter: argv[1] a JSON file of [text, service] pairs, argv[2] "1" for warm.
_MEASURE = """
import hashlib, json, os, sys
pairs = json.load(open(sys.argv[1], encoding="utf-8"))
if sys.argv[2] == "1":
    import scipy.sparse, sklearn.feature_extraction.text, sklearn.linear_model
def cpu():
    times = os.times()
    return times.user + times.system
start = cpu()
from transforms.themes import Taxonomy
taxonomy = Taxonomy.load()
found = []
for at in range(0, len(pairs), 5000):
    batch = pairs[at : at + 5000]
    found.extend(taxonomy.match_many([p[0] for p in batch], [p[1] for p in batch]))
seconds = cpu() - start
matches = repr([[(m.theme_id, m.matched_terms) for m in row] for row in found])
digest = hashlib.md5(matches.encode()).hexdigest()
print(json.dumps({"cpu_s": seconds, "md5": digest}))
"""


def _pairs(warehouse: Path) -> list[tuple[str, str | None]]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select any_value(text), service_id from staging.stg_feedback_texts "
            "group by text_hash, service_id order by text_hash, service_id"
        ).fetchall()
    finally:
        con.close()
    return [(str(text), service) for text, service in rows]


def measure(pairs_file: Path, code_root: Path, *, warm: bool) -> tuple[float, str]:
    """(CPU seconds, md5 of the matches) of scoring the pairs in `pairs_file` with `code_root`'s code."""
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    command = [sys.executable, "-c", _MEASURE, str(pairs_file), "1" if warm else "0"]
    done = subprocess.run(command, check=True, env=env, cwd=code_root, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["cpu_s"]), str(result["md5"])


def main(argv: Sequence[str]) -> int:
    parser = code_roots_parser("python -m bench.theme_speed", __doc__)
    parser.add_argument(
        "--warm", action="store_true", help="scikit-learn and scipy imported before the clock"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("/tmp/theme_speed"), help="folder for the text lists"
    )
    args = parser.parse_args(argv)
    if warehouse_missing(args.warehouse):
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    sets = {"city": args.out / "city.json", "real": args.out / "real.json"}
    sets["city"].write_text(json.dumps(_pairs(args.warehouse)), encoding="utf-8")
    real = list(dict.fromkeys(text for _, text in real_texts(REAL_DIR)))
    sets["real"].write_text(json.dumps([(text, None) for text in real]), encoding="utf-8")
    roots: list[Path] = args.roots or [ROOT]
    cpu: dict[tuple[str, Path], list[float]] = {}
    digests: dict[str, set[str]] = {name: set() for name in sets}
    for _ in range(args.repeat):
        for name, path in sets.items():
            for root in roots:
                seconds, digest = measure(path, root, warm=args.warm)
                cpu.setdefault((name, root), []).append(seconds)
                digests[name].add(digest)
                print(f"{name} {root}: {seconds:.2f} CPU-s, matches md5 {digest}", flush=True)
    for (name, root), values in cpu.items():
        texts = len(json.loads(sets[name].read_text(encoding="utf-8")))
        low, middle = min(values), statistics.median(values)
        print(f"{name} ({texts} texts) {root!s:30} min {low:5.2f}  median {middle:5.2f} CPU-s")
    for name, found in digests.items():
        print(f"{name}: matches {'identical' if len(found) == 1 else 'DIFFER'} across roots and repetitions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
