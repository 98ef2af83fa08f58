-- Incremental state of API sources: the cursor of the last committed load, upserted in its transaction.
create schema if not exists ops;

create table if not exists ops.source_state (
    source varchar primary key,
    connector varchar not null,
    through timestamptz not null,
    cursor_json varchar not null,
    load_id varchar not null,
    updated_at timestamptz not null
);
