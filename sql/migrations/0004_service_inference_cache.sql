-- The social service inference's result for one input (civicpulse/warehouse/social_service.py): a build
-- whose rule-mapped training posts, unmapped posts, classifier settings and library versions hash to
-- the `cache_key` here takes its predictions from this table instead of fitting the classifier again.
-- Only the latest key is kept. One row has no feedback_id and holds the run summary; the others are the
-- assigned posts, as in staging.social_service_inference. Ids, services and confidences only, never a
-- text or a fitted vocabulary; an erasure deletes the person's rows by feedback_id like everywhere else.
create table if not exists ops.service_inference_cache (
    cache_key varchar not null,
    feedback_id varchar,
    service_id varchar,
    mapping_confidence double,
    summary varchar,
    cached_at timestamptz not null
);
