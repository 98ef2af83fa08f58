-- VADER sentiment of each feedback text (per sentence, aggregated); non-English texts are 'unscored'.
select
    feedback.feedback_id,
    cache.compound,
    cache.pos,
    cache.neu,
    cache.neg,
    cache.label,
    cache.label = 'unscored' as is_unscored,
    cache.sentence_count,
    cache.most_negative_sentence,
    cache.most_negative_compound,
    cache.scorer_version
from core.fact_feedback as feedback
inner join ops.sentiment_cache as cache
    on
        feedback.text_hash = cache.text_hash
        and cache.scorer_version = (select value from ops.settings where key = 'scorer_version')
