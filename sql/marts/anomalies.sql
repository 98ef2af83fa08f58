-- Days and ISO weeks whose value departs from the expected level, per service and metric: feedback volume,
-- negative share, each theme's share, CSAT, median wait, web self-service rate. Expected is a robust
-- baseline: the median of the same weekday over the previous eight weeks (day grain) or of the previous
-- eight weeks (week grain), with the spread from the median absolute deviation, floored by the sampling
-- noise of the period. A period is flagged when |score| >= 4 (day) or 3 (week), its sample reaches
-- the metric's minimum volume and the change is large enough to matter.
with metric_rules as (
    select
        rules.metric,
        rules.metric_label,
        rules.value_kind,
        rules.min_sample_day,
        rules.min_sample_week,
        rules.min_change,
        rules.adverse_direction
    from (
        values
        ('feedback_volume', 'Feedback volume', 'count', 10, 40, 0.4, 'up'),
        ('negative_share', 'Negative share', 'share', 10, 40, 0.12, 'up'),
        ('theme_share', 'Theme share', 'share', 25, 40, 0.12, 'up'),
        ('csat', 'CSAT (satisfied share)', 'share', 8, 20, 0.15, 'down'),
        ('median_wait_seconds', 'Median wait (s)', 'seconds', 8, 20, 0.3, 'up'),
        ('web_self_service_rate', 'Web self-service rate', 'rate', 100, 500, 0.25, 'down')
    ) as rules (
        metric, metric_label, value_kind, min_sample_day, min_sample_week, min_change, adverse_direction
    )
),

services as (
    select service_id
    from core.dim_service
    where not is_unmapped
),

days as (
    select
        date_day,
        week_start,
        iso_day_of_week
    from core.dim_date
),

feedback as (
    select
        feedback.feedback_id,
        feedback.service_id,
        feedback.occurred_on,
        sentiment.compound,
        sentiment.label
    from core.fact_feedback as feedback
    inner join services on feedback.service_id = services.service_id
    left join core.fact_feedback_sentiment as sentiment on feedback.feedback_id = sentiment.feedback_id
),

themes as (
    select
        feedback.feedback_id,
        feedback.service_id,
        feedback.occurred_on,
        feedback.compound,
        theme.theme_id
    from feedback
    inner join core.fact_feedback_theme as theme on feedback.feedback_id = theme.feedback_id
),

service_days as (
    select
        services.service_id,
        days.date_day
    from services
    cross join days
),

-- Daily components: numerator and denominator (or the day's values for the median wait).
volume_daily as (
    select
        service_days.service_id,
        'feedback_volume' as metric,
        cast(null as varchar) as theme_id,
        service_days.date_day as period_day,
        count(feedback.feedback_id) as numerator,
        count(feedback.feedback_id) as sample_size
    from service_days
    left join feedback
        on service_days.service_id = feedback.service_id and service_days.date_day = feedback.occurred_on
    group by service_days.service_id, service_days.date_day
),

negative_daily as (
    select
        service_id,
        'negative_share' as metric,
        cast(null as varchar) as theme_id,
        occurred_on as period_day,
        count(*) filter (where label = 'negative') as numerator,
        count(*) filter (where label in ('positive', 'neutral', 'negative')) as sample_size
    from feedback
    group by service_id, occurred_on
),

service_themes as (
    select distinct
        service_id,
        theme_id
    from themes
),

theme_daily as (
    select
        volume_daily.service_id,
        'theme_share' as metric,
        service_themes.theme_id,
        volume_daily.period_day,
        count(themes.feedback_id) as numerator,
        any_value(volume_daily.sample_size) as sample_size
    from volume_daily
    inner join service_themes on volume_daily.service_id = service_themes.service_id
    left join themes
        on
            volume_daily.service_id = themes.service_id
            and volume_daily.period_day = themes.occurred_on
            and service_themes.theme_id = themes.theme_id
    where volume_daily.sample_size > 0
    group by volume_daily.service_id, service_themes.theme_id, volume_daily.period_day
),

survey_ratings as (
    select
        responses.feedback_id,
        responses.service_id,
        responses.submitted_on,
        coalesce(responses.is_satisfied, responses.is_trust_positive) as is_satisfied
    from core.fact_survey_response as responses
    inner join services on responses.service_id = services.service_id
    where coalesce(responses.is_satisfied, responses.is_trust_positive) is not null
),

csat_daily as (
    select
        service_id,
        'csat' as metric,
        cast(null as varchar) as theme_id,
        submitted_on as period_day,
        count(*) filter (where is_satisfied) as numerator,
        count(*) as sample_size
    from survey_ratings
    group by service_id, submitted_on
),

calls as (
    select
        calls.feedback_id,
        calls.service_id,
        calls.started_on,
        calls.wait_seconds
    from core.fact_contact as calls
    inner join services on calls.service_id = services.service_id
    where calls.wait_seconds is not null
),

web_daily as (
    select
        web.service_id,
        'web_self_service_rate' as metric,
        cast(null as varchar) as theme_id,
        web.visited_on as period_day,
        cast(web.self_service_completions as double) as numerator,
        cast(web.sessions as bigint) as sample_size
    from core.fact_web_metrics as web
    inner join services on web.service_id = services.service_id
    where web.sessions > 0
),

ratio_daily as (
    select * from volume_daily
    union all
    select * from negative_daily
    union all
    select * from theme_daily
    union all
    select * from csat_daily
    union all
    select * from web_daily
),

-- Observed values per grain. Weeks count only when every day of the week lies inside the data.
coverage as (
    select
        min(date_day) as first_day,
        max(date_day) as last_day
    from days
),

ratio_periods as (
    select
        ratio_daily.service_id,
        ratio_daily.metric,
        ratio_daily.theme_id,
        'day' as grain,
        ratio_daily.period_day as period_start,
        ratio_daily.period_day as period_end,
        ratio_daily.numerator,
        ratio_daily.sample_size
    from ratio_daily
    union all
    select
        ratio_daily.service_id,
        ratio_daily.metric,
        ratio_daily.theme_id,
        'week' as grain,
        cast(date_trunc('week', ratio_daily.period_day) as date) as period_start,
        cast(date_trunc('week', ratio_daily.period_day) as date) + 6 as period_end,
        sum(ratio_daily.numerator) as numerator,
        sum(ratio_daily.sample_size) as sample_size
    from ratio_daily
    group by all
),

wait_periods as (
    select
        service_id,
        'median_wait_seconds' as metric,
        cast(null as varchar) as theme_id,
        'day' as grain,
        started_on as period_start,
        started_on as period_end,
        median(wait_seconds) as observed,
        count(*) as sample_size
    from calls
    group by service_id, started_on
    union all
    select
        service_id,
        'median_wait_seconds' as metric,
        cast(null as varchar) as theme_id,
        'week' as grain,
        cast(date_trunc('week', started_on) as date) as period_start,
        cast(date_trunc('week', started_on) as date) + 6 as period_end,
        median(wait_seconds) as observed,
        count(*) as sample_size
    from calls
    group by all
),

observed as (
    select
        service_id,
        metric,
        theme_id,
        grain,
        period_start,
        period_end,
        case
            when metric = 'feedback_volume' then numerator
            else numerator / nullif(sample_size, 0)
        end as observed,
        sample_size
    from ratio_periods
    union all
    select * from wait_periods
),

complete_periods as (
    select observed.*
    from observed
    cross join coverage
    where observed.period_start >= coverage.first_day and observed.period_end <= coverage.last_day
),

-- Baseline: same weekday over the previous eight weeks (day), or the previous eight weeks (week).
baseline as (
    select
        current_period.service_id,
        current_period.metric,
        current_period.theme_id,
        current_period.grain,
        current_period.period_start,
        any_value(current_period.period_end) as period_end,
        any_value(current_period.observed) as observed,
        any_value(current_period.sample_size) as sample_size,
        median(history.observed) as expected,
        1.4826 * mad(history.observed) as baseline_spread,
        median(history.sample_size) as expected_sample_size,
        count(history.observed) as baseline_periods
    from complete_periods as current_period
    inner join complete_periods as history
        on
            current_period.service_id = history.service_id
            and current_period.metric = history.metric
            and current_period.grain = history.grain
            and current_period.theme_id is not distinct from history.theme_id
            and history.period_start >= current_period.period_start - 56
            and history.period_start <= current_period.period_start - 7
            and isodow(history.period_start) = isodow(current_period.period_start)
    where current_period.observed is not null and history.observed is not null
    group by all
),

scored as (
    select
        baseline.*,
        metric_rules.metric_label,
        metric_rules.adverse_direction,
        metric_rules.min_change,
        case
            when baseline.grain = 'day' then metric_rules.min_sample_day else metric_rules.min_sample_week
        end as min_sample,
        case when baseline.grain = 'day' then 4.0 else 3.0 end as score_threshold,
        -- Sampling noise of one period at the expected level: Poisson for counts, binomial for shares,
        -- roughly expected / sqrt(n) for a median wait.
        case metric_rules.value_kind
            when 'count' then sqrt(greatest(baseline.expected, 1.0))
            when 'seconds' then baseline.expected / sqrt(greatest(baseline.sample_size, 1))
            else
                sqrt(
                    least(greatest(baseline.expected, 0.03), 0.97)
                    * (1 - least(greatest(baseline.expected, 0.03), 0.97))
                    / greatest(baseline.sample_size, 1)
                )
        end as sampling_noise,
        case
            when metric_rules.value_kind in ('count', 'seconds', 'rate')
                then abs(baseline.observed - baseline.expected) / nullif(baseline.expected, 0)
            else abs(baseline.observed - baseline.expected)
        end as change_size
    from baseline
    inner join metric_rules on baseline.metric = metric_rules.metric
    where baseline.baseline_periods >= 2
),

flagged as (
    select
        *,
        (observed - expected) / greatest(baseline_spread, sampling_noise, 1e-9) as score
    from scored
    where greatest(sample_size, coalesce(expected_sample_size, 0)) >= min_sample
),

anomalies as (
    select
        *,
        case when observed > expected then 'up' else 'down' end as direction
    from flagged
    where
        abs(score) >= score_threshold
        and coalesce(change_size, 1e9) >= min_change
        -- a theme that fades only because another surges is not news
        and not (metric = 'theme_share' and observed < expected)
),

-- Example feedback for each anomaly: the records that drive it, most telling first.
example_candidates as (
    select
        'feedback_volume' as metric,
        cast(null as varchar) as theme_id,
        service_id,
        occurred_on as period_day,
        feedback_id,
        coalesce(compound, 0) as up_sort_key,
        coalesce(compound, 0) as down_sort_key,
        true as is_match_up,
        true as is_match_down
    from feedback
    union all
    select
        'negative_share' as metric,
        cast(null as varchar) as theme_id,
        service_id,
        occurred_on as period_day,
        feedback_id,
        coalesce(compound, 0) as up_sort_key,
        -coalesce(compound, 0) as down_sort_key,
        label = 'negative' as is_match_up,
        label = 'positive' as is_match_down
    from feedback
    union all
    select
        'theme_share' as metric,
        theme_id,
        service_id,
        occurred_on as period_day,
        feedback_id,
        coalesce(compound, 0) as up_sort_key,
        coalesce(compound, 0) as down_sort_key,
        true as is_match_up,
        true as is_match_down
    from themes
    union all
    select
        'csat' as metric,
        cast(null as varchar) as theme_id,
        survey_ratings.service_id,
        survey_ratings.submitted_on as period_day,
        survey_ratings.feedback_id,
        -coalesce(feedback.compound, 0) as up_sort_key,
        coalesce(feedback.compound, 0) as down_sort_key,
        survey_ratings.is_satisfied as is_match_up,
        not survey_ratings.is_satisfied as is_match_down
    from survey_ratings
    inner join feedback on survey_ratings.feedback_id = feedback.feedback_id
    union all
    select
        'median_wait_seconds' as metric,
        cast(null as varchar) as theme_id,
        calls.service_id,
        calls.started_on as period_day,
        calls.feedback_id,
        -calls.wait_seconds as up_sort_key,
        calls.wait_seconds as down_sort_key,
        true as is_match_up,
        true as is_match_down
    from calls
    inner join feedback on calls.feedback_id = feedback.feedback_id
),

examples as (
    select
        anomalies.service_id,
        anomalies.metric,
        anomalies.theme_id,
        anomalies.grain,
        anomalies.period_start,
        list(
            candidates.feedback_id
            order by
                case
                    when anomalies.direction = 'up' then candidates.up_sort_key else candidates.down_sort_key
                end,
                candidates.feedback_id
        )[1:5] as example_feedback_ids
    from anomalies
    inner join example_candidates as candidates
        on
            anomalies.service_id = candidates.service_id
            and anomalies.metric = candidates.metric
            and anomalies.theme_id is not distinct from candidates.theme_id
            and candidates.period_day between anomalies.period_start and anomalies.period_end
            and (
                (anomalies.direction = 'up' and candidates.is_match_up)
                or (anomalies.direction = 'down' and candidates.is_match_down)
            )
    group by all
)

select
    substr(
        sha256(
            anomalies.service_id || '|' || anomalies.metric || '|' || coalesce(anomalies.theme_id, '') || '|'
            || anomalies.grain || '|' || cast(anomalies.period_start as varchar)
        ),
        1,
        16
    ) as anomaly_id,
    anomalies.service_id,
    anomalies.metric,
    anomalies.metric_label,
    anomalies.theme_id,
    anomalies.grain,
    anomalies.period_start,
    anomalies.period_end,
    anomalies.observed,
    anomalies.expected,
    anomalies.observed - anomalies.expected as difference,
    anomalies.score,
    anomalies.direction,
    anomalies.direction <> anomalies.adverse_direction as is_improvement,
    anomalies.sample_size,
    anomalies.baseline_periods,
    coalesce(examples.example_feedback_ids, []) as example_feedback_ids
from anomalies
left join examples
    on
        anomalies.service_id = examples.service_id
        and anomalies.metric = examples.metric
        and anomalies.theme_id is not distinct from examples.theme_id
        and anomalies.grain = examples.grain
        and anomalies.period_start = examples.period_start
