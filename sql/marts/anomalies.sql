-- The unusual days and ISO weeks of every service, channel and metric: the tests of marts.anomaly_tests
-- that pass the false-discovery control, the minimum volume and the minimum change, with the direction,
-- whether the move is an improvement and example feedback. Metric families, baselines, test statistics
-- and the Benjamini-Hochberg procedure are described in sql/marts/anomaly_tests.sql and docs/warehouse.md.
-- A theme that surges in praise (positive mentions more than twice the negative ones) is an improvement.
with anomalies as (
    select
        *,
        case when observed > expected then 'up' else 'down' end as direction
    from marts.anomaly_tests
    where is_flagged
),

services as (
    select service_id
    from core.dim_service
    where not is_unmapped
),

feedback as (
    select * from service_feedback('core.fact_feedback', 'services', 'core.fact_feedback_sentiment')
),

themes as (
    select * from feedback_themes('feedback', 'core.fact_feedback_theme')
),

calls as (
    select
        calls.feedback_id,
        calls.service_id,
        calls.started_on,
        calls.wait_seconds
    from core.fact_contact as calls
    inner join services on calls.service_id = services.service_id
),

survey_ratings as (
    select
        responses.feedback_id,
        responses.service_id,
        responses.submitted_on,
        ratings.metric,
        ratings.is_good
    from core.fact_survey_response as responses
    inner join services on responses.service_id = services.service_id
    cross join
        lateral (
            values
            ('csat', coalesce(responses.is_satisfied, responses.is_trust_positive)),
            ('trust', case when responses.trust_score is not null then responses.trust_score >= 4 end),
            ('ease', case when responses.ease_score is not null then responses.ease_score >= 4 end),
            ('a11_thumbs_up', responses.is_trust_positive)
        ) as ratings (metric, is_good)
    where ratings.is_good is not null
),

-- How the records behind a theme surge feel: more mentions of a theme in praise is an improvement.
theme_tone as (
    select
        anomalies.service_id,
        anomalies.channel,
        anomalies.theme_id,
        anomalies.grain,
        anomalies.period_start,
        count(*) filter (where themes.label = 'positive') as positive_mentions,
        count(*) filter (where themes.label = 'negative') as negative_mentions
    from anomalies
    inner join themes
        on
            anomalies.service_id = themes.service_id
            and anomalies.channel = themes.channel
            and anomalies.theme_id = themes.theme_id
            and themes.occurred_on between anomalies.period_start and anomalies.period_end
    where anomalies.metric = 'theme_share'
    group by all
),

-- Example feedback for each anomaly: the records that drive it, most telling first.
example_candidates as (
    select
        'feedback_volume' as metric,
        channel,
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
        channel,
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
        channel,
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
        'call_volume' as metric,
        'phone' as channel,
        cast(null as varchar) as theme_id,
        service_id,
        occurred_on as period_day,
        feedback_id,
        coalesce(compound, 0) as up_sort_key,
        coalesce(compound, 0) as down_sort_key,
        true as is_match_up,
        true as is_match_down
    from feedback
    where channel = 'phone'
    union all
    select
        survey_ratings.metric,
        'survey' as channel,
        cast(null as varchar) as theme_id,
        survey_ratings.service_id,
        survey_ratings.submitted_on as period_day,
        survey_ratings.feedback_id,
        -coalesce(feedback.compound, 0) as up_sort_key,
        coalesce(feedback.compound, 0) as down_sort_key,
        survey_ratings.is_good as is_match_up,
        not survey_ratings.is_good as is_match_down
    from survey_ratings
    inner join feedback on survey_ratings.feedback_id = feedback.feedback_id
    union all
    select
        'median_wait_seconds' as metric,
        'phone' as channel,
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
    where calls.wait_seconds is not null
),

examples as (
    select
        anomalies.service_id,
        anomalies.channel,
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
            and anomalies.channel = candidates.channel
            and anomalies.metric = candidates.metric
            and anomalies.theme_id is not distinct from candidates.theme_id
            and candidates.period_day between anomalies.period_start and anomalies.period_end
            and (
                (anomalies.direction = 'up' and candidates.is_match_up)
                or (anomalies.direction = 'down' and candidates.is_match_down)
            )
    group by all
),

phrase_examples as (
    select
        service_id,
        term as detail,
        week_start as period_start,
        example_feedback_ids
    from marts.emerging_terms
)

select
    substr(
        sha256(
            anomalies.service_id || '|' || anomalies.channel || '|' || anomalies.metric || '|'
            || coalesce(anomalies.theme_id, '') || '|' || coalesce(anomalies.detail, '') || '|'
            || anomalies.grain || '|' || cast(anomalies.period_start as varchar)
        ),
        1,
        16
    ) as anomaly_id,
    anomalies.service_id,
    anomalies.channel,
    anomalies.metric,
    anomalies.metric_label,
    anomalies.theme_id,
    anomalies.detail,
    anomalies.grain,
    anomalies.period_start,
    anomalies.period_end,
    anomalies.observed,
    anomalies.expected,
    anomalies.observed - anomalies.expected as difference,
    anomalies.value_kind,
    anomalies.score,
    anomalies.p_value,
    anomalies.q_value,
    anomalies.direction,
    case
        when anomalies.metric = 'theme_share'
            then coalesce(theme_tone.positive_mentions > 2 * theme_tone.negative_mentions, false)
        when anomalies.metric = 'a11_driver_tick'
            then (anomalies.detail like 'positive:%') = (anomalies.direction = 'up')
        when anomalies.adverse_direction = 'either' then false
        else anomalies.direction <> anomalies.adverse_direction
    end as is_improvement,
    anomalies.sample_size,
    anomalies.baseline_periods,
    coalesce(examples.example_feedback_ids, phrase_examples.example_feedback_ids, []) as example_feedback_ids
from anomalies
left join theme_tone
    on
        anomalies.service_id = theme_tone.service_id
        and anomalies.channel = theme_tone.channel
        and anomalies.theme_id = theme_tone.theme_id
        and anomalies.grain = theme_tone.grain
        and anomalies.period_start = theme_tone.period_start
left join examples
    on
        anomalies.service_id = examples.service_id
        and anomalies.channel = examples.channel
        and anomalies.metric = examples.metric
        and anomalies.theme_id is not distinct from examples.theme_id
        and anomalies.grain = examples.grain
        and anomalies.period_start = examples.period_start
left join phrase_examples
    on
        anomalies.metric = 'emerging_phrase'
        and anomalies.service_id = phrase_examples.service_id
        and anomalies.detail = phrase_examples.detail
        and anomalies.period_start = phrase_examples.period_start
