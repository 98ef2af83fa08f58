-- One row per survey response: deduplicated, comment redacted, respondent pseudonymised, mapped to a service.
-- Responses of erased respondents (ops.erased_keys) are left out.
-- incremental: raw.survey_response by source, response_id
-- incremental match: t.feedback_id = substr(sha256(k.source || '|' || k.response_id), 1, 24)
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

-- form_matches and hint_texts are read by best_rule_match, which takes relation names
form_matches as (  -- noqa: ST03
    select
        responses.source,
        responses.response_id as record_id,
        rules.service_id,
        length(rules.pattern) as match_length,
        rules.rule_order
    from responses
    inner join rules
        on
            responses.source = rules.source
            and rules.rule_kind = 'survey_id'
            and responses.form_id = rules.pattern
),

hint_texts as (  -- noqa: ST03
    select
        source,
        response_id as record_id,
        service_hint as text
    from responses
),

-- form ids first, then keywords in config order (sql/ddl/macros.sql)
best_match as (
    select * from best_rule_match('form_matches', 'hint_texts', 'rules', false)
)

select
    substr(sha256(responses.source || '|' || responses.response_id), 1, 24) as feedback_id,
    responses.source,
    -- resident_survey_csv has no response id of its own: its respondent id stays unpublished
    case
        when responses.response_id = responses.respondent_id
            then pseudonymize(responses.source, responses.response_id)
        else responses.response_id
    end as response_id,
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
    on responses.source = best_match.source and responses.response_id = best_match.record_id
