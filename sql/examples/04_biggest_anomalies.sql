-- What were the most unusual weeks, and what were residents saying? The ten largest weekly anomalies
-- with the first example verbatim.
select
    anomalies.service_id,
    anomalies.period_start,
    anomalies.metric,
    anomalies.theme_id,
    anomalies.observed,
    anomalies.expected,
    anomalies.score,
    feedback.text as example_text
from marts.anomalies as anomalies
left join core.fact_feedback as feedback on anomalies.example_feedback_ids[1] = feedback.feedback_id
where anomalies.grain = 'week'
order by abs(anomalies.score) desc
limit 10
