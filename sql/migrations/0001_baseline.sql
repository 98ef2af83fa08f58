-- Baseline: the warehouse's ops schema as of release 3164758, and the schemas of every layer.
-- Idempotent (if not exists) so a warehouse written before versioned migrations is adopted as is.
-- Applied migrations are never edited: a schema change is a new numbered file after this one.

-- Operational tables: load bookkeeping, quarantine, service rules and the scoring caches.
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists core;
create schema if not exists marts;
create schema if not exists ops;

create table if not exists ops.loads (
    load_id varchar primary key,
    source varchar not null,
    connector varchar not null,
    partition_day date not null,
    files varchar[],
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_duplicate bigint not null,
    rows_quarantined bigint not null,
    is_reconciled boolean not null,
    extracted_at timestamptz,
    loaded_at timestamptz not null,
    -- records of erased people (ops.erased_keys) left out: read = loaded + duplicate + quarantined + erased
    rows_erased bigint not null default 0
);

-- Warehouses created before rows_erased existed.
alter table ops.loads add column if not exists rows_erased bigint default 0;
-- Records read that belong to days outside the loaded interval: read = loaded + duplicate + quarantined
-- + erased + outside. Conflicting duplicates (same key, other content) are part of rows_duplicate.
alter table ops.loads add column if not exists rows_outside_interval bigint default 0;
alter table ops.loads add column if not exists rows_conflicting bigint default 0;
-- The newest record time in the partition as loaded: freshness from the data, not from the load clock.
alter table ops.loads add column if not exists newest_record_at timestamptz;

create table if not exists ops.quarantine (
    source varchar not null,
    partition_day date not null,
    load_id varchar not null,
    record_file varchar not null,
    record_line bigint not null,
    reason varchar not null,
    raw_record varchar,
    quarantined_at timestamptz not null
);

-- The same key read twice with different content: the kept version and each other one, by hash only.
create table if not exists ops.conflicts (
    source varchar not null,
    stream varchar not null,
    partition_day date not null,
    load_id varchar not null,
    key_hash varchar not null,
    kept_hash varchar not null,
    kept_file varchar not null,
    kept_line bigint not null,
    other_hash varchar not null,
    other_file varchar not null,
    other_line bigint not null,
    detected_at timestamptz not null
);

create table if not exists ops.services (
    service_id varchar primary key,
    service_name varchar not null,
    department varchar not null
);

create table if not exists ops.service_rules (
    source varchar not null,
    service_id varchar not null,
    rule_kind varchar not null,
    pattern varchar not null,
    match_regex varchar,
    rule_order integer not null
);

create table if not exists ops.sentiment_cache (
    text_hash varchar not null,
    scorer_version varchar not null,
    language varchar not null,
    compound double,
    pos double,
    neu double,
    neg double,
    label varchar not null,
    sentence_count integer not null,
    most_negative_sentence varchar,
    most_negative_compound double,
    scored_at timestamptz not null,
    primary key (text_hash, scorer_version)
);

create table if not exists ops.theme_cache (
    text_hash varchar not null,
    service_id varchar not null,
    taxonomy_version varchar not null,
    theme_id varchar,
    theme_label varchar,
    a11_driver varchar,
    matched_terms varchar[],
    matched_at timestamptz not null
);

create table if not exists ops.model_runs (
    run_id varchar not null,
    model varchar not null,
    kind varchar not null,
    row_count bigint,
    seconds double not null,
    finished_at timestamptz not null
);

create table if not exists ops.settings (
    key varchar primary key,
    value varchar not null
);

-- The fingerprints of the pseudonymisation keys the warehouse's pseudonyms were made with: the
-- latest row is the current key. A writer whose key has another fingerprint refuses to write;
-- `civicpulse rotate-key` adds a row naming the fingerprint it replaced.
create table if not exists ops.pseudonym_key (
    fingerprint varchar not null,
    created_at timestamptz not null,
    replaced_fingerprint varchar
);

-- Data-quality results: one row per expectation per validation (landing files or a warehouse table).

create table if not exists ops.dq_results (
    check_id varchar not null,
    run_id varchar not null,
    load_ids varchar[],
    layer varchar not null,
    suite varchar not null,
    dataset varchar not null,
    source varchar,
    partition_start date,
    partition_end date,
    expectation varchar not null,
    column_name varchar,
    severity varchar not null,
    success boolean not null,
    element_count bigint,
    unexpected_count bigint,
    observed_value varchar,
    checked_at timestamptz not null
);

-- Erasures: who was erased is never stored, only the keyed pseudonym and what was removed.
create table if not exists ops.erasures (
    erasure_id varchar primary key,
    source varchar not null,
    author_key varchar not null,
    rows_removed json not null,
    landing_rows_removed bigint not null,
    landing_files_rewritten bigint not null,
    erased_at timestamptz not null
);

-- The keyed pseudonyms of every erased person, per source (the ids given to `forget` and the ids
-- found with them): loads, staging and the extract leave records holding any of them out.
create table if not exists ops.erased_keys (
    source varchar not null,
    person_key varchar not null,
    erasure_id varchar not null
);

-- Replies to residents recorded by CX staff (`civicpulse respond`); a response takes the feedback
-- out of marts.close_the_loop at the next build.
create table if not exists ops.responses (
    feedback_id varchar not null,
    responded_at timestamptz not null,
    responded_by varchar,
    response_channel varchar,
    note varchar not null
);

-- Incremental state of API sources: the cursor of the last committed load, upserted in its transaction.

create table if not exists ops.source_state (
    source varchar primary key,
    connector varchar not null,
    through timestamptz not null,
    cursor_json varchar not null,
    load_id varchar not null,
    updated_at timestamptz not null
);

-- Terms (words and two-word phrases) of each distinct feedback text (transforms/terms.py).
create table if not exists ops.term_cache (
    text_hash varchar not null,
    tokenizer_version varchar not null,
    terms varchar[] not null,
    tokenized_at timestamptz not null,
    primary key (text_hash, tokenizer_version)
);

-- Urgency reasons found in each distinct feedback text (transforms/urgency.py), keyed by rule version.
create table if not exists ops.urgency_cache (
    text_hash varchar not null,
    urgency_version varchar not null,
    reasons varchar[] not null,
    matched_at timestamptz not null,
    primary key (text_hash, urgency_version)
);
