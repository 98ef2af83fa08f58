-- Each build that passed its quality gate and was published (civicpulse/warehouse/build.py): how it
-- ran ('full' or 'incremental'), the newest load it includes and a fingerprint of the model code and
-- settings; and the (source, day) partitions loaded since the build before it. A build with no new
-- load, the same fingerprint and no rebuild since (an erasure or a response) has nothing to do.
create table if not exists ops.builds (
    run_id varchar not null,
    build_mode varchar not null,
    partitions_changed bigint not null,
    loads_through timestamptz,
    fingerprint varchar not null,
    built_at timestamptz not null
);

create table if not exists ops.build_partitions (
    run_id varchar not null,
    source varchar not null,
    partition_day date not null
);
