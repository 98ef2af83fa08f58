-- Website use per day and service: sessions, views, engagement, self-service completions, site searches.
with pages as (
    select
        visited_on,
        service_id,
        sum(sessions) as sessions,
        sum(active_users) as page_active_users,
        sum(page_views) as page_views,
        sum(engagement_seconds) as engagement_seconds,
        sum(form_submits) as form_submits,
        sum(payments_completed) as payments_completed
    from staging.stg_web_pages
    group by visited_on, service_id
),

searches as (
    select
        searched_on as visited_on,
        service_id,
        sum(searches) as site_searches
    from staging.stg_web_searches
    group by searched_on, service_id
)

select
    coalesce(pages.visited_on, searches.visited_on) as visited_on,
    coalesce(pages.service_id, searches.service_id) as service_id,
    coalesce(pages.sessions, 0) as sessions,
    coalesce(pages.page_active_users, 0) as page_active_users,
    coalesce(pages.page_views, 0) as page_views,
    coalesce(pages.engagement_seconds, 0) as engagement_seconds,
    -- completions stay null when no export of the day counts them: no data, not 0% self-service
    pages.form_submits,
    pages.payments_completed,
    case
        when pages.form_submits is not null or pages.payments_completed is not null
            then coalesce(pages.form_submits, 0) + coalesce(pages.payments_completed, 0)
    end as self_service_completions,
    coalesce(searches.site_searches, 0) as site_searches
from pages
full outer join searches
    on pages.visited_on = searches.visited_on and pages.service_id = searches.service_id
