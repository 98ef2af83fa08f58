-- Fields of a vendor export that no landing column takes (civicpulse/unused_fields.py): a GA4 metric or
-- Matomo goal no completion column counts, a CSV column the parser does not read. One row per source,
-- file and field; a rerun of the file's extract replaces its rows and keeps first_seen_at.
-- Names and counts only, never a value: no personal data.
create table if not exists ops.unused_fields (
    source varchar not null,
    record_file varchar not null,
    field varchar not null,
    rows_with_field bigint not null,
    reason varchar not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    load_id varchar not null
);
