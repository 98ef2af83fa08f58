-- Site-search terms per day, mapped to a service by the source's keyword rules when it has any.
with searches as (
    select *
    from raw.web_search_daily
    qualify row_number() over (
        partition by source, date, search_term
        order by loaded_at desc, partition_day desc, record_file desc, record_line desc
    ) = 1
),

keyword_matches as (
    select
        searches.source,
        searches.date,
        searches.search_term,
        rules.service_id
    from searches
    inner join ops.service_rules as rules
        on
            searches.source = rules.source
            and rules.rule_kind = 'keyword'
            and regexp_matches(lower(searches.search_term), rules.match_regex)
    qualify row_number() over (
        partition by searches.source, searches.date, searches.search_term
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
