-- Feedback that needs a human soon: urgency reasons from the text, plus the contact centre's
-- repeat-contact flag. One row per row of core.fact_feedback.
with cached as (
    select
        text_hash,
        reasons
    from ops.urgency_cache
    where urgency_version = setting('urgency_version')
),

repeat_calls as (
    select distinct feedback_id
    from core.fact_contact
    where is_repeat_contact
),

combined as (
    select
        feedback.feedback_id,
        coalesce(cached.reasons, []) as text_reasons,
        repeat_calls.feedback_id is not null as is_repeat_call
    from core.fact_feedback as feedback
    left join cached on feedback.text_hash = cached.text_hash
    left join repeat_calls on feedback.feedback_id = repeat_calls.feedback_id
),

reasons as (
    select
        feedback_id,
        case
            when is_repeat_call and not list_contains(text_reasons, 'repeat_contact')
                then list_append(text_reasons, 'repeat_contact')
            else text_reasons
        end as urgency_reasons
    from combined
)

select
    feedback_id,
    len(urgency_reasons) > 0 as is_urgent,
    cast(urgency_reasons as varchar[]) as urgency_reasons
from reasons
