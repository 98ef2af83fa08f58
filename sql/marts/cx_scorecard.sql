-- One row per service x month: CSAT, trust, A-11 drivers, sentiment and volume by channel,
-- wait and handle times, resolution, web self-service and digital containment.
with months as (
    select distinct
        services.service_id,
        dates.month_start
    from core.dim_service as services
    cross join core.dim_date as dates
),

surveys as (
    select
        service_id,
        cast(date_trunc('month', submitted_on) as date) as month_start,
        count(*) as survey_responses,
        count(satisfaction_score) as csat_responses,
        count(*) filter (where is_satisfied) as csat_satisfied,
        avg(case when is_satisfied then 1.0 when not is_satisfied then 0.0 end) as csat_top2_share,
        count(is_trusting) as trust_responses,
        avg(case when is_trusting then 1.0 when not is_trusting then 0.0 end) as trust_share,
        avg(ease_score) as mean_ease_score,
        count(*) filter (where survey_kind = 'touchpoints_a11_v2') as a11_responses,
        count(*) filter (where list_contains(positive_drivers, 'effectiveness')) as effectiveness_positive,
        count(*) filter (where list_contains(negative_drivers, 'effectiveness')) as effectiveness_negative,
        count(*) filter (where list_contains(positive_drivers, 'ease')) as ease_positive,
        count(*) filter (where list_contains(negative_drivers, 'ease')) as ease_negative,
        count(*) filter (where list_contains(positive_drivers, 'efficiency')) as efficiency_positive,
        count(*) filter (where list_contains(negative_drivers, 'efficiency')) as efficiency_negative,
        count(*) filter (where list_contains(positive_drivers, 'transparency')) as transparency_positive,
        count(*) filter (where list_contains(negative_drivers, 'transparency')) as transparency_negative,
        count(*) filter (where list_contains(positive_drivers, 'humanity')) as humanity_positive,
        count(*) filter (where list_contains(negative_drivers, 'humanity')) as humanity_negative,
        count(*) filter (where list_contains(positive_drivers, 'employee')) as employee_positive,
        count(*) filter (where list_contains(negative_drivers, 'employee')) as employee_negative
    from core.fact_survey_response
    group by all
),

sentiment as (
    select
        feedback.service_id,
        cast(date_trunc('month', feedback.occurred_on) as date) as month_start,
        count(*) as feedback_volume,
        count(*) filter (where feedback.channel = 'social') as social_volume,
        count(*) filter (where feedback.channel = 'phone') as phone_notes_volume,
        count(*) filter (where feedback.channel = 'survey') as survey_comment_volume,
        -- decimal sums are exact: the means are the same to the last bit whatever the row order
        avg(cast(scores.compound as decimal(18, 8))) as mean_compound,
        avg(cast(scores.compound as decimal(18, 8)))
        filter (where feedback.channel = 'social') as social_mean_compound,
        avg(cast(scores.compound as decimal(18, 8)))
        filter (where feedback.channel = 'phone') as phone_mean_compound,
        avg(cast(scores.compound as decimal(18, 8)))
        filter (where feedback.channel = 'survey') as survey_mean_compound,
        avg(case when scores.label = 'negative' then 1.0 when scores.label <> 'unscored' then 0.0 end)
            as negative_share
    from core.fact_feedback as feedback
    left join core.fact_feedback_sentiment as scores on feedback.feedback_id = scores.feedback_id
    group by all
),

calls as (
    select
        service_id,
        cast(date_trunc('month', started_on) as date) as month_start,
        count(*) as calls,
        median(wait_seconds) as median_wait_seconds,
        quantile_cont(wait_seconds, 0.9) as p90_wait_seconds,
        median(handle_seconds) as median_handle_seconds,
        quantile_cont(handle_seconds, 0.9) as p90_handle_seconds,
        avg(case when is_resolved then 1.0 when not is_resolved then 0.0 end) as resolved_share,
        avg(case when is_first_contact_resolution then 1.0 else 0.0 end) as first_contact_resolution_rate
    from core.fact_contact
    group by all
),

web as (
    select
        service_id,
        cast(date_trunc('month', visited_on) as date) as month_start,
        sum(sessions) as web_sessions,
        sum(self_service_completions) as self_service_completions,
        sum(site_searches) as site_searches
    from core.fact_web_metrics
    group by all
),

scorecard as (
    select
        months.service_id,
        months.month_start,
        surveys.csat_top2_share,
        wilson_lower(surveys.csat_satisfied, surveys.csat_responses) as csat_top2_share_lower,
        wilson_upper(surveys.csat_satisfied, surveys.csat_responses) as csat_top2_share_upper,
        coalesce(surveys.csat_responses, 0) as csat_responses,
        surveys.trust_share,
        coalesce(surveys.trust_responses, 0) as trust_responses,
        surveys.mean_ease_score,
        (surveys.effectiveness_positive - surveys.effectiveness_negative) / nullif(surveys.a11_responses, 0)
            as a11_effectiveness_net,
        (surveys.ease_positive - surveys.ease_negative) / nullif(surveys.a11_responses, 0) as a11_ease_net,
        (surveys.efficiency_positive - surveys.efficiency_negative) / nullif(surveys.a11_responses, 0)
            as a11_efficiency_net,
        (surveys.transparency_positive - surveys.transparency_negative) / nullif(surveys.a11_responses, 0)
            as a11_transparency_net,
        (surveys.humanity_positive - surveys.humanity_negative) / nullif(surveys.a11_responses, 0)
            as a11_humanity_net,
        (surveys.employee_positive - surveys.employee_negative) / nullif(surveys.a11_responses, 0)
            as a11_employee_net,
        sentiment.mean_compound,
        sentiment.negative_share,
        sentiment.social_mean_compound,
        sentiment.phone_mean_compound,
        sentiment.survey_mean_compound,
        coalesce(sentiment.feedback_volume, 0) as feedback_volume,
        coalesce(sentiment.social_volume, 0) as social_volume,
        coalesce(sentiment.phone_notes_volume, 0) as phone_notes_volume,
        coalesce(sentiment.survey_comment_volume, 0) as survey_comment_volume,
        coalesce(surveys.survey_responses, 0) as survey_responses,
        coalesce(calls.calls, 0) as calls,
        calls.median_wait_seconds,
        calls.p90_wait_seconds,
        calls.median_handle_seconds,
        calls.p90_handle_seconds,
        calls.resolved_share,
        calls.first_contact_resolution_rate,
        coalesce(web.web_sessions, 0) as web_sessions,
        coalesce(web.self_service_completions, 0) as self_service_completions,
        web.self_service_completions / nullif(web.web_sessions, 0) as self_service_rate,
        1000.0 * calls.calls / nullif(web.web_sessions, 0) as calls_per_1000_sessions,
        coalesce(web.site_searches, 0) as site_searches,
        1000.0 * web.site_searches / nullif(web.web_sessions, 0) as site_searches_per_1000_sessions
    from months
    left join surveys on months.service_id = surveys.service_id and months.month_start = surveys.month_start
    left join sentiment
        on months.service_id = sentiment.service_id and months.month_start = sentiment.month_start
    left join calls on months.service_id = calls.service_id and months.month_start = calls.month_start
    left join web on months.service_id = web.service_id and months.month_start = web.month_start
)

select
    *,
    csat_top2_share - lag(csat_top2_share) over by_service as csat_top2_share_change,
    trust_share - lag(trust_share) over by_service as trust_share_change,
    mean_compound - lag(mean_compound) over by_service as mean_compound_change,
    median_wait_seconds - lag(median_wait_seconds) over by_service as median_wait_seconds_change,
    self_service_rate - lag(self_service_rate) over by_service as self_service_rate_change,
    csat_responses < 30 as is_low_volume
from scorecard
window by_service as (partition by service_id order by month_start)
