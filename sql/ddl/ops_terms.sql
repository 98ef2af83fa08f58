-- Terms (words and two-word phrases) of each distinct feedback text (transforms/terms.py).
create table if not exists ops.term_cache (
    text_hash varchar not null,
    tokenizer_version varchar not null,
    terms varchar[] not null,
    tokenized_at timestamptz not null,
    primary key (text_hash, tokenizer_version)
);
