-- Which feedback matches no service, and from where? Unmapped feedback per source and channel with a
-- sample text, to find service rules worth adding.
select
    source,
    channel,
    count(*) as unmapped_feedback,
    any_value(text) as sample_text
from core.fact_feedback
where service_id = 'unmapped'
group by source, channel
order by unmapped_feedback desc
