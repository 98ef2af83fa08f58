-- Site-search terms of a service that are new or surging in an ISO week, against the mean weekly count of
-- the (up to) four weeks before (floored at 0.5 a week; at least two whole weeks of data before it): at
-- least 10 searches and three times that mean, with a one-sided exact Poisson tail p-value.
-- marts.anomalies puts them into its weekly false-discovery family.
with params as (
    select
        10 as min_search_term_week,
        3.0 as min_search_term_lift,
        4 as max_baseline_weeks,
        2 as min_baseline_weeks
),

services as (
    select service_id
    from core.dim_service
    where not is_unmapped
),

coverage as (
    select
        min(date_day) as first_day,
        max(date_day) as last_day
    from core.dim_date
),

-- Site-search terms of a service, weekly: new or surging against the mean of the weeks before (up to
-- four, floored at 0.5 a week); one-sided exact Poisson tail.
search_weeks as (
    select
        searches.service_id,
        searches.search_term,
        cast(date_trunc('week', searches.searched_on) as date) as period_start,
        sum(searches.searches) as term_count
    from staging.stg_web_searches as searches
    inner join services on searches.service_id = services.service_id
    group by all
),

-- The whole weeks of data before each week that its baseline may use (up to four).
baseline_weeks as (
    select distinct
        search_weeks.period_start,
        least(
            params.max_baseline_weeks,
            cast(floor((search_weeks.period_start - coverage.first_day) / 7) as integer)
        ) as weeks
    from search_weeks
    cross join coverage
    cross join params
),

search_candidates as (
    select
        current_week.service_id,
        current_week.search_term,
        current_week.period_start,
        current_week.term_count,
        any_value(baseline_weeks.weeks) as baseline_periods,
        greatest(coalesce(sum(prior_week.term_count), 0) / any_value(baseline_weeks.weeks), 0.5) as expected
    from search_weeks as current_week
    inner join baseline_weeks on current_week.period_start = baseline_weeks.period_start
    cross join coverage
    cross join params
    left join search_weeks as prior_week
        on
            current_week.service_id = prior_week.service_id
            and current_week.search_term = prior_week.search_term
            and prior_week.period_start >= current_week.period_start - 7 * baseline_weeks.weeks
            and current_week.period_start > prior_week.period_start
    where
        current_week.term_count >= params.min_search_term_week
        and baseline_weeks.weeks >= params.min_baseline_weeks
        and current_week.period_start + 6 <= coverage.last_day
    group by
        current_week.service_id,
        current_week.search_term,
        current_week.period_start,
        current_week.term_count
    having current_week.term_count >= any_value(params.min_search_term_lift) * expected
),

search_tails as (
    select
        service_id,
        search_term,
        period_start,
        expected,
        unnest(range(0, cast(term_count as bigint))) as below
    from search_candidates
),

search_p_values as (
    select
        service_id,
        search_term,
        period_start,
        greatest(
            0.0,
            1.0 - sum(exp(-expected + below * ln(expected) - lgamma(below + 1)))
        ) as p_value
    from search_tails
    group by service_id, search_term, period_start
),

search_tests as (
    select
        search_candidates.service_id,
        'web' as channel,
        'site_search_term' as metric,
        cast(null as varchar) as theme_id,
        search_candidates.search_term as detail,
        'week' as grain,
        search_candidates.period_start,
        search_candidates.period_start + 6 as period_end,
        cast(search_candidates.term_count as double) as observed,
        search_candidates.expected,
        cast(search_candidates.term_count as bigint) as sample_size,
        search_candidates.baseline_periods,
        10 as min_sample,
        cast(1.0 as double) as min_change,
        (search_candidates.term_count - search_candidates.expected)
        / search_candidates.expected as change_size,
        (search_candidates.term_count - search_candidates.expected)
        / sqrt(search_candidates.expected) as score,
        search_p_values.p_value
    from search_candidates
    inner join search_p_values
        on
            search_candidates.service_id = search_p_values.service_id
            and search_candidates.search_term = search_p_values.search_term
            and search_candidates.period_start = search_p_values.period_start
)

select * from search_tests
