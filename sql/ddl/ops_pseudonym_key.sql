-- The fingerprints of the pseudonymisation keys the warehouse's pseudonyms were made with: the
-- latest row is the current key. A writer whose key has another fingerprint refuses to write;
-- `civicpulse rotate-key` adds a row naming the fingerprint it replaced.
create table if not exists ops.pseudonym_key (
    fingerprint varchar not null,
    created_at timestamptz not null,
    replaced_fingerprint varchar
);
