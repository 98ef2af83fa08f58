-- Every free text from every channel, the input of sentiment and theme scoring.
with social as (
    select
        feedback_id,
        source,
        'social' as channel,
        service_id,
        occurred_at,
        text
    from staging.stg_social_posts
),

calls as (
    select
        feedback_id,
        source,
        'phone' as channel,
        service_id,
        started_at as occurred_at,
        notes as text
    from staging.stg_contact_calls
    where notes is not null
),

surveys as (
    select
        feedback_id,
        source,
        'survey' as channel,
        service_id,
        submitted_at as occurred_at,
        comment as text
    from staging.stg_survey_responses
    where comment is not null
),

service_requests as (
    select
        feedback_id,
        source,
        '311' as channel,
        service_id,
        requested_at as occurred_at,
        description as text
    from staging.stg_service_requests
    where description is not null
),

unioned as (
    select * from social
    union all
    select * from calls
    union all
    select * from surveys
    union all
    select * from service_requests
)

select
    *,
    md5(text) as text_hash
from unioned
where trim(text) <> ''
