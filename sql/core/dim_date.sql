-- One row per day covered by any fact, with ISO week and month starts for the trend grains.
with bounds as (
    select
        min(activity_on) as first_day,
        max(activity_on) as last_day
    from (
        select occurred_on as activity_on from core.fact_feedback
        union all
        select visited_on as activity_on from core.fact_web_metrics
    ) as activity
),

days as (
    select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as date_day
    from bounds
    where first_day is not null
)

select
    date_day,
    cast(date_trunc('week', date_day) as date) as week_start,
    cast(date_trunc('month', date_day) as date) as month_start,
    isodow(date_day) as iso_day_of_week,
    isodow(date_day) in (6, 7) as is_weekend,
    yearweek(date_day) as iso_year_week
from days
