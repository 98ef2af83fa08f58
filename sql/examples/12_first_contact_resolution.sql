-- Which queues resolve issues on the first call, and how does that relate to waits?
select
    service_id,
    queue,
    count(*) as calls,
    avg(case when is_first_contact_resolution then 1.0 else 0.0 end) as first_contact_resolution_rate,
    avg(case when is_repeat_contact then 1.0 else 0.0 end) as repeat_contact_rate,
    median(wait_seconds) as median_wait_seconds
from core.fact_contact
group by service_id, queue
order by first_contact_resolution_rate asc
