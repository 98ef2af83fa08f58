-- One row per social post with its service and how it was mapped: by a hashtag or keyword rule
-- (stg_social_post_rules), else by the city's classifier when it is confident enough
-- (social_service_inference, civicpulse/service_inference.py), else 'unmapped'.
with posts as (
    select * from staging.stg_social_post_rules
),

inferred as (
    select * from staging.social_service_inference
)

select
    posts.* replace (coalesce(
        case when posts.service_id <> 'unmapped' then posts.service_id end, inferred.service_id, 'unmapped'
    ) as service_id),
    case
        when posts.service_id <> 'unmapped' then 'rule'
        when inferred.service_id is not null then 'inferred'
        else 'unmapped'
    end as mapping_method,
    case when posts.service_id = 'unmapped' then inferred.mapping_confidence end as mapping_confidence
from posts
left join inferred on posts.feedback_id = inferred.feedback_id
