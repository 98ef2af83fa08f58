-- Site-search terms per day, mapped to a service by the source's keyword rules when it has any.
with searches as (
    select *
    from raw.web_search_daily
    qualify row_number() over (
        partition by source, date, search_term
        order by loaded_at desc, partition_day desc, record_file desc, record_line desc
    ) = 1
),

-- service_keyword_matches: the source's keyword rules found in the text (civicpulse/build.py)
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
            unnest(service_keyword_matches(searches.source, lower(searches.search_term))) as rule_order
        from searches
    ) as found_rules
    inner join ops.service_rules as rules
        on
            found_rules.source = rules.source
            and found_rules.rule_order = rules.rule_order
            and rules.rule_kind = 'keyword'
    qualify row_number() over (
        partition by found_rules.source, found_rules.date, found_rules.search_term
        order by length(rules.pattern) desc, rules.rule_order
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
