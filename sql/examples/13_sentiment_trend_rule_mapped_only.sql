-- Weekly sentiment per service counting only feedback a rule mapped: the trend without the social
-- posts whose service was inferred (core.fact_feedback.mapping_method), beside the share left out.
select
    feedback.service_id,
    cast(date_trunc('week', feedback.occurred_on) as date) as week_start,
    count(*) filter (where feedback.mapping_method <> 'inferred') as rule_mapped_volume,
    avg(sentiment.compound) filter (where feedback.mapping_method <> 'inferred') as rule_mapped_compound,
    avg(sentiment.compound) as all_compound,
    avg(case when feedback.mapping_method = 'inferred' then 1.0 else 0 end) as inferred_share
from core.fact_feedback as feedback
left join core.fact_feedback_sentiment as sentiment on feedback.feedback_id = sentiment.feedback_id
where feedback.service_id <> 'unmapped'
group by feedback.service_id, week_start
order by feedback.service_id, week_start
