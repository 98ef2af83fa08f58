-- Which OMB A-11 drivers and which themes go with low satisfaction, per service. From survey responses
-- with a rating: A-11 drivers from the Touchpoints checkboxes (every rated Touchpoints response), themes
-- from the comments (every rated response with a comment). Effect size is the difference in the share
-- dissatisfied between responses with and without the factor, with a two-proportion z score; importance
-- weighs it by how many of the dissatisfied responses cite the factor.
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

driver_factors as (
    select
        driver_population.service_id,
        'a11_driver' as factor_kind,
        drivers.a11_driver as factor_id,
        drivers.a11_driver as factor_label,
        drivers.a11_driver,
        driver_population.is_low_satisfaction,
        list_contains(driver_population.negative_drivers, drivers.a11_driver) as has_factor
    from driver_population
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
        comment_themes.feedback_id is not null as has_factor
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
        count(*) as responses,
        count(*) filter (where has_factor) as responses_with_factor,
        count(*) filter (where not has_factor) as responses_without_factor,
        count(*) filter (where has_factor and is_low_satisfaction) as low_with_factor,
        count(*) filter (where not has_factor and is_low_satisfaction) as low_without_factor,
        count(*) filter (where is_low_satisfaction) as low_responses
    from factors
    group by service_id, factor_kind, factor_id
),

effects as (
    select
        *,
        low_with_factor / nullif(responses_with_factor, 0) as low_share_with_factor,
        low_without_factor / nullif(responses_without_factor, 0) as low_share_without_factor,
        low_with_factor / nullif(low_responses, 0) as share_of_low_citing,
        low_responses / responses as pooled_low_share
    from counts
    where responses_with_factor > 0
),

scored as (
    select
        *,
        low_share_with_factor - coalesce(low_share_without_factor, pooled_low_share) as effect_size,
        (low_share_with_factor - low_share_without_factor)
        / nullif(
            sqrt(
                pooled_low_share * (1 - pooled_low_share)
                * (1.0 / responses_with_factor + 1.0 / nullif(responses_without_factor, 0))
            ),
            0
        ) as z_score
    from effects
)

select
    service_id,
    factor_kind,
    factor_id,
    factor_label,
    a11_driver,
    responses,
    responses_with_factor,
    responses_without_factor,
    low_responses,
    low_share_with_factor,
    wilson_lower(low_with_factor, responses_with_factor) as low_share_with_factor_lower,
    wilson_upper(low_with_factor, responses_with_factor) as low_share_with_factor_upper,
    low_share_without_factor,
    effect_size,
    low_share_with_factor / nullif(low_share_without_factor, 0) as relative_risk,
    z_score,
    share_of_low_citing,
    effect_size * share_of_low_citing as importance,
    coalesce(abs(z_score) >= 1.96, false) as is_significant,
    responses_with_factor < 10 as is_low_volume,
    row_number() over (
        partition by service_id
        order by responses_with_factor < 10, effect_size * share_of_low_citing desc, factor_id
    ) as driver_rank
from scored
