-- Theme mentions per service x channel (and 'all') x theme x grain: mentions, share of the service's
-- feedback in the period, change in share against the previous period.
-- A build after new loads recomputes only the periods from 30 days before the earliest day whose
-- feedback changed (a month reaches 30 days past its start; later periods read it as their previous
-- period), periods_from(), reading those periods and the ones before them (incremental.py).
-- incremental periods: period_start reach 30 days
-- incremental input: core.feedback_periods by occurred_on
-- incremental input: core.fact_feedback_theme by occurred_on of core.fact_feedback on feedback_id
with volumes as (
    select
        grain,
        period_start,
        service_id,
        channel,
        count(*) as feedback_volume
    from core.feedback_periods
    -- the periods recomputed and the ones before them
    where period_start >= periods_from() - interval 1 month
    group by grain, period_start, service_id, channel
),

mentions as (
    select
        periods.grain,
        periods.period_start,
        periods.previous_period_start,
        periods.service_id,
        periods.channel,
        themes.theme_id,
        any_value(themes.theme_label) as theme_label,
        any_value(themes.a11_driver) as a11_driver,
        count(*) as mentions
    from core.feedback_periods as periods
    inner join core.fact_feedback_theme as themes on periods.feedback_id = themes.feedback_id
    where periods.period_start >= periods_from() - interval 1 month
    group by
        periods.grain,
        periods.period_start,
        periods.previous_period_start,
        periods.service_id,
        periods.channel,
        themes.theme_id
),

shares as (
    select
        mentions.*,
        volumes.feedback_volume,
        mentions.mentions / volumes.feedback_volume as mention_share
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
        and current_period.previous_period_start = previous_period.period_start
