-- One row per social post: deduplicated, text redacted, author pseudonymised, mapped to a service by the
-- hashtag and keyword rules (or 'unmapped'); stg_social_posts adds the inferred services.
-- Posts of erased authors (by author id or handle, ops.erased_keys) are left out.
-- incremental: raw.social_post by source, native_id
-- incremental match: t.source = k.source and t.native_id = k.native_id
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

-- hashtag_matches and post_texts are read by best_rule_match, which takes relation names
hashtag_matches as (  -- noqa: ST03
    select
        posts.source,
        posts.native_id as record_id,
        rules.service_id,
        length(rules.pattern) as match_length,
        rules.rule_order
    from posts
    inner join rules
        on
            posts.source = rules.source
            and rules.rule_kind = 'hashtag'
            and list_contains(posts.hashtags, rules.pattern)
),

post_texts as (  -- noqa: ST03
    select
        source,
        native_id as record_id,
        text
    from posts
),

-- hashtags first, then keywords; the longest pattern first (sql/ddl/macros.sql)
best_match as (
    select * from best_rule_match('hashtag_matches', 'post_texts', 'rules', true)
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
    on posts.source = best_match.source and posts.native_id = best_match.record_id
