"""The Python model `staging.social_service_inference`: the service of each social post no rule mapped,
where the city's classifier (civicpulse/service_inference.py), fitted on the posts the rules did map,
is confident enough. staging.stg_social_posts joins it in.

The classifier is kept between builds (`ops.service_inference_model`, as NumPy arrays without any
n-gram's text) and fitted again only when its training posts changed materially (`refit_reason`);
otherwise the posts to predict are predicted with the kept model, without importing scikit-learn.
Each build's results are also kept (`ops.service_inference_cache`) under a hash of the training posts,
the posts to predict, the settings and the library versions (`service_inference.inputs_key`); a build
with the same key (a rerun, a rebuild after a staff response) reuses them."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from civicpulse.service_inference import (
    MAX_TRAINING_POSTS,
    KeptModel,
    Prediction,
    ServiceClassifier,
    fit,
    inputs_key,
    keyword_stem,
    rule_free_text,
    settings_key,
)
from civicpulse.warehouse.models import Model

log = logging.getLogger(__name__)

TABLE = "staging.social_service_inference"
CACHE = "ops.service_inference_cache"
KEPT = "ops.service_inference_model"
KEPT_TRAINING = "ops.service_inference_training"
PREDICTIONS = "ops.service_inference_predictions"
# The kept model is fitted again once this share of its training posts' number are new ones.
REFIT_NEW_SHARE = 0.10
_SCHEMA = pa.schema(
    [
        ("feedback_id", pa.string()),
        ("service_id", pa.string()),
        ("mapping_confidence", pa.float64()),
        ("model_version", pa.string()),
    ]
)

_PREDICTION_SCHEMA = pa.schema(
    [
        ("model_version", pa.string()),
        ("feedback_id", pa.string()),
        ("post_hash", pa.string()),
        ("service_id", pa.string()),
        ("confidence", pa.float64()),
        ("assigned", pa.bool_()),
    ]
)


def keyword_patterns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """Each source's keyword rules as (keyword stem, compiled pattern: the regex ops.service_rules
    keeps), for rule_free_text."""
    rows = con.execute(
        "select source, pattern, match_regex from ops.service_rules where rule_kind = 'keyword' "
        "order by source, rule_order"
    ).fetchall()
    patterns: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for source, keyword, regex in rows:
        patterns.setdefault(source, []).append((keyword_stem(keyword), re.compile(regex, re.ASCII)))
    return patterns


@dataclass(frozen=True)
class Posts:
    """A build's social posts as the classifier sees them: rule-free texts by feedback id, the training
    posts (feedback id, service) in feedback id order, the posts to predict, the older rule-mapped posts
    beyond the training bound, a hash of every rule-mapped post's (text, service) by feedback id, and
    the ISO week of the newest training post."""

    texts: dict[str, str]
    labelled: list[tuple[str, str]]
    unmapped: list[str]
    left_out: int
    post_hashes: dict[str, str]
    newest_week: str | None

    @property
    def model_version(self) -> str:
        """The version of a model fitted on these training posts with today's settings."""
        digest = hashlib.sha256(settings_key().encode())
        for fid, service in self.labelled:
            digest.update(f"{fid}:{self.post_hashes[fid]}:{service}\n".encode())
        return digest.hexdigest()[:16]


def _post_hash(text: str, service: str) -> str:
    return hashlib.sha256(json.dumps([text, service]).encode()).hexdigest()[:32]


def social_posts(con: duckdb.DuckDBPyConnection, max_training: int) -> Posts:
    """The most recent `max_training` rule-mapped original posts (reposts repeat a text) train; the
    unmapped posts are predicted."""
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
            ) <= ? as is_training,
            strftime(occurred_at, '%G-W%V') as iso_week
        from posts
        order by feedback_id
        """,
        [max_training],
    ).fetchall()
    texts = {fid: rule_free_text(text or "", patterns.get(source, ())) for fid, source, _, text, *_ in rows}
    training = [(fid, service, week) for fid, _, service, _, _, is_training, week in rows if is_training]
    return Posts(
        texts,
        [(fid, service) for fid, service, _ in training],
        [fid for fid, _, service, *_ in rows if service == "unmapped"],
        sum(1 for *_, mapped, is_training, _ in rows if mapped and not is_training),
        {fid: _post_hash(texts[fid], service) for fid, _, service, _, mapped, *_ in rows if mapped},
        max((week for *_, week in training if week is not None), default=None),
    )


def infer_social_services(con: duckdb.DuckDBPyConnection, max_training: int = MAX_TRAINING_POSTS) -> int:
    """Predict the unmapped posts with the kept classifier, fitted again first when `refit_reason`
    gives a reason, and write those assigned to TABLE; records the build in the run setting
    `service_inference`."""
    posts = social_posts(con, max_training)
    key = inputs_key(
        ((posts.texts[fid], service) for fid, service in posts.labelled),
        ((fid, posts.texts[fid]) for fid in posts.unmapped),
    )
    cached = _cached(con, key)
    if cached is not None:
        assigned, summary = cached
        log.info("service inference: inputs unchanged since the last build, its results reused")
    else:
        assigned, summary = _infer(con, posts)
        _store(con, key, assigned, summary)
    _record(con, summary)
    version = json.loads(summary).get("model_version")
    _from_arrow(
        con, _as_table(assigned, version), f"create or replace table {TABLE} as select * from new_rows", []
    )
    return len(assigned)


@dataclass(frozen=True)
class Kept:
    """The kept model's row and the (feedback id, post hash) of the posts it was fitted on."""

    model_version: str
    settings_key: str
    training_posts: int
    newest_week: str | None
    fitted_at: str
    fit_summary: str
    model: bytes
    training: dict[str, str]


def _kept(con: duckdb.DuckDBPyConnection) -> Kept | None:
    row = con.execute(
        f"select model_version, settings_key, training_posts, newest_week, fitted_at::varchar, fit_summary, "
        f"model from {KEPT} order by fitted_at desc limit 1"
    ).fetchone()
    if row is None:
        return None
    training = con.execute(
        f"select feedback_id, post_hash from {KEPT_TRAINING} where model_version = ?", [row[0]]
    ).fetchall()
    version, settings, posts, week, fitted_at, summary, model = row
    return Kept(
        str(version),
        str(settings),
        int(posts),
        week,
        str(fitted_at),
        str(summary),
        bytes(model),
        dict(training),
    )


def refit_reason(kept: Kept | None, posts: Posts) -> str | None:
    """Why the kept model must be fitted again on today's training posts, or None to keep it: none is
    kept; the settings or library versions changed; one of its training posts is gone (erased) or its
    rule-free text or rule service changed (a rule change); the newest training post is in a later ISO
    week than it was at the fit; or the posts new since the fit reach REFIT_NEW_SHARE of its posts."""
    if kept is None:
        return "no kept model"
    if kept.settings_key != settings_key():
        return "settings or library versions changed"
    if len(kept.training) < kept.training_posts or any(
        posts.post_hashes.get(fid) != digest for fid, digest in kept.training.items()
    ):
        return "training posts erased or changed"
    if posts.newest_week != kept.newest_week:
        return f"a new week ({posts.newest_week})"
    new = sum(1 for fid, _ in posts.labelled if fid not in kept.training)
    if new >= REFIT_NEW_SHARE * kept.training_posts:
        return f"{new} new training posts"
    return None


def _infer(con: duckdb.DuckDBPyConnection, posts: Posts) -> tuple[Assigned, str]:
    """The assigned posts and the summary, with the kept model or a new fit (then kept)."""
    kept = _kept(con)
    reason = refit_reason(kept, posts)
    # each unmapped post's rule-free text, hashed: the key of its stored prediction
    hashes = {fid: _text_hash(posts.texts[fid]) for fid in posts.unmapped}
    predictions: list[Prediction] = []  # none when there was too little to fit a classifier on
    if kept is not None and reason is None:
        predictions = _kept_predictions(con, kept, posts, hashes)
        summary = json.loads(kept.fit_summary) | {"model_refit": None}
        log.info("service inference: kept model %s (fitted %s) predicts", kept.model_version, kept.fitted_at)
    else:
        classifier = fit([posts.texts[fid] for fid, _ in posts.labelled], [s for _, s in posts.labelled])
        if classifier is not None:
            predictions = classifier.predict([posts.texts[fid] for fid in posts.unmapped])
        summary = _keep(con, classifier, posts) | {"model_refit": reason}
        if predictions:  # the kept model's own, bit for bit (tests/test_service_inference_kept.py)
            _store_predictions(con, posts.model_version, hashes, predictions)
        log.info("service inference: fitted again (%s)", reason)
    assigned = [
        (fid, p.service_id, p.confidence)
        for fid, p in zip(posts.unmapped, predictions, strict=bool(predictions))
        if p.assigned
    ]
    counts = {"rule_mapped": len(posts.labelled) + posts.left_out, "rule_unmapped": len(posts.unmapped)}
    counts |= {"inferred": len(assigned)}
    if posts.left_out:
        counts["older_posts_not_trained_on"] = posts.left_out
    return assigned, json.dumps(counts | summary)


def _kept_predictions(
    con: duckdb.DuckDBPyConnection, kept: Kept, posts: Posts, hashes: dict[str, str]
) -> list[Prediction]:
    """The kept model's prediction of each unmapped post: from PREDICTIONS where it holds one for this
    model version and the post's rule-free text (`hashes`: feedback id -> its hash), else predicted
    (then stored there, the rows of other versions dropped). A post's prediction depends only on the
    model and its own text."""
    stored = {
        str(fid): (str(digest), Prediction(str(service), float(confidence), bool(assigned)))
        for fid, digest, service, confidence, assigned in con.execute(
            f"select feedback_id, post_hash, service_id, confidence, assigned from {PREDICTIONS} "
            "where model_version = ?",
            [kept.model_version],
        ).fetchall()
    }
    missing = [fid for fid in posts.unmapped if stored.get(fid, ("", None))[0] != hashes[fid]]
    log.info("service inference: %d of %d unmapped posts not predicted before", len(missing), len(hashes))
    if missing:
        predicted = KeptModel.from_bytes(kept.model).predict([posts.texts[fid] for fid in missing])
        _store_predictions(con, kept.model_version, {fid: hashes[fid] for fid in missing}, predicted)
        stored.update((fid, (hashes[fid], p)) for fid, p in zip(missing, predicted, strict=True))
    return [stored[fid][1] for fid in posts.unmapped]


def _store_predictions(
    con: duckdb.DuckDBPyConnection, version: str, hashes: dict[str, str], predictions: list[Prediction]
) -> None:
    """Store the predictions of model `version` for the posts `hashes` holds (feedback id -> hash of
    the rule-free text), in its order, replacing theirs; rows of other versions are dropped."""
    rows = pa.table(
        {
            "model_version": [version] * len(hashes),
            "feedback_id": list(hashes),
            "post_hash": list(hashes.values()),
            "service_id": [p.service_id for p in predictions],
            "confidence": [p.confidence for p in predictions],
            "assigned": [p.assigned for p in predictions],
        },
        schema=_PREDICTION_SCHEMA,
    )
    con.execute(f"delete from {PREDICTIONS} where model_version <> ?", [version])
    _from_arrow(
        con,
        rows,
        f"delete from {PREDICTIONS} where feedback_id in (select feedback_id from new_rows); "
        f"insert into {PREDICTIONS} select * from new_rows",
        [],
    )


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _keep(
    con: duckdb.DuckDBPyConnection, classifier: ServiceClassifier | None, posts: Posts
) -> dict[str, object]:
    """Replace the kept model by `classifier` (none kept when it is None); its summary fields."""
    con.execute(f"delete from {KEPT}")
    con.execute(f"delete from {KEPT_TRAINING}")
    con.execute(f"delete from {PREDICTIONS}")
    if classifier is None:
        return {"classifier": "none: too few rule-mapped posts per service"}
    version = posts.model_version
    summary: dict[str, object] = {
        "services": len(classifier.services),
        "trained_on": classifier.trained_on,
        "threshold": round(classifier.threshold, 4),
        "out_of_fold_assigned": classifier.oof_assigned,
        "out_of_fold_correct": classifier.oof_correct,
        "model_version": version,
    }
    (fitted_at,) = con.execute("select now()::varchar").fetchone() or ("",)
    summary["model_fitted_at"] = fitted_at
    model = KeptModel.of(classifier, bytes.fromhex(version))
    con.execute(
        f"insert into {KEPT} values (?, ?, ?, ?, ?::timestamptz, ?, ?)",
        [
            version,
            settings_key(),
            len(posts.labelled),
            posts.newest_week,
            fitted_at,
            json.dumps(summary),
            model.to_bytes(),
        ],
    )
    training = pa.table(
        {
            "model_version": [version] * len(posts.labelled),
            "feedback_id": [fid for fid, _ in posts.labelled],
            "post_hash": [posts.post_hashes[fid] for fid, _ in posts.labelled],
        }
    )
    _from_arrow(con, training, f"insert into {KEPT_TRAINING} select * from new_rows", [])
    return summary


Assigned = list[tuple[str, str, float]]


def _as_table(assigned: Assigned, model_version: str | None) -> pa.Table:
    return pa.table(
        {
            "feedback_id": [fid for fid, _, _ in assigned],
            "service_id": [service for _, service, _ in assigned],
            "mapping_confidence": [confidence for _, _, confidence in assigned],
            "model_version": [model_version] * len(assigned),
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
        _from_arrow(
            con,
            _as_table(assigned, None),
            f"insert into {CACHE} "
            "select ?, feedback_id, service_id, mapping_confidence, null, now() from new_rows",
            [key],
        )


def _from_arrow(con: duckdb.DuckDBPyConnection, rows: pa.Table, sql: str, params: list[object]) -> None:
    """Run `sql`, which reads `rows` as the view `new_rows`."""
    con.register("new_rows", rows)
    try:
        con.execute(sql, params)
    finally:
        con.unregister("new_rows")


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
