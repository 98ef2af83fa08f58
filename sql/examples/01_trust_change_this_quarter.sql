-- Which service's trust fell most this quarter? Trust share in the latest month against the first month
-- of the quarter that contains it (months with at least 20 trust answers).
with months as (
    select
        service_id,
        month_start,
        trust_share,
        trust_responses,
        date_trunc('quarter', month_start) as quarter_start
    from marts.cx_scorecard
    where trust_responses >= 20
),

latest as (
    select max(month_start) as month_start from months
),

quarter as (
    select
        months.service_id,
        max(months.trust_share) filter (where months.month_start = months.quarter_start) as trust_at_start,
        max(months.trust_share) filter (where months.month_start = latest.month_start) as trust_now
    from months
    cross join latest
    where months.quarter_start = date_trunc('quarter', latest.month_start)
    group by months.service_id
)

select
    service_id,
    trust_at_start,
    trust_now,
    trust_now - trust_at_start as trust_change
from quarter
where trust_at_start is not null and trust_now is not null
order by trust_change asc
