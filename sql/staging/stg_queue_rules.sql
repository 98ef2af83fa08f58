-- One service per (source, queue or service code) from the configured `queues` rules, first rule wins.
select
    source,
    pattern as queue,
    service_id
from ops.service_rules
where rule_kind = 'queue'
qualify row_number() over (partition by source, pattern order by rule_order) = 1
