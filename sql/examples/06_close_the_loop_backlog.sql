-- Who is waiting for an answer? Open negative or urgent items per service and channel, with the oldest.
select
    service_id,
    channel,
    count(*) as open_items,
    count(*) filter (where is_urgent) as urgent_items,
    max(age_days) as oldest_days,
    count(*) filter (where age_days <= 7) as opened_last_7_days
from marts.close_the_loop
group by service_id, channel
order by urgent_items desc, open_items desc
