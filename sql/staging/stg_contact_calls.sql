-- One row per contact-centre call: deduplicated, notes redacted, caller pseudonymised,
-- queue mapped to a service. Calls of erased callers (ops.erased_keys) are left out.
-- incremental: raw.contact_call by source, call_id
-- incremental match: t.source = k.source and t.call_id = k.call_id
with calls as (
    select *
    from raw.contact_call
    where not is_erased(source, pseudonymize(source, caller_id))
    qualify row_number() over (
        partition by source, call_id
        order by loaded_at desc, partition_day desc, record_file desc, record_line desc
    ) = 1
),

queue_rules as (
    select * from staging.stg_queue_rules
)

select
    substr(sha256(calls.source || '|' || calls.call_id), 1, 24) as feedback_id,
    calls.source,
    calls.call_id,
    calls.started_at,
    calls.queue,
    coalesce(queue_rules.service_id, 'unmapped') as service_id,
    calls.wait_seconds,
    calls.handle_seconds,
    calls.disposition,
    calls.is_resolved,
    coalesce(calls.is_repeat_contact, false) as is_repeat_contact,
    pseudonymize(calls.source, calls.caller_id) as caller_key,
    calls.agent_id,
    redact_pii(calls.notes) as notes,
    calls.load_id,
    calls.loaded_at
from calls
left join queue_rules
    on calls.source = queue_rules.source and calls.queue = queue_rules.queue
