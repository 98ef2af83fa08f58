-- One row per 311 service request: deduplicated, the resident's description and the city's response
-- redacted, mapped to a service by its service code or name (queue rules) or by keywords.
-- incremental: raw.service_request by source, service_request_id
-- incremental match: t.source = k.source and t.service_request_id = k.service_request_id
with requests as (
    select *
    from raw.service_request
    -- a request changed after its day is landed again on the day of the change: keep its newest state
    qualify row_number() over (
        partition by source, service_request_id order by updated_at desc nulls last, loaded_at desc
    ) = 1
),

queue_rules as (
    select * from staging.stg_queue_rules
),

-- service_keyword_matches: the source's keyword rules found in the text (civicpulse/build.py)
keyword_matches as (
    select
        found_rules.source,
        found_rules.service_request_id,
        rules.service_id
    from (
        select
            requests.source,
            requests.service_request_id,
            unnest(
                service_keyword_matches(
                    requests.source,
                    lower(coalesce(requests.service_name, '') || ' ' || coalesce(requests.description, ''))
                )
            ) as rule_order
        from requests
    ) as found_rules
    inner join ops.service_rules as rules
        on
            found_rules.source = rules.source
            and found_rules.rule_order = rules.rule_order
            and rules.rule_kind = 'keyword'
    qualify row_number() over (
        partition by found_rules.source, found_rules.service_request_id
        order by length(rules.pattern) desc, rules.rule_order asc
    ) = 1
)

select
    substr(sha256(requests.source || '|' || requests.service_request_id), 1, 24) as feedback_id,
    requests.source,
    requests.service_request_id,
    requests.requested_at,
    requests.updated_at,
    coalesce(by_code.service_id, by_name.service_id, keyword_matches.service_id, 'unmapped') as service_id,
    requests.service_code,
    requests.service_name,
    requests.status,
    requests.status = 'closed' as is_closed,
    redact_pii(requests.description) as description,
    redact_pii(requests.status_notes) as status_notes,
    requests.agency_responsible,
    requests.load_id,
    requests.loaded_at
from requests
left join queue_rules as by_code
    on requests.source = by_code.source and requests.service_code = by_code.queue
left join queue_rules as by_name
    on requests.source = by_name.source and requests.service_name = by_name.queue
left join keyword_matches
    on
        requests.source = keyword_matches.source
        and requests.service_request_id = keyword_matches.service_request_id
