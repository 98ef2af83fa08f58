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

unioned as (
    select * from social
    union all
    select * from calls
    union all
    select * from surveys
)

select
    *,
    md5(text) as text_hash
from unioned
where trim(text) <> ''
