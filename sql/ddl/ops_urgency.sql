-- Urgency reasons found in each distinct feedback text (transforms/urgency.py), keyed by rule version.
create table if not exists ops.urgency_cache (
    text_hash varchar not null,
    urgency_version varchar not null,
    reasons varchar[] not null,
    matched_at timestamptz not null,
    primary key (text_hash, urgency_version)
);
