"""The Python model `staging.social_service_inference`: the service of each social post no rule mapped,
where the city's classifier (civicpulse/service_inference.py), fitted on the posts the rules did map,
is confident enough. staging.stg_social_posts joins it in.

The classifier is fitted again only when its inputs change: `ops.service_inference_cache` keeps the
assigned posts and the summary of the latest fit under a hash of the training posts, the posts to
predict, the settings and the library versions (`service_inference.inputs_key`); a build with the same
key (a rerun, a rebuild after a staff response) reuses them, without importing scikit-learn."""

from __future__ import annotations

import json
import logging
import re

import duckdb
import pyarrow as pa

from civicpulse.service_inference import (
    MAX_TRAINING_POSTS,
    ServiceClassifier,
    fit,
    inputs_key,
    rule_free_text,
)
from civicpulse.warehouse.models import Model

log = logging.getLogger(__name__)

TABLE = "staging.social_service_inference"
CACHE = "ops.service_inference_cache"
_SCHEMA = pa.schema(
    [("feedback_id", pa.string()), ("service_id", pa.string()), ("mapping_confidence", pa.float64())]
)


def keyword_patterns(con: duckdb.DuckDBPyConnection) -> dict[str, list[re.Pattern[str]]]:
    """Each source's keyword rules as compiled patterns (the regex ops.service_rules keeps)."""
    rows = con.execute(
        "select source, match_regex from ops.service_rules where rule_kind = 'keyword' "
        "order by source, rule_order"
    ).fetchall()
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for source, regex in rows:
        patterns.setdefault(source, []).append(re.compile(regex, re.ASCII))
    return patterns


def infer_social_services(con: duckdb.DuckDBPyConnection, max_training: int = MAX_TRAINING_POSTS) -> int:
    """Fit on the most recent `max_training` rule-mapped original posts (reposts repeat a text), predict
    the unmapped posts and write those assigned to TABLE; records the fit in the run setting
    `service_inference`."""
    patterns = keyword_patterns(con)
    rows = con.execute(
        """
        with posts as (
            select *, service_id <> 'unmapped' and not is_repost as is_rule_mapped
            from staging.stg_social_post_rules
        )

        select
            feedback_id, source, service_id, text, is_rule_mapped,
            is_rule_mapped and row_number() over (
                partition by is_rule_mapped order by occurred_at desc nulls last, feedback_id desc
            ) <= ? as is_training
        from posts
        order by feedback_id
        """,
        [max_training],
    ).fetchall()
    texts = {fid: rule_free_text(text or "", patterns.get(source, ())) for fid, source, _, text, *_ in rows}
    labelled = [(fid, service) for fid, _, service, _, _, training in rows if training]
    unmapped = [fid for fid, _, service, *_ in rows if service == "unmapped"]
    left_out = sum(1 for *_, mapped, training in rows if mapped and not training)
    key = inputs_key(
        ((texts[fid], service) for fid, service in labelled), ((fid, texts[fid]) for fid in unmapped)
    )
    cached = _cached(con, key)
    if cached is not None:
        assigned, summary = cached
        log.info("service inference: inputs unchanged since the last fit, its results reused")
    else:
        classifier = fit([texts[fid] for fid, _ in labelled], [service for _, service in labelled])
        assigned = []
        if classifier is not None and unmapped:
            predictions = classifier.predict([texts[fid] for fid in unmapped])
            assigned = [
                (fid, p.service_id, p.confidence)
                for fid, p in zip(unmapped, predictions, strict=True)
                if p.assigned
            ]
        summary = _summary(classifier, len(labelled) + left_out, len(unmapped), len(assigned), left_out)
        _store(con, key, assigned, summary)
    _record(con, summary)
    con.register("new_social_service_inference", _as_table(assigned))
    try:
        con.execute(f"create or replace table {TABLE} as select * from new_social_service_inference")
    finally:
        con.unregister("new_social_service_inference")
    return len(assigned)


Assigned = list[tuple[str, str, float]]


def _as_table(assigned: Assigned) -> pa.Table:
    return pa.table(
        {
            "feedback_id": [fid for fid, _, _ in assigned],
            "service_id": [service for _, service, _ in assigned],
            "mapping_confidence": [confidence for _, _, confidence in assigned],
        },
        schema=_SCHEMA,
    )


def _cached(con: duckdb.DuckDBPyConnection, key: str) -> tuple[Assigned, str] | None:
    """The assigned posts and summary stored under `key`, in feedback id order, or None."""
    rows = con.execute(
        f"select feedback_id, service_id, mapping_confidence, summary from {CACHE} "
        "where cache_key = ? order by feedback_id nulls first",
        [key],
    ).fetchall()
    if not rows or rows[0][0] is not None or rows[0][3] is None:
        return None
    return [(str(f), str(s), float(c)) for f, s, c, _ in rows[1:]], str(rows[0][3])


def _store(con: duckdb.DuckDBPyConnection, key: str, assigned: Assigned, summary: str) -> None:
    """Replace the cache by this key's results (one summary row, then one row per assigned post)."""
    con.execute(f"delete from {CACHE}")
    con.execute(f"insert into {CACHE} values (?, null, null, null, ?, now())", [key, summary])
    if assigned:
        # One Arrow insert: `executemany` costs a statement per row (0.4 s for 1,000 posts).
        con.register("new_service_inference_cache", _as_table(assigned))
        try:
            con.execute(
                f"insert into {CACHE} select ?, feedback_id, service_id, mapping_confidence, null, now() "
                "from new_service_inference_cache",
                [key],
            )
        finally:
            con.unregister("new_service_inference_cache")


def _summary(
    classifier: ServiceClassifier | None, labelled: int, unmapped: int, assigned: int, left_out: int
) -> str:
    summary: dict[str, object] = {"rule_mapped": labelled, "rule_unmapped": unmapped, "inferred": assigned}
    if left_out:
        summary["older_posts_not_trained_on"] = left_out
    if classifier is None:
        summary["classifier"] = "none: too few rule-mapped posts per service"
    else:
        summary |= {
            "services": len(classifier.services),
            "trained_on": classifier.trained_on,
            "threshold": round(classifier.threshold, 4),
            "out_of_fold_assigned": classifier.oof_assigned,
            "out_of_fold_correct": classifier.oof_correct,
        }
    return json.dumps(summary)


def _record(con: duckdb.DuckDBPyConnection, summary: str) -> None:
    log.info("service inference: %s", summary)
    con.execute("insert or replace into ops.settings values ('service_inference', ?)", [summary])


def social_inference_model() -> Model:
    return Model(
        TABLE,
        "python",
        (TABLE,),
        frozenset({"staging.stg_social_post_rules", "ops.service_rules"}),
        run_python=infer_social_services,
    )
