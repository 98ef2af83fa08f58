-- The kept social service classifier's prediction of each unmapped post it (or its fit) has predicted
-- (civicpulse/warehouse/social_service.py): a build predicts only the unmapped posts with no row here
-- for the kept model's version and the post's rule-free text (`post_hash`, a hash of it), and takes
-- the others from here. A prediction depends on nothing else, so it is the one the kept model gives
-- again. Rows of other model versions are dropped. Ids, hashes, services and probabilities only, never
-- a text; an erasure deletes the person's rows by feedback_id like everywhere else. Not published.
create table if not exists ops.service_inference_predictions (
    model_version varchar not null,
    feedback_id varchar not null,
    post_hash varchar not null,
    service_id varchar not null,
    confidence double not null,
    assigned boolean not null
);
