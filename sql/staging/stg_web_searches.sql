-- Site-search terms per day, mapped to a service by keyword rules (the web source's own first).
-- incremental: raw.web_search_daily by source, date, search_term
-- incremental match: t.source = k.source and t.searched_on = k.date
-- incremental match: t.search_term = lower(trim(k.search_term))
with searches as (
    select *
    from raw.web_search_daily
    qualify row_number() over (
        partition by source, date, search_term
        order by loaded_at desc, partition_day desc, record_file desc, record_line desc
    ) = 1
),

-- Sources whose service_map has keyword rules. A site-search term is matched by its own web source's
-- keyword rules first and then by every other source's: a web source is usually mapped by page paths only,
-- and the words residents type into the site's search box are the words they use in posts and surveys.
rule_sources as (
    select distinct source
    from ops.service_rules
    where rule_kind = 'keyword'
),

-- service_keyword_matches: a source's keyword rules found in the text (civicpulse/build.py)
keyword_matches as (
    select
        found_rules.source,
        found_rules.date,
        found_rules.search_term,
        rules.service_id
    from (
        select
            searches.source,
            searches.date,
            searches.search_term,
            rule_sources.source as rule_source,
            unnest(service_keyword_matches(rule_sources.source, lower(searches.search_term))) as rule_order
        from searches
        cross join rule_sources
    ) as found_rules
    inner join ops.service_rules as rules
        on
            found_rules.rule_source = rules.source
            and found_rules.rule_order = rules.rule_order
            and rules.rule_kind = 'keyword'
    qualify row_number() over (
        partition by found_rules.source, found_rules.date, found_rules.search_term
        order by
            found_rules.rule_source = found_rules.source desc,
            length(rules.pattern) desc,
            rules.source asc,
            rules.rule_order asc
    ) = 1
)

select
    searches.source,
    searches.date as searched_on,
    lower(trim(searches.search_term)) as search_term,
    coalesce(keyword_matches.service_id, 'unmapped') as service_id,
    searches.searches,
    searches.sessions,
    searches.load_id,
    searches.loaded_at
from searches
left join keyword_matches
    on
        searches.source = keyword_matches.source
        and searches.date = keyword_matches.date
        and searches.search_term = keyword_matches.search_term
