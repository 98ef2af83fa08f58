-- Sentiment per service x channel (and 'all') x grain (day, ISO week, month): volume, mean compound,
-- positive and negative shares with Wilson 95% bounds, change against the previous period.
with feedback as (
    select
        feedback.service_id,
        feedback.channel,
        feedback.occurred_on,
        sentiment.compound,
        sentiment.label
    from core.fact_feedback as feedback
    left join core.fact_feedback_sentiment as sentiment on feedback.feedback_id = sentiment.feedback_id
),

channels as (
    select * from feedback
    union all
    select
        service_id,
        'all' as channel,
        occurred_on,
        compound,
        label
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

aggregated as (
    select
        grain,
        period_start,
        service_id,
        channel,
        count(*) as volume,
        count(compound) as scored_volume,
        avg(compound) as mean_compound,
        count(*) filter (where label = 'positive') as positive_count,
        count(*) filter (where label = 'negative') as negative_count
    from grains
    group by grain, period_start, service_id, channel
),

shares as (
    select
        *,
        case
            when grain = 'day' then period_start - interval 1 day
            when grain = 'week' then period_start - interval 7 day
            else period_start - interval 1 month
        end as previous_period_start,
        1 - scored_volume / volume as unscored_share,
        positive_count / nullif(scored_volume, 0) as positive_share,
        wilson_lower(positive_count, scored_volume) as positive_share_lower,
        wilson_upper(positive_count, scored_volume) as positive_share_upper,
        negative_count / nullif(scored_volume, 0) as negative_share,
        wilson_lower(negative_count, scored_volume) as negative_share_lower,
        wilson_upper(negative_count, scored_volume) as negative_share_upper
    from aggregated
)

select
    current_period.grain,
    current_period.period_start,
    current_period.service_id,
    current_period.channel,
    current_period.volume,
    current_period.scored_volume,
    current_period.unscored_share,
    current_period.mean_compound,
    current_period.positive_count,
    current_period.positive_share,
    current_period.positive_share_lower,
    current_period.positive_share_upper,
    current_period.negative_count,
    current_period.negative_share,
    current_period.negative_share_lower,
    current_period.negative_share_upper,
    current_period.mean_compound - previous_period.mean_compound as mean_compound_change,
    current_period.negative_share - previous_period.negative_share as negative_share_change,
    current_period.volume - previous_period.volume as volume_change,
    current_period.scored_volume < 30 as is_low_volume
from shares as current_period
left join shares as previous_period
    on
        current_period.grain = previous_period.grain
        and current_period.service_id = previous_period.service_id
        and current_period.channel = previous_period.channel
        and cast(current_period.previous_period_start as date) = previous_period.period_start
