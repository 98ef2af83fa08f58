-- Negative or urgent feedback that nobody has answered yet, per service, oldest and most urgent first.
-- A reply recorded in ops.responses (`civicpulse respond`) removes the item. Call notes are listed only
-- when the call was not resolved (a resolved call was answered on the phone); reposts are left out, as
-- the original post is the one to answer. Age is counted from the newest feedback day in the warehouse
-- (as_of_on), so a rebuild of the same data gives the same queue.
with feedback as (
    select
        feedback.feedback_id,
        feedback.source,
        feedback.channel,
        feedback.platform,
        feedback.service_id,
        feedback.occurred_at,
        feedback.occurred_on,
        feedback.text,
        feedback.author_key,
        feedback.source_ref,
        feedback.is_repost
    from core.fact_feedback as feedback
),

as_of as (
    select max(occurred_on) as as_of_on
    from feedback
),

calls as (
    select
        feedback_id,
        is_resolved
    from core.fact_contact
),

responses as (
    select
        feedback_id,
        max(responded_at) as responded_at
    from ops.responses
    group by feedback_id
),

candidates as (
    select
        feedback.*,
        sentiment.compound,
        sentiment.label,
        coalesce(urgency.is_urgent, false) as is_urgent,
        coalesce(urgency.urgency_reasons, []) as urgency_reasons,
        calls.is_resolved as is_call_resolved
    from feedback
    left join core.fact_feedback_sentiment as sentiment on feedback.feedback_id = sentiment.feedback_id
    left join core.fact_feedback_urgency as urgency on feedback.feedback_id = urgency.feedback_id
    left join calls on feedback.feedback_id = calls.feedback_id
    left join responses on feedback.feedback_id = responses.feedback_id
    where
        responses.feedback_id is null
        and not coalesce(feedback.is_repost, false)
        and (sentiment.label = 'negative' or coalesce(urgency.is_urgent, false))
        and (feedback.channel <> 'phone' or not coalesce(calls.is_resolved, false))
)

select
    candidates.feedback_id,
    candidates.service_id,
    candidates.channel,
    candidates.platform,
    candidates.source,
    candidates.occurred_at,
    candidates.occurred_on,
    as_of.as_of_on,
    as_of.as_of_on - candidates.occurred_on as age_days,
    candidates.text,
    candidates.compound,
    candidates.label = 'negative' as is_negative,
    candidates.is_urgent,
    candidates.urgency_reasons,
    candidates.author_key is not null as is_contactable,
    candidates.source_ref,
    case
        when candidates.channel = 'social' then 'post_url'
        when candidates.channel = 'phone' then 'call_id'
        when candidates.channel = 'survey' then 'survey_response_id'
        else 'source_id'
    end as source_ref_kind,
    case when candidates.source_ref like 'http%' then candidates.source_ref end as source_url,
    row_number() over (
        partition by candidates.service_id
        order by
            candidates.is_urgent desc,
            candidates.compound asc nulls last,
            candidates.occurred_at asc,
            candidates.feedback_id asc
    ) as queue_rank
from candidates
cross join as_of
