-- Services from the configuration, plus 'unmapped' for records that match no service rule.
select
    service_id,
    service_name,
    department,
    false as is_unmapped
from ops.services
union all
select
    'unmapped' as service_id,
    'Unmapped' as service_name,
    'None' as department,
    true as is_unmapped
