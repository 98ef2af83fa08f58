-- Did the permits staffing change (15 July 2026) shorten waits and lift sentiment? Weekly median wait and
-- mean sentiment for building permits.
with waits as (
    select
        cast(date_trunc('week', started_on) as date) as week_start,
        median(wait_seconds) as median_wait_seconds,
        count(*) as calls
    from core.fact_contact
    where service_id = 'building_permits'
    group by all
)

select
    waits.week_start,
    waits.calls,
    waits.median_wait_seconds,
    trend.mean_compound,
    trend.negative_share,
    waits.week_start >= date '2026-07-13' as is_after_change
from waits
left join marts.service_sentiment_trend as trend
    on
        waits.week_start = trend.period_start
        and trend.grain = 'week'
        and trend.service_id = 'building_permits'
        and trend.channel = 'all'
order by waits.week_start
