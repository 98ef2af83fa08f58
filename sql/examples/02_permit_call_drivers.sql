-- Which themes drive negative calls about building permits? Share of negative call notes mentioning each
-- theme, against its share of all permit call notes.
with permit_calls as (
    select
        feedback.feedback_id,
        sentiment.label = 'negative' as is_negative
    from core.fact_feedback as feedback
    inner join core.fact_feedback_sentiment as sentiment on feedback.feedback_id = sentiment.feedback_id
    where feedback.service_id = 'building_permits' and feedback.channel = 'phone'
),

totals as (
    select
        count(*) as calls,
        count(*) filter (where is_negative) as negative_calls
    from permit_calls
)

select
    themes.theme_label,
    count(*) filter (where permit_calls.is_negative) as negative_calls,
    count(*) filter (where permit_calls.is_negative) / any_value(totals.negative_calls)
        as share_of_negative_calls,
    count(*) / any_value(totals.calls) as share_of_all_calls
from permit_calls
inner join core.fact_feedback_theme as themes on permit_calls.feedback_id = themes.feedback_id
cross join totals
group by themes.theme_label
order by negative_calls desc
