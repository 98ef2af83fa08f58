-- Theme mentions per service x channel (and 'all') x theme x grain: mentions, share of the service's
-- feedback in the period, change in share against the previous period.
with feedback as (
    select
        feedback_id,
        service_id,
        channel,
        occurred_on
    from core.fact_feedback
),

channels as (
    select * from feedback
    union all
    select
        feedback_id,
        service_id,
        'all' as channel,
        occurred_on
    from feedback
),

grains as (
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
),

volumes as (
    select
        grain,
        period_start,
        service_id,
        channel,
        count(*) as feedback_volume
    from grains
    group by grain, period_start, service_id, channel
),

mentions as (
    select
        grains.grain,
        grains.period_start,
        grains.service_id,
        grains.channel,
        themes.theme_id,
        any_value(themes.theme_label) as theme_label,
        any_value(themes.a11_driver) as a11_driver,
        count(*) as mentions
    from grains
    inner join core.fact_feedback_theme as themes on grains.feedback_id = themes.feedback_id
    group by grains.grain, grains.period_start, grains.service_id, grains.channel, themes.theme_id
),

shares as (
    select
        mentions.*,
        volumes.feedback_volume,
        mentions.mentions / volumes.feedback_volume as mention_share,
        case
            when mentions.grain = 'day' then mentions.period_start - interval 1 day
            when mentions.grain = 'week' then mentions.period_start - interval 7 day
            else mentions.period_start - interval 1 month
        end as previous_period_start
    from mentions
    inner join volumes
        on
            mentions.grain = volumes.grain
            and mentions.period_start = volumes.period_start
            and mentions.service_id = volumes.service_id
            and mentions.channel = volumes.channel
)

select
    current_period.grain,
    current_period.period_start,
    current_period.service_id,
    current_period.channel,
    current_period.theme_id,
    current_period.theme_label,
    current_period.a11_driver,
    current_period.mentions,
    current_period.feedback_volume,
    current_period.mention_share,
    wilson_lower(current_period.mentions, current_period.feedback_volume) as mention_share_lower,
    wilson_upper(current_period.mentions, current_period.feedback_volume) as mention_share_upper,
    coalesce(previous_period.mentions, 0) as previous_mentions,
    current_period.mention_share - coalesce(previous_period.mention_share, 0) as mention_share_change,
    current_period.feedback_volume < 30 as is_low_volume
from shares as current_period
left join shares as previous_period
    on
        current_period.grain = previous_period.grain
        and current_period.service_id = previous_period.service_id
        and current_period.channel = previous_period.channel
        and current_period.theme_id = previous_period.theme_id
        and cast(current_period.previous_period_start as date) = previous_period.period_start
