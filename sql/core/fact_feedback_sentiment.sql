-- VADER sentiment of each feedback text (per sentence, aggregated); non-English texts are 'unscored'.
select
    feedback.feedback_id,
    cached.compound,
    cached.pos,
    cached.neu,
    cached.neg,
    cached.label,
    cached.label = 'unscored' as is_unscored,
    cached.sentence_count,
    cached.most_negative_sentence,
    cached.most_negative_compound,
    cached.scorer_version
from core.fact_feedback as feedback
inner join ops.sentiment_cache as cached
    on
        feedback.text_hash = cached.text_hash
        and cached.scorer_version = setting('scorer_version')
