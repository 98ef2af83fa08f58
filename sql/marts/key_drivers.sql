-- Which OMB A-11 drivers and which themes go with low satisfaction, per service. A factor's rate among the
-- dissatisfied responses (share_of_low_citing) is compared with its rate among the service's other
-- responses (share_of_others_citing), never with the dissatisfied responses themselves. Themes come from
-- comments, which both groups write, so they are compared (risk difference, two-proportion z score).
-- A-11 driver ticks are compared only when the tick question reached both groups: Touchpoints asks for
-- the negative drivers only after a thumbs down, so for those is_comparable is false and the row reports
-- the share of dissatisfied responses ticking the driver, with its n and Wilson interval, and no effect.
with rated as (
    select
        responses.response_id,
        responses.feedback_id,
        responses.service_id,
        responses.survey_kind,
        responses.negative_drivers,
        not coalesce(responses.is_satisfied, responses.is_trust_positive) as is_low_satisfaction,
        feedback.feedback_id is not null as has_comment
    from core.fact_survey_response as responses
    inner join core.dim_service as services on responses.service_id = services.service_id
    left join core.fact_feedback as feedback on responses.feedback_id = feedback.feedback_id
    where
        not services.is_unmapped
        and coalesce(responses.is_satisfied, responses.is_trust_positive) is not null
),

driver_population as (
    select *
    from rated
    where survey_kind = 'touchpoints_a11_v2'
),

drivers as (
    select distinct unnest(negative_drivers) as a11_driver
    from driver_population
),

-- Whether a group was asked the driver question at all: someone in it ticked a driver.
driver_asked as (
    select
        service_id,
        bool_or(len(negative_drivers) > 0) filter (where is_low_satisfaction) as is_asked_low,
        bool_or(len(negative_drivers) > 0) filter (where not is_low_satisfaction) as is_asked_others
    from driver_population
    group by service_id
),

driver_factors as (
    select
        driver_population.service_id,
        'a11_driver' as factor_kind,
        drivers.a11_driver as factor_id,
        drivers.a11_driver as factor_label,
        drivers.a11_driver,
        driver_population.is_low_satisfaction,
        list_contains(driver_population.negative_drivers, drivers.a11_driver) as has_factor,
        coalesce(driver_asked.is_asked_low, false) and coalesce(driver_asked.is_asked_others, false)
            as is_comparable
    from driver_population
    inner join driver_asked on driver_population.service_id = driver_asked.service_id
    cross join drivers
),

comment_population as (
    select *
    from rated
    where has_comment
),

comment_themes as (
    select
        themes.feedback_id,
        themes.theme_id,
        themes.theme_label,
        themes.a11_driver
    from core.fact_feedback_theme as themes
    inner join comment_population on themes.feedback_id = comment_population.feedback_id
),

theme_list as (
    select distinct
        theme_id,
        theme_label,
        a11_driver
    from comment_themes
),

theme_factors as (
    select
        comment_population.service_id,
        'theme' as factor_kind,
        theme_list.theme_id as factor_id,
        theme_list.theme_label as factor_label,
        theme_list.a11_driver,
        comment_population.is_low_satisfaction,
        comment_themes.feedback_id is not null as has_factor,
        true as is_comparable
    from comment_population
    cross join theme_list
    left join comment_themes
        on
            comment_population.feedback_id = comment_themes.feedback_id
            and theme_list.theme_id = comment_themes.theme_id
),

factors as (
    select * from driver_factors
    union all
    select * from theme_factors
),

counts as (
    select
        service_id,
        factor_kind,
        factor_id,
        any_value(factor_label) as factor_label,
        any_value(a11_driver) as a11_driver,
        bool_and(is_comparable) as is_comparable,
        count(*) as responses,
        count(*) filter (where has_factor) as responses_with_factor,
        count(*) filter (where is_low_satisfaction) as low_responses,
        count(*) filter (where not is_low_satisfaction) as other_responses,
        count(*) filter (where has_factor and is_low_satisfaction) as low_with_factor,
        count(*) filter (where has_factor and not is_low_satisfaction) as others_with_factor
    from factors
    group by service_id, factor_kind, factor_id
),

rates as (
    select
        *,
        low_with_factor / nullif(low_responses, 0) as share_of_low_citing,
        case when is_comparable then others_with_factor / nullif(other_responses, 0) end
            as share_of_others_citing,
        responses_with_factor / responses as pooled_share
    from counts
    where responses_with_factor > 0 and low_responses > 0
),

scored as (
    select
        *,
        share_of_low_citing - share_of_others_citing as effect_size,
        (share_of_low_citing - share_of_others_citing)
        / nullif(
            sqrt(
                pooled_share * (1 - pooled_share) * (1.0 / low_responses + 1.0 / nullif(other_responses, 0))
            ),
            0
        ) as z_score
    from rates
)

select
    service_id,
    factor_kind,
    factor_id,
    factor_label,
    a11_driver,
    is_comparable,
    responses,
    responses_with_factor,
    low_responses,
    other_responses,
    low_with_factor,
    others_with_factor,
    share_of_low_citing,
    wilson_lower(low_with_factor, low_responses) as share_of_low_citing_lower,
    wilson_upper(low_with_factor, low_responses) as share_of_low_citing_upper,
    share_of_others_citing,
    effect_size,
    share_of_low_citing / nullif(share_of_others_citing, 0) as relative_rate,
    z_score,
    effect_size * share_of_low_citing as importance,
    coalesce(z_score >= 1.96, false) as is_significant,
    low_with_factor < 10 as is_low_volume,
    row_number() over (
        partition by service_id
        order by
            not is_comparable,
            low_with_factor < 10,
            coalesce(effect_size * share_of_low_citing, share_of_low_citing) desc,
            factor_id
    ) as driver_rank
from scored
