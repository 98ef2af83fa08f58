-- One row per social post: deduplicated, text redacted, author pseudonymised, mapped to a service by the
-- hashtag and keyword rules (or 'unmapped'); stg_social_posts adds the inferred services.
-- Posts of erased authors (by author id or handle, ops.erased_keys) are left out.
with posts as (
    select *
    from raw.social_post
    where
        not is_erased(source, pseudonymize(source, author_id))
        and not is_erased(source, pseudonymize(source, author_handle))
    qualify row_number() over (
        partition by source, native_id
        order by loaded_at desc, partition_day desc, record_file desc, record_line desc
    ) = 1
),

rules as (
    select * from ops.service_rules
),

hashtag_matches as (
    select
        posts.source,
        posts.native_id,
        rules.service_id,
        0 as match_rank,
        length(rules.pattern) as match_length,
        rules.rule_order
    from posts
    inner join rules
        on
            posts.source = rules.source
            and rules.rule_kind = 'hashtag'
            and list_contains(posts.hashtags, rules.pattern)
),

-- service_keyword_matches: the source's keyword rules found in the text (civicpulse/build.py)
keyword_matches as (
    select
        found_rules.source,
        found_rules.native_id,
        rules.service_id,
        1 as match_rank,
        length(rules.pattern) as match_length,
        rules.rule_order
    from (
        select
            posts.source,
            posts.native_id,
            unnest(service_keyword_matches(posts.source, lower(posts.text))) as rule_order
        from posts
    ) as found_rules
    inner join rules
        on
            found_rules.source = rules.source
            and found_rules.rule_order = rules.rule_order
            and rules.rule_kind = 'keyword'
),

best_match as (
    select
        source,
        native_id,
        service_id
    from (
        select * from hashtag_matches
        union all
        select * from keyword_matches
    ) as matches
    qualify row_number() over (
        partition by source, native_id order by match_rank asc, match_length desc, rule_order asc
    ) = 1
)

select
    substr(sha256(posts.source || '|' || posts.native_id), 1, 24) as feedback_id,
    posts.source,
    posts.platform,
    posts.native_id,
    posts.occurred_at,
    coalesce(best_match.service_id, 'unmapped') as service_id,
    redact_pii(posts.text) as text,
    pseudonymize(posts.source, coalesce(posts.author_id, posts.author_handle)) as author_key,
    posts.language as reported_language,
    handle_free_url(posts.url) as source_url,
    coalesce(posts.is_repost, false) as is_repost,
    posts.reposted_id,
    posts.reply_to_id,
    posts.hashtags,
    posts.like_count,
    posts.repost_count,
    posts.reply_count,
    posts.load_id,
    posts.loaded_at
from posts
left join best_match
    on posts.source = best_match.source and posts.native_id = best_match.native_id
