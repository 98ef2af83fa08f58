-- Website analytics per day and page path, mapped to a service by the longest matching path prefix.
-- incremental: raw.web_page_daily by source, date, page_path
-- incremental match: t.source = k.source and t.visited_on = k.date and t.page_path = k.page_path
with pages as (
    select *
    from raw.web_page_daily
    qualify row_number() over (
        partition by source, date, page_path
        order by loaded_at desc, partition_day desc, record_file desc, record_line desc
    ) = 1
),

prefix_matches as (
    select
        pages.source,
        pages.date,
        pages.page_path,
        rules.service_id
    from pages
    inner join ops.service_rules as rules
        on
            pages.source = rules.source
            and rules.rule_kind = 'path_prefix'
            and (
                pages.page_path = rules.pattern
                or starts_with(pages.page_path, rtrim(rules.pattern, '/') || '/')
                or starts_with(pages.page_path, rules.pattern || '?')
            )
    qualify row_number() over (
        partition by pages.source, pages.date, pages.page_path
        order by length(rules.pattern) desc, rules.rule_order
    ) = 1
)

select
    pages.source,
    pages.date as visited_on,
    pages.page_path,
    coalesce(prefix_matches.service_id, 'unmapped') as service_id,
    pages.sessions,
    pages.active_users,
    pages.page_views,
    pages.engagement_seconds,
    -- null when the export has no metric for them (no data), never 0
    pages.form_submits,
    pages.payments_completed,
    pages.load_id,
    pages.loaded_at
from pages
left join prefix_matches
    on
        pages.source = prefix_matches.source
        and pages.date = prefix_matches.date
        and pages.page_path = prefix_matches.page_path
