-- Sentiment per service x channel (and 'all') x grain (day, ISO week, month): volume, mean compound,
-- positive and negative shares with Wilson 95% bounds, change against the previous period.
with grains as (
    select
        periods.grain,
        periods.period_start,
        periods.previous_period_start,
        periods.service_id,
        periods.channel,
        sentiment.compound,
        sentiment.label
    from core.feedback_periods as periods
    left join core.fact_feedback_sentiment as sentiment on periods.feedback_id = sentiment.feedback_id
),

aggregated as (
    select
        grain,
        period_start,
        previous_period_start,
        service_id,
        channel,
        count(*) as volume,
        count(compound) as scored_volume,
        -- a decimal sum is exact, so the mean is the same to the last bit whatever the row order
        avg(cast(compound as decimal(18, 8))) as mean_compound,
        count(*) filter (where label = 'positive') as positive_count,
        count(*) filter (where label = 'negative') as negative_count
    from grains
    group by grain, period_start, previous_period_start, service_id, channel
),

shares as (
    select
        *,
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
        and current_period.previous_period_start = previous_period.period_start
