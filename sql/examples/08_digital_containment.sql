-- Where does the website fail to contain demand? Calls per 1,000 web sessions and self-service rate per
-- service and month, worst containment first.
select
    service_id,
    month_start,
    calls,
    web_sessions,
    calls_per_1000_sessions,
    self_service_rate
from marts.cx_scorecard
where web_sessions > 0 and service_id <> 'unmapped'
order by calls_per_1000_sessions desc
