-- How does the DMV outage (15-28 June 2026) compare with normal? Daily averages during the outage
-- against the four weeks before it, for calls, waits, web self-service and sentiment.
with periods as (
    select
        date_day,
        case
            when date_day between date '2026-06-15' and date '2026-06-28' then 'outage'
            when date_day between date '2026-05-18' and date '2026-06-14' then 'normal'
        end as period
    from core.dim_date
),

calls as (
    select
        periods.period,
        count(*) / count(distinct contacts.started_on) as calls_per_day,
        median(contacts.wait_seconds) as median_wait_seconds
    from core.fact_contact as contacts
    inner join periods on contacts.started_on = periods.date_day
    where contacts.service_id = 'drivers_licence' and periods.period is not null
    group by periods.period
),

web as (
    select
        periods.period,
        sum(metrics.self_service_completions) / sum(metrics.sessions) as self_service_rate
    from core.fact_web_metrics as metrics
    inner join periods on metrics.visited_on = periods.date_day
    where metrics.service_id = 'drivers_licence' and periods.period is not null
    group by periods.period
),

sentiment as (
    select
        periods.period,
        avg(scores.compound) as mean_compound,
        count(*) / count(distinct feedback.occurred_on) as feedback_per_day
    from core.fact_feedback as feedback
    inner join core.fact_feedback_sentiment as scores on feedback.feedback_id = scores.feedback_id
    inner join periods on feedback.occurred_on = periods.date_day
    where feedback.service_id = 'drivers_licence' and periods.period is not null
    group by periods.period
)

select
    calls.period,
    calls.calls_per_day,
    calls.median_wait_seconds,
    web.self_service_rate,
    sentiment.mean_compound,
    sentiment.feedback_per_day
from calls
inner join web on calls.period = web.period
inner join sentiment on calls.period = sentiment.period
order by calls.period desc
