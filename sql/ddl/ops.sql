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
