-- One row per piece of free-text feedback from any channel: redacted text, pseudonymised author.
with texts as (
    select * from staging.stg_feedback_texts
),

social as (
    select
        feedback_id,
        platform,
        author_key,
        reported_language,
        source_url as source_ref,
        is_repost,
        cast(null as bigint) as rating,
        mapping_method,
        mapping_confidence
    from staging.stg_social_posts
),

calls as (
    select
        feedback_id,
        'contact_centre' as platform,
        caller_key as author_key,
        cast(null as varchar) as reported_language,
        call_id as source_ref,
        false as is_repost,
        cast(null as bigint) as rating,
        case when service_id = 'unmapped' then 'unmapped' else 'rule' end as mapping_method,
        cast(null as double) as mapping_confidence
    from staging.stg_contact_calls
),

surveys as (
    select
        feedback_id,
        survey_kind as platform,
        respondent_key as author_key,
        cast(null as varchar) as reported_language,
        response_id as source_ref,
        false as is_repost,
        satisfaction_score as rating,
        case when service_id = 'unmapped' then 'unmapped' else 'rule' end as mapping_method,
        cast(null as double) as mapping_confidence
    from staging.stg_survey_responses
),

service_requests as (
    select
        feedback_id,
        'open311' as platform,
        cast(null as varchar) as author_key,
        cast(null as varchar) as reported_language,
        service_request_id as source_ref,
        false as is_repost,
        cast(null as bigint) as rating,
        case when service_id = 'unmapped' then 'unmapped' else 'rule' end as mapping_method,
        cast(null as double) as mapping_confidence
    from staging.stg_service_requests
),

details as (
    select * from social
    union all
    select * from calls
    union all
    select * from surveys
    union all
    select * from service_requests
),

sentiment as (
    select
        text_hash,
        language,
        scorer_version
    from ops.sentiment_cache
    where scorer_version = setting('scorer_version')
),

-- The versions that decided the row's figures, so a trend can be checked for one model throughout.
themes as (
    select distinct
        text_hash,
        service_id,
        taxonomy_version
    from ops.theme_cache
    where taxonomy_version = setting('taxonomy_version')
)

select
    texts.feedback_id,
    texts.source,
    texts.channel,
    details.platform,
    texts.service_id,
    texts.occurred_at,
    local_day(texts.occurred_at) as occurred_on,
    texts.text,
    texts.text_hash,
    details.author_key,
    coalesce(sentiment.language, details.reported_language, 'und') as language,
    details.rating,
    details.is_repost,
    details.source_ref,
    details.mapping_method,
    details.mapping_confidence,
    sentiment.scorer_version,
    case when sentiment.language is not null then setting('detector_version') end as detector_version,
    themes.taxonomy_version
from texts
inner join details on texts.feedback_id = details.feedback_id
left join sentiment on texts.text_hash = sentiment.text_hash
left join themes on texts.text_hash = themes.text_hash and texts.service_id = themes.service_id
