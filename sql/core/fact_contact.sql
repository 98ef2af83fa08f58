-- One row per contact-centre call: queue, wait and handle time, resolution, first-contact resolution.
select
    call_id,
    feedback_id,
    source,
    service_id,
    queue,
    started_at,
    local_day(started_at) as started_on,
    wait_seconds,
    handle_seconds,
    disposition,
    is_resolved,
    is_repeat_contact,
    coalesce(is_resolved, false) and not is_repeat_contact as is_first_contact_resolution,
    caller_key,
    agent_id,
    load_id
from staging.stg_contact_calls
