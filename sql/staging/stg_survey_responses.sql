-- One row per survey response: deduplicated, comment redacted, respondent pseudonymised, mapped to a service.
-- Responses of erased respondents (ops.erased_keys) are left out.
with responses as (
    select *
    from raw.survey_response
    where not is_erased(source, pseudonymize(source, respondent_id))
    qualify row_number() over (
        partition by source, response_id
        order by loaded_at desc, partition_day desc, record_file desc, record_line desc
    ) = 1
),

rules as (
    select * from ops.service_rules
),

form_matches as (
    select
        responses.source,
        responses.response_id,
        rules.service_id,
        0 as match_rank,
        rules.rule_order
    from responses
    inner join rules
        on
            responses.source = rules.source
            and rules.rule_kind = 'survey_id'
            and responses.form_id = rules.pattern
),

-- service_keyword_matches: the source's keyword rules found in the text (civicpulse/build.py)
keyword_matches as (
    select
        found_rules.source,
        found_rules.response_id,
        rules.service_id,
        1 as match_rank,
        rules.rule_order
    from (
        select
            responses.source,
            responses.response_id,
            unnest(service_keyword_matches(responses.source, lower(responses.service_hint))) as rule_order
        from responses
    ) as found_rules
    inner join rules
        on
            found_rules.source = rules.source
            and found_rules.rule_order = rules.rule_order
            and rules.rule_kind = 'keyword'
),

best_match as (
    select
        source,
        response_id,
        service_id
    from (
        select * from form_matches
        union all
        select * from keyword_matches
    ) as matches
    qualify row_number() over (partition by source, response_id order by match_rank asc, rule_order asc) = 1
)

select
    substr(sha256(responses.source || '|' || responses.response_id), 1, 24) as feedback_id,
    responses.source,
    responses.response_id,
    responses.submitted_at,
    responses.survey_kind,
    responses.form_id,
    responses.service_hint,
    coalesce(best_match.service_id, 'unmapped') as service_id,
    pseudonymize(responses.source, responses.respondent_id) as respondent_key,
    responses.satisfaction_score,
    responses.trust_score,
    responses.ease_score,
    responses.is_trust_positive,
    coalesce(responses.positive_drivers, []) as positive_drivers,
    coalesce(responses.negative_drivers, []) as negative_drivers,
    nullif(trim(redact_pii(responses.comment)), '') as comment,
    responses.load_id,
    responses.loaded_at
from responses
left join best_match
    on responses.source = best_match.source and responses.response_id = best_match.response_id
