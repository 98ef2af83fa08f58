-- Every metric's daily components per service and channel, the input of marts.anomalies: numerator and
-- denominator of each share or rate, or the count itself (numerator = sample_size). Feedback volume,
-- negative share and theme shares per feedback channel (social, phone, survey); web sessions, online
-- completions, self-service rate and site searches; call volume, abandonment and first-contact
-- resolution; survey CSAT, trust, ease, A-11 thumbs-up and each A-11 driver tick ('negative:ease' is an
-- ease complaint after a thumbs down, 'positive:ease' praise after a thumbs up).
with services as (
    select service_id
    from core.dim_service
    where not is_unmapped
),

days as (
    select date_day
    from core.dim_date
),

feedback as (
    select * from service_feedback('core.fact_feedback', 'services', 'core.fact_feedback_sentiment')
),

themes as (
    select * from feedback_themes('feedback', 'core.fact_feedback_theme')
),

feedback_channels as (
    select distinct channel
    from feedback
),

service_channel_days as (
    select
        services.service_id,
        feedback_channels.channel,
        days.date_day
    from services
    cross join feedback_channels
    cross join days
),

-- Daily components: numerator and denominator (or the day's values for the median wait).
volume_daily as (
    select
        service_channel_days.service_id,
        service_channel_days.channel,
        'feedback_volume' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        service_channel_days.date_day as period_day,
        cast(count(feedback.feedback_id) as double) as numerator,
        count(feedback.feedback_id) as sample_size
    from service_channel_days
    left join feedback
        on
            service_channel_days.service_id = feedback.service_id
            and service_channel_days.channel = feedback.channel
            and service_channel_days.date_day = feedback.occurred_on
    group by service_channel_days.service_id, service_channel_days.channel, service_channel_days.date_day
),

negative_daily as (
    select
        service_id,
        channel,
        'negative_share' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        occurred_on as period_day,
        cast(count(*) filter (where label = 'negative') as double) as numerator,
        count(*) filter (where label in ('positive', 'neutral', 'negative')) as sample_size
    from feedback
    group by service_id, channel, occurred_on
),

service_themes as (
    select distinct
        service_id,
        channel,
        theme_id
    from themes
),

theme_daily as (
    select
        volume_daily.service_id,
        volume_daily.channel,
        'theme_share' as metric,
        service_themes.theme_id,
        cast(null as varchar) as detail,
        volume_daily.period_day,
        cast(count(themes.feedback_id) as double) as numerator,
        any_value(volume_daily.sample_size) as sample_size
    from volume_daily
    inner join service_themes
        on
            volume_daily.service_id = service_themes.service_id
            and volume_daily.channel = service_themes.channel
    left join themes
        on
            volume_daily.service_id = themes.service_id
            and volume_daily.channel = themes.channel
            and volume_daily.period_day = themes.occurred_on
            and service_themes.theme_id = themes.theme_id
    where volume_daily.sample_size > 0
    group by volume_daily.service_id, volume_daily.channel, service_themes.theme_id, volume_daily.period_day
),

web as (
    select
        web.service_id,
        web.visited_on,
        web.sessions,
        web.self_service_completions,
        web.site_searches
    from core.fact_web_metrics as web
    inner join services on web.service_id = services.service_id
),

web_daily as (
    select
        service_id,
        'web' as channel,
        'web_sessions' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        visited_on as period_day,
        cast(sessions as double) as numerator,
        cast(sessions as bigint) as sample_size
    from web
    union all
    select
        service_id,
        'web' as channel,
        'web_completions' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        visited_on as period_day,
        cast(self_service_completions as double) as numerator,
        cast(greatest(self_service_completions, sessions) as bigint) as sample_size
    from web
    where sessions > 0
    union all
    select
        service_id,
        'web' as channel,
        'web_self_service_rate' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        visited_on as period_day,
        cast(self_service_completions as double) as numerator,
        cast(sessions as bigint) as sample_size
    from web
    where sessions > 0
    union all
    select
        service_id,
        'web' as channel,
        'site_searches' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        visited_on as period_day,
        cast(site_searches as double) as numerator,
        cast(greatest(site_searches, sessions) as bigint) as sample_size
    from web
),

calls as (
    select
        calls.feedback_id,
        calls.service_id,
        calls.started_on,
        calls.wait_seconds,
        calls.is_first_contact_resolution,
        coalesce(calls.disposition ilike '%abandon%', false) as is_abandoned
    from core.fact_contact as calls
    inner join services on calls.service_id = services.service_id
),

service_days as (
    select
        services.service_id,
        days.date_day
    from services
    cross join days
),

call_daily as (
    select
        service_days.service_id,
        'phone' as channel,
        'call_volume' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        service_days.date_day as period_day,
        cast(count(calls.service_id) as double) as numerator,
        count(calls.service_id) as sample_size
    from service_days
    left join calls
        on service_days.service_id = calls.service_id and service_days.date_day = calls.started_on
    group by service_days.service_id, service_days.date_day
    union all
    select
        service_id,
        'phone' as channel,
        'abandonment_rate' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        started_on as period_day,
        cast(count(*) filter (where is_abandoned) as double) as numerator,
        count(*) as sample_size
    from calls
    group by service_id, started_on
    union all
    select
        service_id,
        'phone' as channel,
        'first_contact_resolution' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        started_on as period_day,
        cast(count(*) filter (where is_first_contact_resolution) as double) as numerator,
        count(*) as sample_size
    from calls
    group by service_id, started_on
),

responses as (
    select
        responses.feedback_id,
        responses.service_id,
        responses.survey_kind,
        responses.submitted_on,
        responses.is_satisfied,
        case when responses.trust_score is not null then responses.trust_score >= 4 end as is_trusting,
        case when responses.ease_score is not null then responses.ease_score >= 4 end as is_easy,
        responses.is_trust_positive,
        responses.negative_drivers,
        responses.positive_drivers
    from core.fact_survey_response as responses
    inner join services on responses.service_id = services.service_id
),

-- One row per (response, rating): each rating is its own metric.
survey_ratings as (
    select
        feedback_id,
        service_id,
        submitted_on,
        'csat' as metric,
        coalesce(is_satisfied, is_trust_positive) as is_good
    from responses
    where coalesce(is_satisfied, is_trust_positive) is not null
    union all
    select
        feedback_id,
        service_id,
        submitted_on,
        'trust' as metric,
        is_trusting as is_good
    from responses
    where is_trusting is not null
    union all
    select
        feedback_id,
        service_id,
        submitted_on,
        'ease' as metric,
        is_easy as is_good
    from responses
    where is_easy is not null
    union all
    select
        feedback_id,
        service_id,
        submitted_on,
        'a11_thumbs_up' as metric,
        is_trust_positive as is_good
    from responses
    where is_trust_positive is not null and survey_kind like 'touchpoints%'
),

survey_daily as (
    select
        service_id,
        'survey' as channel,
        metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        submitted_on as period_day,
        cast(count(*) filter (where is_good) as double) as numerator,
        count(*) as sample_size
    from survey_ratings
    group by service_id, metric, submitted_on
),

-- A-11 driver ticks: the share of a service's A-11 responses that tick each driver, split by the
-- question's side ('negative:ease' is an ease complaint on a thumbs-down, 'positive:ease' praise).
a11_responses as (
    select *
    from responses
    where survey_kind like 'touchpoints%'
),

driver_ticks as (
    select
        feedback_id,
        service_id,
        submitted_on,
        'negative:' || unnest(negative_drivers) as detail
    from a11_responses
    union all
    select
        feedback_id,
        service_id,
        submitted_on,
        'positive:' || unnest(positive_drivers) as detail
    from a11_responses
),

service_drivers as (
    select distinct
        service_id,
        detail
    from driver_ticks
),

a11_daily_volume as (
    select
        service_id,
        submitted_on,
        count(*) as responses
    from a11_responses
    group by service_id, submitted_on
),

driver_daily as (
    select
        a11_daily_volume.service_id,
        'survey' as channel,
        'a11_driver_tick' as metric,
        cast(null as varchar) as theme_id,
        service_drivers.detail,
        a11_daily_volume.submitted_on as period_day,
        cast(count(driver_ticks.feedback_id) as double) as numerator,
        any_value(a11_daily_volume.responses) as sample_size
    from a11_daily_volume
    inner join service_drivers on a11_daily_volume.service_id = service_drivers.service_id
    left join driver_ticks
        on
            a11_daily_volume.service_id = driver_ticks.service_id
            and a11_daily_volume.submitted_on = driver_ticks.submitted_on
            and service_drivers.detail = driver_ticks.detail
    group by a11_daily_volume.service_id, service_drivers.detail, a11_daily_volume.submitted_on
),

ratio_daily as (
    select * from volume_daily
    union all
    select * from negative_daily
    union all
    select * from theme_daily
    union all
    select * from web_daily
    union all
    select * from call_daily
    union all
    select * from survey_daily
    union all
    select * from driver_daily
)

select * from ratio_daily
