-- Emerging themes: words and two-word phrases the taxonomy did not match whose share of a service's
-- feedback in a week rises significantly over the up to four weeks before. Every week is evaluated
-- (is_latest_week marks the newest). Test: conditional on the term's count in the week and its
-- baseline, the week's count is binomial with p = week volume / (week + baseline volume) under no
-- change (the exact comparison of two Poisson rates); one-sided p-value, minimum volume and lift.
-- Terms that are never news are skipped: month and weekday names (and their abbreviations), terms
-- with digits, the configured place names (settings.place_names) and contact-centre note jargon. A
-- word is merged into a two-word phrase that emerges with it in the same service and week when the
-- phrase accounts for at least 80% of the word's mentions (a two-word product name stays one phrase).
-- A build after new loads recomputes only the weeks from 6 days before the earliest day whose feedback
-- changed, periods_from(), reading the four weeks before them for their baseline; a change of the latest
-- week (is_latest_week) rebuilds every week (civicpulse/warehouse/incremental.py).
-- incremental periods: week_start reach 6 days
-- incremental input: core.fact_feedback by occurred_on
-- incremental input: core.fact_feedback_theme by occurred_on of core.fact_feedback on feedback_id
-- incremental input: ops.term_cache by occurred_on of core.fact_feedback on text_hash
-- incremental whole: select max(date_trunc('week', occurred_on)) from core.fact_feedback
--     where service_id is not null and not coalesce(is_repost, false)
with params as (
    select
        5 as min_count,
        2.0 as min_lift,
        0.001 as max_p_value,
        2 as min_baseline_weeks,
        20 as min_baseline_volume
),

-- Words that never make an emerging term on their own or inside a phrase.
skipped_words as (
    select
        unnest([
            'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october',
            'november', 'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct',
            'nov', 'dec', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'mon',
            'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun', 'weekend', 'weekday',
            'min', 'mins', 'sec', 'secs', 'hrs', 'caller', 'callers', 'cust', 'customer', 'complained',
            'complains',
            'complaining',
            'called',
            'calling',
            'advised',
            'adv',
            'transferred',
            'xfer',
            'xferred',
            'cb', 'callback', 'vm', 'voicemail', 'acct', 'ref', 'req', 'info', 'per', 'agent', 'escalated',
            'inquired', 'inquiry', 'asked', 'states', 'stated', 'wants', 'wanted', 'regarding', 're'
        ]) as word
    union all
    select unnest(from_json(coalesce(setting('place_names'), '[]'), '["VARCHAR"]')) as word
),

feedback as (
    select
        feedback_id,
        service_id,
        occurred_at,
        text_hash,
        cast(date_trunc('week', occurred_on) as date) as week_start
    from core.fact_feedback
    where
        service_id is not null
        and not coalesce(is_repost, false)
        -- the weeks recomputed and their baseline weeks
        and cast(date_trunc('week', occurred_on) as date) >= periods_from() - 28
),

taxonomy_terms as (
    select distinct
        feedback_id,
        unnest(matched_terms) as term
    from core.fact_feedback_theme
),

feedback_terms as (
    select
        feedback.feedback_id,
        feedback.service_id,
        feedback.week_start,
        feedback.occurred_at,
        unnest(cached.terms) as term
    from feedback
    inner join ops.term_cache as cached
        on
            feedback.text_hash = cached.text_hash
            and cached.tokenizer_version = setting('tokenizer_version')
),

outside_taxonomy as (
    select feedback_terms.*
    from feedback_terms
    anti join taxonomy_terms
        on
            feedback_terms.feedback_id = taxonomy_terms.feedback_id
            and feedback_terms.term = taxonomy_terms.term
    where
        not regexp_matches(feedback_terms.term, '[0-9]')
        and not exists (
            select 1
            from skipped_words
            where
                list_contains(string_split(feedback_terms.term, ' '), skipped_words.word)
                or feedback_terms.term = skipped_words.word
        )
),

weekly_volume as (
    select
        service_id,
        week_start,
        count(*) as volume
    from feedback
    group by service_id, week_start
),

weekly_terms as (
    select
        service_id,
        week_start,
        term,
        count(*) as term_count
    from outside_taxonomy
    group by service_id, week_start, term
),

baseline_volume as (
    select
        current_week.service_id,
        current_week.week_start,
        current_week.volume,
        count(prior_week.week_start) as baseline_weeks,
        cast(coalesce(sum(prior_week.volume), 0) as bigint) as baseline_volume
    from weekly_volume as current_week
    left join weekly_volume as prior_week
        on
            current_week.service_id = prior_week.service_id
            and current_week.week_start - interval 28 days <= prior_week.week_start
            and current_week.week_start > prior_week.week_start
    group by current_week.service_id, current_week.week_start, current_week.volume
),

candidates as (
    select
        weekly_terms.service_id,
        weekly_terms.week_start,
        weekly_terms.term,
        weekly_terms.term_count,
        baseline_volume.volume,
        baseline_volume.baseline_weeks,
        baseline_volume.baseline_volume,
        cast(coalesce(sum(prior_terms.term_count), 0) as bigint) as baseline_count
    from weekly_terms
    inner join baseline_volume
        on
            weekly_terms.service_id = baseline_volume.service_id
            and weekly_terms.week_start = baseline_volume.week_start
    cross join params
    left join weekly_terms as prior_terms
        on
            weekly_terms.service_id = prior_terms.service_id
            and weekly_terms.term = prior_terms.term
            and weekly_terms.week_start - interval 28 days <= prior_terms.week_start
            and weekly_terms.week_start > prior_terms.week_start
    where
        weekly_terms.term_count >= params.min_count
        and baseline_volume.baseline_weeks >= params.min_baseline_weeks
        and baseline_volume.baseline_volume >= params.min_baseline_volume
    group by all
),

rising as (
    select
        candidates.*,
        candidates.term_count / candidates.volume as week_share,
        candidates.baseline_count / candidates.baseline_volume as baseline_share,
        (candidates.term_count / candidates.volume)
        / ((candidates.baseline_count + 0.5) / candidates.baseline_volume) as lift,
        candidates.term_count + candidates.baseline_count as total_count,
        candidates.volume / (candidates.volume + candidates.baseline_volume) as null_share
    from candidates
    cross join params
    where
        (candidates.term_count / candidates.volume)
        / ((candidates.baseline_count + 0.5) / candidates.baseline_volume)
        >= params.min_lift
),

tail_terms as (
    select
        service_id,
        week_start,
        term,
        total_count,
        null_share,
        unnest(range(term_count, total_count + 1)) as successes
    from rising
),

p_values as (
    select
        service_id,
        week_start,
        term,
        least(
            1.0,
            sum(
                exp(
                    lgamma(total_count + 1) - lgamma(successes + 1) - lgamma(total_count - successes + 1)
                    + successes * ln(null_share) + (total_count - successes) * ln(1 - null_share)
                )
            )
        ) as p_value
    from tail_terms
    group by service_id, week_start, term
),

significant as (
    select
        rising.*,
        p_values.p_value
    from rising
    inner join p_values
        on
            rising.service_id = p_values.service_id
            and rising.week_start = p_values.week_start
            and rising.term = p_values.term
    cross join params
    where p_values.p_value < params.max_p_value
),

-- A word that emerges only as part of an emerging phrase is that phrase.
merged as (
    select words.*
    from significant as words
    where
        not contains(words.term, ' ')
        and not exists (
            select 1
            from significant as phrases
            where
                phrases.service_id = words.service_id
                and phrases.week_start = words.week_start
                and contains(phrases.term, ' ')
                and list_contains(string_split(phrases.term, ' '), words.term)
                and phrases.term_count >= 0.8 * words.term_count
        )
    union all
    select phrases.*
    from significant as phrases
    where contains(phrases.term, ' ')
),

-- Examples only for the terms kept: of the ~80k (service, week, term) groups of a year's feedback a
-- handful emerge, and collecting three ids for every group was most of this model's cost.
examples as (
    select
        outside_taxonomy.service_id,
        outside_taxonomy.week_start,
        outside_taxonomy.term,
        -- the first three by (occurred_at, feedback_id), as an ordered list()[1:3] gives them, without
        -- sorting every (week, term) group in full
        min_by(outside_taxonomy.feedback_id, (outside_taxonomy.occurred_at, outside_taxonomy.feedback_id), 3)
            as example_feedback_ids
    from outside_taxonomy
    semi join merged
        on
            outside_taxonomy.service_id = merged.service_id
            and outside_taxonomy.week_start = merged.week_start
            and outside_taxonomy.term = merged.term
    group by outside_taxonomy.service_id, outside_taxonomy.week_start, outside_taxonomy.term
)

select
    merged.service_id,
    merged.week_start,
    merged.term,
    case when contains(merged.term, ' ') then 'phrase' else 'word' end as term_kind,
    merged.term_count,
    merged.volume,
    merged.week_share,
    merged.baseline_count,
    merged.baseline_volume,
    merged.baseline_share,
    merged.baseline_weeks,
    merged.lift,
    merged.p_value,
    row_number() over (
        partition by merged.service_id, merged.week_start
        order by merged.p_value asc, merged.term_count desc, merged.term asc
    ) as rank,
    examples.example_feedback_ids,
    merged.week_start = (select max(weekly_volume.week_start) from weekly_volume) as is_latest_week
from merged
left join examples
    on
        merged.service_id = examples.service_id
        and merged.week_start = examples.week_start
        and merged.term = examples.term
