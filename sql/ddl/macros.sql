-- Macros stored in the catalog, so analysts can use them in their own queries too.

-- Wilson score interval for a proportion k/n at 95% confidence. The bounds are clamped to
-- [0, k/n] and [k/n, 1], which they satisfy exactly except for rounding.
create or replace macro wilson_center(k, n) as
((k / n) + 1.96 * 1.96 / (2 * n)) / (1 + 1.96 * 1.96 / n);

create or replace macro wilson_half_width(k, n) as
1.96 * sqrt((k / n) * (1 - k / n) / n + 1.96 * 1.96 / (4 * n * n)) / (1 + 1.96 * 1.96 / n);

create or replace macro wilson_lower(k, n) as
case when n > 0 then least(k / n, greatest(0.0, wilson_center(k, n) - wilson_half_width(k, n))) end;

create or replace macro wilson_upper(k, n) as
case when n > 0 then greatest(k / n, least(1.0, wilson_center(k, n) + wilson_half_width(k, n))) end;

-- A run setting recorded by the build (time zone, scorer and taxonomy versions).
create or replace macro setting(setting_key) as (
    select run_settings.value
    from ops.settings as run_settings
    where run_settings.key = setting_key  -- noqa: RF03
);

-- The first period a build recomputes in a model incremental by period (its `-- incremental periods`
-- header, civicpulse/warehouse/incremental.py): -infinity in a full build.
create or replace macro periods_from() as
coalesce(cast(getvariable('cp_periods_from') as date), cast('-infinity' as date));

-- The city's local calendar day of a UTC timestamp.
create or replace macro local_day(ts) as
cast(timezone(setting('timezone'), ts) as date);

-- Whether a person's pseudonym (author_key, caller_key, respondent_key) was erased for a source.
create or replace macro is_erased(erased_source, erased_key) as exists (
    select 1
    from ops.erased_keys as erased
    where erased.source = erased_source and erased.person_key = erased_key  -- noqa: RF03
);

-- A link to a social post without the author's handle, for the published copy: X's handle-free
-- status link, and the Mastodon API address of a status (https://<host>/@<handle>/<id> names the
-- author). Other links (Facebook comments, LinkedIn threads) carry no resident handle.
create or replace macro handle_free_url(url) as
case
    when regexp_matches(url, '^https?://(www\.)?(x|twitter)\.com/[^/]+/status/[0-9]+')
        then regexp_replace(
            url,
            '^https?://(www\.)?(x|twitter)\.com/[^/]+/status/([0-9]+).*$',
            'https://x.com/i/web/status/\3'
        )
    when regexp_matches(url, '^https://[^/]+/@[^/]+/[0-9]+$')
        then regexp_replace(url, '^(https://[^/]+)/@[^/]+/([0-9]+)$', '\1/api/v1/statuses/\2')
    else url
end;

-- Two-sided normal tail probability of a z score, P(|Z| >= |z|) = erfc(|z| / sqrt 2), by the Chebyshev
-- approximation of erfc in Numerical Recipes (erfcc: relative error below 1.2e-7 everywhere, so small
-- p-values stay exact enough for Benjamini-Hochberg).
create or replace macro erfc_approx(x) as
(1.0 / (1.0 + 0.5 * abs(x))) * exp(
    -abs(x) * abs(x) - 1.26551223 + (1.0 / (1.0 + 0.5 * abs(x))) * (
        1.00002368 + (1.0 / (1.0 + 0.5 * abs(x))) * (
            0.37409196 + (1.0 / (1.0 + 0.5 * abs(x))) * (
                0.09678418 + (1.0 / (1.0 + 0.5 * abs(x))) * (
                    -0.18628806 + (1.0 / (1.0 + 0.5 * abs(x))) * (
                        0.27886807 + (1.0 / (1.0 + 0.5 * abs(x))) * (
                            -1.13520398 + (1.0 / (1.0 + 0.5 * abs(x))) * (
                                1.48851587 + (1.0 / (1.0 + 0.5 * abs(x))) * (
                                    -0.82215223 + (1.0 / (1.0 + 0.5 * abs(x))) * 0.17087277
                                )
                            )
                        )
                    )
                )
            )
        )
    )
);

create or replace macro normal_two_sided_p(z) as
least(1.0, erfc_approx(z / sqrt(2.0)));

-- The service each record is mapped to by its source's rules (staging.stg_social_post_rules and
-- staging.stg_survey_responses). `exact_matches` names a relation of (source, record_id, service_id,
-- match_length, rule_order): the rules a record matched exactly (hashtags, survey form ids), which win
-- over the keyword rules of `rules_table` that service_keyword_matches (civicpulse/warehouse/build.py)
-- finds in the `text` of `record_texts` (source, record_id, text). Among matches of one rank the
-- longest pattern wins when `longest_first`, then the rule listed first in the config.
create or replace macro best_rule_match(exact_matches, record_texts, rules_table, longest_first) as table
    with keyword_matches as (
        select
            found_rules.source,
            found_rules.record_id,
            rules.service_id,
            length(rules.pattern) as match_length,
            rules.rule_order
        from (
            select
                texts.source,
                texts.record_id,
                unnest(service_keyword_matches(texts.source, lower(texts.text))) as rule_order
            from query_table(record_texts) as texts  -- noqa: RF03
        ) as found_rules
        inner join query_table(rules_table) as rules  -- noqa: RF02
            on
                found_rules.source = rules.source
                and found_rules.rule_order = rules.rule_order
                and rules.rule_kind = 'keyword'
    ),

    ranked as (
        select
            source,
            record_id,
            service_id,
            0 as match_rank,
            match_length,
            rule_order
        from query_table(exact_matches)
        union all
        select
            source,
            record_id,
            service_id,
            1 as match_rank,
            match_length,
            rule_order
        from keyword_matches
    )

    select
        source,
        record_id,
        service_id
    from ranked
    qualify row_number() over (
        partition by source, record_id
        order by match_rank asc, case when longest_first then match_length else 0 end desc, rule_order asc
    ) = 1;

-- The feedback of the services in `services_table` (service_id) with its sentiment, for
-- marts.metric_daily and marts.anomalies; the tables are passed by name so that the models still name
-- core.fact_feedback and core.fact_feedback_sentiment, which orders the build
-- (civicpulse/warehouse/models.py).
create or replace macro service_feedback(feedback_table, services_table, sentiment_table) as table
    select
        feedback.feedback_id,
        feedback.service_id,
        feedback.channel,
        feedback.occurred_on,
        sentiment.compound,
        sentiment.label
    from query_table(feedback_table) as feedback  -- noqa: RF02
    inner join query_table(services_table) as services  -- noqa: RF02
        on feedback.service_id = services.service_id
    left join query_table(sentiment_table) as sentiment  -- noqa: RF02
        on feedback.feedback_id = sentiment.feedback_id;

-- The rows of service_feedback(...) in `feedback_table`, one per theme of core.fact_feedback_theme.
create or replace macro feedback_themes(feedback_table, theme_table) as table
    select
        feedback.feedback_id,
        feedback.service_id,
        feedback.channel,
        feedback.occurred_on,
        feedback.compound,
        feedback.label,
        theme.theme_id
    from query_table(feedback_table) as feedback  -- noqa: RF02
    inner join query_table(theme_table) as theme on feedback.feedback_id = theme.feedback_id;  -- noqa: RF02
