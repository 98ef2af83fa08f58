-- Every feedback record in each period it counts in: its own channel and 'all', for each grain
-- (day, ISO week starting Monday, month), with the start of the period before. The shared base
-- of the per-period trend marts. A build after new loads recomputes only the rows of the days from
-- the earliest day whose feedback changed, periods_from() (civicpulse/warehouse/incremental.py).
-- incremental periods: occurred_on reach 0 days
-- incremental input: core.fact_feedback by occurred_on
with feedback as (
    select
        feedback_id,
        service_id,
        channel,
        occurred_on
    from core.fact_feedback
    where occurred_on >= periods_from()
),

channels as (
    select
        feedback_id,
        service_id,
        channel,
        occurred_on
    from feedback
    union all
    select
        feedback_id,
        service_id,
        'all' as channel,
        occurred_on
    from feedback
),

periods as (
    select
        'day' as grain,
        occurred_on as period_start,
        *
    from channels
    union all
    select
        'week' as grain,
        cast(date_trunc('week', occurred_on) as date) as period_start,
        *
    from channels
    union all
    select
        'month' as grain,
        cast(date_trunc('month', occurred_on) as date) as period_start,
        *
    from channels
)

select
    grain,
    period_start,
    cast(
        case
            when grain = 'day' then period_start - interval 1 day
            when grain = 'week' then period_start - interval 7 day
            else period_start - interval 1 month
        end as date
    ) as previous_period_start,
    feedback_id,
    service_id,
    channel,
    occurred_on
from periods
