-- The social service classifier kept between builds (civicpulse/warehouse/social_service.py): a build
-- predicts the unmapped posts with it and fits a new one only when the training posts changed
-- materially (docs/service-inference.md, "Refit policy"). One row per kept model, the latest only: its
-- arrays (NumPy .npz: keyed 64-bit hashes of its n-grams, never an n-gram's text; idf; coefficients;
-- threshold) and what it was fitted on. ops.service_inference_training holds the feedback ids it was
-- fitted on, with a hash of each post's rule-free text and label: an erasure deletes the person's rows
-- there by feedback_id, and the build after it (the erasure's own) finds the model's training posts
-- incomplete, drops the model and fits a new one.
create table if not exists ops.service_inference_model (
    model_version varchar not null,
    settings_key varchar not null,
    training_posts bigint not null,
    newest_week varchar,
    fitted_at timestamptz not null,
    fit_summary varchar not null,
    model blob not null
);

create table if not exists ops.service_inference_training (
    model_version varchar not null,
    feedback_id varchar not null,
    post_hash varchar not null
);
