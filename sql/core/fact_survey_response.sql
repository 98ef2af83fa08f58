-- One row per survey response: CSAT, trust and ease ratings, A-11 driver checkboxes, comment.
select
    response_id,
    feedback_id,
    source,
    survey_kind,
    form_id,
    service_id,
    submitted_at,
    local_day(submitted_at) as submitted_on,
    satisfaction_score,
    trust_score,
    ease_score,
    is_trust_positive,
    case
        when satisfaction_score is not null then satisfaction_score >= 4
    end as is_satisfied,
    case
        when trust_score is not null then trust_score >= 4
        else is_trust_positive
    end as is_trusting,
    positive_drivers,
    negative_drivers,
    comment,
    respondent_key,
    load_id
from staging.stg_survey_responses
