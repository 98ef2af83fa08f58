-- Data-quality results: one row per expectation per validation (landing files or a warehouse table).
create schema if not exists ops;

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
