-- Themes found in each feedback text (multi-label), each mapped to its OMB A-11 CX driver.
select
    feedback.feedback_id,
    cached.theme_id,
    cached.theme_label,
    cached.a11_driver,
    cached.matched_terms,
    cached.taxonomy_version
from core.fact_feedback as feedback
inner join ops.theme_cache as cached
    on
        feedback.text_hash = cached.text_hash
        and feedback.service_id = cached.service_id
        and cached.taxonomy_version = setting('taxonomy_version')
where cached.theme_id is not null
