"""One warehouse lifecycle: rebuild the models, pass the quality gate, export, publish.

`rebuild_and_publish` is the only way a change in the writer's file reaches readers. The nightly build
(`pipeline.build`), an erasure (`erasure.forget`) and a recorded response (`responses.record_response`)
each commit their own change on the writer connection and then call it, so all three run the same steps
in the same order:

1. models: config tables, then staging, core, scoring caches and marts in one transaction
   (`build.build_models`; a response rebuilds only the close-the-loop queue);
2. checks: the quality gate on every layer, results in `ops.dq_results` under the run id of the
   models' `ops.model_runs` rows (`checks.gate`);
3. export: the marts to Parquet (`export.export_marts`);
4. publish: the contract copy and the extract's state copy (`publish.publish`), then the Data Docs.

When the gate fails nothing is exported or published and `QualityError` names the failures. What stays:

* after a build or a response, the change stays in the writer's file and readers keep the last good
  published copy and exports until a build passes the gate;
* after an erasure, the erasure stays applied (the writer's file, its caches and landing; it is never
  rolled back) and the last good copy may not stay either, as it still holds the erased person: the
  published copy and the marts exports are withdrawn (a reader is told why and what to run), and the
  state copy is published so that the extract keeps leaving the person out. The next build that
  passes the gate publishes again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from civicpulse.config import Config
from civicpulse.quality import CheckResult, QualityError
from civicpulse.warehouse.build import build_models
from civicpulse.warehouse.checks import gate, refresh_docs
from civicpulse.warehouse.connection import published_path
from civicpulse.warehouse.export import export_marts
from civicpulse.warehouse.incremental import Partition
from civicpulse.warehouse.models import Model, new_run_id
from civicpulse.warehouse.publish import publish, publish_state, withdraw
from civicpulse.warehouse.scoring import Progress

Reason = Literal["build", "erasure", "response"]

_HELD_BACK = {
    "build": "nothing was exported or published: readers keep the last good copy",
    "response": "the response is recorded, but nothing was exported or published: readers keep the last "
    "good copy",
    "erasure": "the erasure is applied, and the published copy and marts exports were withdrawn, as they "
    "still held the erased person; fix the failures and run `civicpulse build` to publish again",
}


@dataclass(frozen=True)
class Published:
    reason: Reason
    run_id: str
    models: list[tuple[str, int, float]]
    checks: list[CheckResult]
    path: Path


def rebuild_and_publish(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    *,
    reason: Reason,
    progress: Progress | None = None,
    select: Callable[[Model], bool] | None = None,
    changed: Sequence[Partition] | None = None,
) -> Published:
    """Models, quality gate, export, publish, on the writer connection `con`; see the module docstring.
    `changed`: the partitions loaded since the last build of the same models (build_plan.BuildPlan)."""
    run_id = new_run_id()
    models = build_models(con, config, progress, select=select, run_id=run_id, changed=changed)
    try:
        checks = gate(con, config, run_id)
    except QualityError as failed:
        if reason == "erasure":
            publish_state(config, con)
            withdraw(
                config,
                f"{published_path(config)} was withdrawn: the warehouse rebuilt after an erasure (run "
                f"{run_id}) failed its quality gate, and the last published copy still held the erased "
                "person; see the failures in ops.dq_results or the Data Docs, fix them and run "
                "`civicpulse build` to publish again",
            )
        raise QualityError(failed.failures, f"{reason} run {run_id}: {_HELD_BACK[reason]}") from None
    export_marts(con, config)
    path = publish(config, con)
    refresh_docs(config)
    return Published(reason, run_id, models, checks, path)
