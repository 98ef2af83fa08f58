-- Themes found in each feedback text (multi-label), each mapped to its OMB A-11 CX driver.
select
    feedback.feedback_id,
    cache.theme_id,
    cache.theme_label,
    cache.a11_driver,
    cache.matched_terms,
    cache.taxonomy_version
from core.fact_feedback as feedback
inner join ops.theme_cache as cache
    on
        feedback.text_hash = cache.text_hash
        and feedback.service_id = cache.service_id
        and cache.taxonomy_version = (select value from ops.settings where key = 'taxonomy_version')
where cache.theme_id is not null
