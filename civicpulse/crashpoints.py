"""Fault injection for the crash suite: `CIVICPULSE_CRASH_AT=<point>` kills the process at that point.

Each call `crash_point("<name>")` sits at a place where a kill must leave the warehouse readable and a
rerun must finish the work (tests/test_crash.py). With the variable unset (always, outside that test)
the call only reads the environment. `CIVICPULSE_CRASH_AT` may name several points, comma-separated;
`<point>@<n>` kills at the n-th time the point is reached (default the first).

Points (where the call sits):
  landing.before_rename      civicpulse/landing.py write_day: the day folder written, not renamed into place
  landing.between_renames    civicpulse/landing.py _replace_folder: old folder retired, new not in place
  run.after_extract          civicpulse/pipeline.py run_interval: every source extracted, nothing loaded
  loader.mid_transaction     civicpulse/loader.py load_days: a source's partitions replaced, before commit
  loader.after_commit        civicpulse/loader.py load_days: committed, the cursor file not yet written
  run.after_load             civicpulse/pipeline.py run_interval: everything loaded, nothing built
  build.after.<model>        civicpulse/warehouse/models.py run_models: after <model> (e.g.
                             core.fact_feedback), in the build's transaction: between layers
  export.mid_write           civicpulse/warehouse/export.py export_marts: a mart's temp Parquet written,
                             not renamed
  publish.before_rename      civicpulse/warehouse/publish.py publish: the temp copy written, not renamed
  publish.after_rename       civicpulse/warehouse/publish.py publish: the published copy in place
  forget.before_compaction   civicpulse/erasure.py forget: the person's rows deleted and checkpointed
  forget.mid_compaction      civicpulse/warehouse/connection.py compact: the compacted temp copy written,
                             not renamed
  forget.after_compaction    civicpulse/erasure.py forget: compacted, marts not yet rebuilt or published
"""

from __future__ import annotations

import os
import signal
from collections import Counter

CRASH_ENV = "CIVICPULSE_CRASH_AT"
_reached: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """SIGKILL this process (no cleanup, no `finally`) when CIVICPULSE_CRASH_AT names this point."""
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    _reached[name] += 1
    for target in wanted.split(","):
        point, _, nth = target.strip().partition("@")
        if point == name and _reached[name] == int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)
