-- What most explains low satisfaction, per service? The top three significant drivers or themes.
select
    service_id,
    driver_rank,
    factor_kind,
    factor_label,
    effect_size,
    share_of_low_citing,
    responses_with_factor
from marts.key_drivers
where driver_rank <= 3 and is_significant
order by service_id, driver_rank
