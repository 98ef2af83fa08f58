-- Every test behind marts.anomalies: days and ISO weeks compared with their expected level, per service,
-- channel and metric: every metric family of marts.metric_daily, median phone wait, new or surging
-- site-search terms (marts.search_term_surges) and emerging phrases (marts.emerging_terms).
-- Expected is a robust baseline on a fixed window: the median of the same weekday over the previous
-- eight weeks (day grain) or of the previous eight weeks (week grain), with the spread from the median
-- absolute deviation (x 1.4826), floored by the sampling noise of the period: Poisson at the expected
-- level x 1.5 for counts (posts, calls and visits cluster), binomial at the midpoint of expected and
-- observed for shares, expected / sqrt(n) for a median wait. The robust z score gives a two-sided normal
-- p-value (search terms: exact Poisson tail; phrases: exact binomial tail, and only p <= 1e-5, since
-- marts.emerging_terms keeps only the significant terms of the many it tried). Benjamini-Hochberg
-- gives each test a q-value within its family: every test of one grain and period (all services,
-- channels and metrics of that day or week); the screened search-term and phrase tests do not count
-- in the metric tests' family (see ranked_tests). is_flagged: q within the grain's false discovery rate
-- (0.0005 a day, 0.05 a week), the sample reaches the metric's minimum volume and the change its minimum.
-- A build after new loads compares its inputs' rows day by day with those before it and recomputes only the
-- periods from 6 days before the earliest day that changed (a week reaches 6 days past its start, baselines
-- look back only, a phrase's example feedback lie in its week); any change of core.dim_service recomputes
-- all (civicpulse/warehouse/incremental.py). periods_from() is the first period recomputed.
-- incremental periods: period_start reach 6 days
-- incremental input: marts.metric_daily by period_day
-- incremental input: core.fact_contact by started_on
-- incremental input: core.dim_date by date_day
-- incremental input: marts.search_term_surges by period_start
-- incremental input: marts.emerging_terms by week_start
-- incremental input: core.fact_feedback by occurred_on
with params as (
    select
        0.0005 as fdr_day,
        0.05 as fdr_week,
        -- marts.emerging_terms lists only the significant terms of many it tried: an alarm needs more
        1e-5 as max_phrase_p
),

metric_rules as (
    select
        rules.metric,
        rules.metric_label,
        rules.value_kind,
        rules.min_sample_day,
        rules.min_sample_week,
        cast(rules.min_change as double) as min_change,
        rules.adverse_direction
    from (
        values
        ('feedback_volume', 'Feedback volume', 'count', 10, 40, 0.4, 'up'),
        ('negative_share', 'Negative share', 'share', 20, 40, 0.12, 'up'),
        ('theme_share', 'Theme share', 'share', 25, 40, 0.12, 'up'),
        ('web_sessions', 'Web sessions', 'count', 200, 1000, 0.3, 'either'),
        ('web_completions', 'Online completions', 'count', 30, 150, 0.3, 'down'),
        ('web_self_service_rate', 'Web self-service rate', 'rate', 100, 500, 0.25, 'down'),
        ('site_searches', 'Site searches', 'count', 20, 100, 0.5, 'up'),
        ('site_search_term', 'Site-search term', 'count', 0, 10, 1.0, 'up'),
        ('call_volume', 'Call volume', 'count', 10, 50, 0.3, 'up'),
        ('abandonment_rate', 'Abandoned calls', 'share', 30, 50, 0.08, 'up'),
        ('median_wait_seconds', 'Median wait (s)', 'seconds', 12, 20, 0.3, 'up'),
        ('first_contact_resolution', 'First-contact resolution', 'share', 30, 50, 0.12, 'down'),
        ('csat', 'CSAT (satisfied share)', 'share', 30, 25, 0.15, 'down'),
        ('trust', 'Trust (trusting share)', 'share', 30, 25, 0.15, 'down'),
        ('ease', 'Ease (easy share)', 'share', 30, 25, 0.15, 'down'),
        ('a11_thumbs_up', 'A-11 thumbs-up share', 'share', 30, 25, 0.15, 'down'),
        ('a11_driver_tick', 'A-11 driver ticked', 'share', 30, 50, 0.2, 'up'),
        ('emerging_phrase', 'Emerging phrase', 'count', 0, 5, 1.0, 'up')
    ) as rules (
        metric, metric_label, value_kind, min_sample_day, min_sample_week, min_change, adverse_direction
    )
),


services as (
    select service_id
    from core.dim_service
    where not is_unmapped
),

days as (
    select date_day
    from core.dim_date
),

-- Only the days the periods from periods_from() and their baselines cover: a week starting 56 days
-- before it or later keeps all its days (earlier weeks, cut short here, are not used).
ratio_daily as (
    select *
    from marts.metric_daily
    where period_day + 56 >= periods_from()
),

calls as (
    select
        calls.feedback_id,
        calls.service_id,
        calls.started_on,
        calls.wait_seconds
    from core.fact_contact as calls
    inner join services on calls.service_id = services.service_id
    where calls.started_on + 56 >= periods_from()
),

-- Observed values per grain. Weeks count only when every day of the week lies inside the data.
coverage as (
    select
        min(date_day) as first_day,
        max(date_day) as last_day
    from days
),

ratio_periods as (
    select
        service_id,
        channel,
        metric,
        theme_id,
        detail,
        'day' as grain,
        period_day as period_start,
        period_day as period_end,
        numerator,
        sample_size
    from ratio_daily
    union all
    select
        service_id,
        channel,
        metric,
        theme_id,
        detail,
        'week' as grain,
        cast(date_trunc('week', period_day) as date) as period_start,
        cast(date_trunc('week', period_day) as date) + 6 as period_end,
        sum(numerator) as numerator,
        cast(sum(sample_size) as bigint) as sample_size
    from ratio_daily
    group by all
),

wait_periods as (
    select
        service_id,
        'phone' as channel,
        'median_wait_seconds' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        'day' as grain,
        started_on as period_start,
        started_on as period_end,
        median(wait_seconds) as observed,
        count(*) as sample_size
    from calls
    where wait_seconds is not null
    group by service_id, started_on
    union all
    select
        service_id,
        'phone' as channel,
        'median_wait_seconds' as metric,
        cast(null as varchar) as theme_id,
        cast(null as varchar) as detail,
        'week' as grain,
        cast(date_trunc('week', started_on) as date) as period_start,
        cast(date_trunc('week', started_on) as date) + 6 as period_end,
        median(wait_seconds) as observed,
        count(*) as sample_size
    from calls
    where wait_seconds is not null
    group by all
),

observed as (
    select
        ratio_periods.service_id,
        ratio_periods.channel,
        ratio_periods.metric,
        ratio_periods.theme_id,
        ratio_periods.detail,
        ratio_periods.grain,
        ratio_periods.period_start,
        ratio_periods.period_end,
        case
            when metric_rules.value_kind = 'count' then ratio_periods.numerator
            else ratio_periods.numerator / nullif(ratio_periods.sample_size, 0)
        end as observed,
        ratio_periods.sample_size
    from ratio_periods
    inner join metric_rules on ratio_periods.metric = metric_rules.metric
    union all
    select * from wait_periods
),

complete_periods as (
    select observed.*
    from observed
    cross join coverage
    where
        observed.period_start >= coverage.first_day
        and observed.period_end <= coverage.last_day
        -- the current periods and their baselines' eight weeks
        and observed.period_start + 56 >= periods_from()
),

-- The periods that can become a test: a share, rate or median needs its minimum sample (robust_tests);
-- a count may fall below it, so every count period stays. Filtered before the baseline, whose medians
-- over every period of the history are most of this model's cost.
testable_periods as (
    select complete_periods.*
    from complete_periods
    inner join metric_rules on complete_periods.metric = metric_rules.metric
    where
        complete_periods.observed is not null
        and complete_periods.period_start >= periods_from()
        and (
            metric_rules.value_kind = 'count'
            or complete_periods.sample_size
            >= case
                when complete_periods.grain = 'day' then metric_rules.min_sample_day
                else metric_rules.min_sample_week
            end
        )
),

-- Baseline: same weekday over the previous eight weeks (day), or the previous eight weeks (week).
baseline as (
    select
        current_period.service_id,
        current_period.channel,
        current_period.metric,
        current_period.theme_id,
        current_period.detail,
        current_period.grain,
        current_period.period_start,
        any_value(current_period.period_end) as period_end,
        any_value(current_period.observed) as observed,
        any_value(current_period.sample_size) as sample_size,
        median(history.observed) as expected,
        1.4826 * mad(history.observed) as baseline_spread,
        median(history.sample_size) as expected_sample_size,
        count(history.observed) as baseline_periods
    from testable_periods as current_period
    inner join complete_periods as history
        on
            current_period.service_id = history.service_id
            and current_period.channel = history.channel
            and current_period.metric = history.metric
            and current_period.grain = history.grain
            and current_period.theme_id is not distinct from history.theme_id
            and current_period.detail is not distinct from history.detail
            and history.period_start >= current_period.period_start - 56
            and history.period_start <= current_period.period_start - 7
            and isodow(history.period_start) = isodow(current_period.period_start)
    where current_period.observed is not null and history.observed is not null
    group by all
),

scored as (
    select
        baseline.*,
        metric_rules.value_kind,
        metric_rules.min_change,
        case
            when baseline.grain = 'day' then metric_rules.min_sample_day else metric_rules.min_sample_week
        end as min_sample,
        -- Sampling noise of one period: Poisson at the expected level for counts, widened by 1.5 because
        -- posts, calls and visits come in clusters (reposts, repeat callers), binomial at the midpoint
        -- of expected and observed for shares (a share that rises from a baseline of 0 in a small sample
        -- is not a certainty), roughly expected / sqrt(n) for a median wait.
        case metric_rules.value_kind
            when 'count' then 1.5 * sqrt(greatest(baseline.expected, 1.0))
            when 'seconds' then baseline.expected / sqrt(greatest(baseline.sample_size, 1))
            else
                sqrt(
                    least(greatest((baseline.expected + baseline.observed) / 2, 0.03), 0.97)
                    * (1 - least(greatest((baseline.expected + baseline.observed) / 2, 0.03), 0.97))
                    / greatest(baseline.sample_size, 1)
                )
        end as sampling_noise,
        case
            when metric_rules.value_kind in ('count', 'seconds', 'rate')
                then abs(baseline.observed - baseline.expected) / nullif(baseline.expected, 0)
            else abs(baseline.observed - baseline.expected)
        end as change_size
    from baseline
    inner join metric_rules on baseline.metric = metric_rules.metric
    where baseline.baseline_periods >= 2
),

robust_tests as (
    select
        service_id,
        channel,
        metric,
        theme_id,
        detail,
        grain,
        period_start,
        period_end,
        observed,
        expected,
        sample_size,
        baseline_periods,
        min_sample,
        min_change,
        change_size,
        (observed - expected) / greatest(baseline_spread, sampling_noise, 1e-9) as score,
        normal_two_sided_p((observed - expected) / greatest(baseline_spread, sampling_noise, 1e-9)) as p_value
    from scored
    where
        -- a count may fall below its minimum (that is the news); a share or a median needs its sample
        case
            when value_kind = 'count' then greatest(sample_size, coalesce(expected_sample_size, 0))
            else sample_size
        end >= min_sample
        -- a share that cannot move (always 0 or 1) is not a test
        and not (value_kind = 'share' and baseline_spread = 0 and observed = expected)
),

search_tests as (
    select *
    from marts.search_term_surges
    where period_start >= periods_from()
),


-- Emerging phrases (marts.emerging_terms) join the same weekly false-discovery family.
-- The channel an emerging phrase comes from: the most common channel of its example feedback (ties go
-- to the first channel by name, so reruns agree).
phrase_channel_counts as (
    select
        emerging.service_id,
        emerging.week_start,
        emerging.term,
        feedback.channel,
        count(*) as feedback_count
    from marts.emerging_terms as emerging
    cross join unnest(emerging.example_feedback_ids) as ids (feedback_id)
    inner join core.fact_feedback as feedback on ids.feedback_id = feedback.feedback_id
    group by emerging.service_id, emerging.week_start, emerging.term, feedback.channel
),

phrase_channels as (
    select
        service_id,
        week_start,
        term,
        first(channel order by feedback_count desc, channel asc) as channel
    from phrase_channel_counts
    group by service_id, week_start, term
),

phrase_tests as (
    select
        emerging.service_id,
        coalesce(phrase_channels.channel, 'all') as channel,
        'emerging_phrase' as metric,
        cast(null as varchar) as theme_id,
        emerging.term as detail,
        'week' as grain,
        emerging.week_start as period_start,
        emerging.week_start + 6 as period_end,
        cast(emerging.term_count as double) as observed,
        greatest(emerging.baseline_share * emerging.volume, 0.5) as expected,
        emerging.volume as sample_size,
        emerging.baseline_weeks as baseline_periods,
        5 as min_sample,
        1.0 as min_change,
        emerging.lift - 1 as change_size,
        (emerging.term_count - greatest(emerging.baseline_share * emerging.volume, 0.5))
        / sqrt(greatest(emerging.baseline_share * emerging.volume, 0.5)) as score,
        emerging.p_value
    from marts.emerging_terms as emerging
    inner join services on emerging.service_id = services.service_id
    left join phrase_channels
        on
            emerging.service_id = phrase_channels.service_id
            and emerging.week_start = phrase_channels.week_start
            and emerging.term = phrase_channels.term
    cross join params
    where emerging.p_value <= params.max_phrase_p and emerging.week_start >= periods_from()
),

tests as (
    select * from robust_tests
    union all
    select * from search_tests
    union all
    select * from phrase_tests
),

-- Benjamini-Hochberg within each grain and period: q = min over ranks >= i of p(k) * m / k. Site-search
-- terms and emerging phrases come screened (only the terms that already passed their own test of many
-- tried): they get their q-value among all the period's tests, but do not count in the family of the
-- metric tests, whose q-values they would otherwise make more lenient (more discoveries lower every
-- other threshold), turning a true outage's search surge into false alarms on quiet services.
ranked_tests as (
    select
        *,
        metric in ('site_search_term', 'emerging_phrase') as is_screened,
        row_number() over (
            partition by grain, period_start
            order by p_value, service_id, metric, channel, theme_id, detail
        ) as p_rank,
        count(*) over (partition by grain, period_start) as family_size,
        row_number() over (
            partition by grain, period_start, metric in ('site_search_term', 'emerging_phrase')
            order by p_value, service_id, metric, channel, theme_id, detail
        ) as own_rank,
        count(*) over (
            partition by grain, period_start, metric in ('site_search_term', 'emerging_phrase')
        ) as own_size
    from tests
),

q_values as (
    select
        * exclude (is_screened, own_rank, own_size),
        case
            when is_screened
                then min(least(1.0, p_value * family_size / p_rank)) over (
                    partition by grain, period_start
                    order by p_rank desc
                    rows between unbounded preceding and current row
                )
            else min(least(1.0, p_value * own_size / own_rank)) over (
                partition by grain, period_start, is_screened
                order by own_rank desc
                rows between unbounded preceding and current row
            )
        end as q_value
    from ranked_tests
)

select
    q_values.*,
    metric_rules.metric_label,
    metric_rules.value_kind,
    metric_rules.adverse_direction,
    q_values.q_value <= case when q_values.grain = 'day' then params.fdr_day else params.fdr_week end
    and coalesce(q_values.change_size, 1e9) >= q_values.min_change
    -- a theme that fades only because another surges is not news
    and not (q_values.metric = 'theme_share' and q_values.observed < q_values.expected) as is_flagged
from q_values
inner join metric_rules on q_values.metric = metric_rules.metric
cross join params
