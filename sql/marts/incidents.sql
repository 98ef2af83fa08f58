-- Incidents: the anomalies of one service (marts.anomalies, day and week grain, every channel) that
-- overlap in time, or follow within three days, form one incident, so an outage seen on the web, in
-- posts, calls and surveys is one finding with every channel's evidence. Severity adds, per distinct
-- series (metric x channel x theme or term) that moved the adverse way, min(|score|, 8) / 4, so each
-- strongly moved series adds up to 2; an incident where every move is an improvement is scored the same
-- way on its improvements and halved in priority. People affected is the largest period sample of each
-- channel, summed over channels (sessions, posts, calls or responses). Priority = severity x
-- ln(1 + people affected) x exp(-days since the incident ended / 28).
with anomalies as (
    select
        anomalies.*,
        anomalies.service_id || '|' || anomalies.channel || '|' || anomalies.metric || '|'
        || coalesce(anomalies.theme_id, '') || '|' || coalesce(anomalies.detail, '') as series_key
    from marts.anomalies as anomalies
),

last_day as (
    select max(date_day) as last_day
    from core.dim_date
),

-- Gaps and islands: a new incident starts when an anomaly begins more than three days after every
-- earlier anomaly of the service has ended.
ordered as (
    select
        *,
        max(period_end) over (
            partition by service_id
            order by period_start, period_end, anomaly_id
            rows between unbounded preceding and 1 preceding
        ) as previous_end
    from anomalies
),

islands as (
    select
        *,
        sum(case when previous_end is null or period_start > previous_end + 3 then 1 else 0 end) over (
            partition by service_id
            order by period_start, period_end, anomaly_id
            rows between unbounded preceding and current row
        ) as island
    from ordered
),

-- The strongest anomaly of each series within an incident (equal strengths: the higher anomaly_id, so
-- reruns agree).
ranked_in_series as (
    select
        *,
        row_number() over (
            partition by service_id, island, series_key
            order by abs(score) desc, anomaly_id desc
        ) as strength_rank,
        max(sample_size) over (partition by service_id, island, series_key) as series_sample_size
    from islands
),

series as (
    select
        service_id,
        island,
        series_key,
        channel,
        metric,
        metric_label,
        coalesce(theme_id, detail) as subject,
        direction,
        value_kind,
        observed,
        expected,
        is_improvement,
        abs(score) as strength,
        series_sample_size as sample_size
    from ranked_in_series
    where strength_rank = 1
),

described as (
    select
        *,
        metric_label
        || case when subject is not null then ' "' || subject || '"' else '' end
        || ' ('
        || channel
        || ') '
        || case
            when value_kind = 'share'
                then printf('%+.0f pts', 100 * (observed - expected))
            when expected > 0 and observed / expected >= 2
                then printf('x%.1f', observed / expected)
            when expected > 0
                then printf('%+.0f%%', 100 * (observed / expected - 1))
            else printf('%.0f new', observed)
        end as change_text
    from series
),

channel_people as (
    select
        service_id,
        island,
        channel,
        max(sample_size) as people
    from series
    group by service_id, island, channel
),

people as (
    select
        service_id,
        island,
        cast(sum(people) as bigint) as people_affected
    from channel_people
    group by service_id, island
),

-- Example feedback of the incident, from its strongest anomalies first.
example_strength as (
    select
        islands.service_id,
        islands.island,
        ids.feedback_id,
        max(abs(islands.score)) as strength
    from islands, unnest(islands.example_feedback_ids[1:3]) as ids (feedback_id)
    where not islands.is_improvement or islands.metric in ('theme_share', 'emerging_phrase')
    group by islands.service_id, islands.island, ids.feedback_id
),

examples as (
    select
        service_id,
        island,
        list(feedback_id order by strength desc, feedback_id asc) as feedback_ids
    from example_strength
    group by service_id, island
),

incidents as (
    select
        islands.service_id,
        islands.island,
        min(islands.period_start) as start_day,
        max(islands.period_end) as end_day,
        count(*) as anomaly_count,
        list(distinct islands.channel order by islands.channel) as channels,
        bool_or(not islands.is_improvement) as has_deterioration
    from islands
    group by islands.service_id, islands.island
),

severity as (
    select
        described.service_id,
        described.island,
        count(*) as series_count,
        sum(least(described.strength, 8.0) / 4.0) filter (where not described.is_improvement)
            as adverse_severity,
        sum(least(described.strength, 8.0) / 4.0) filter (where described.is_improvement)
            as improvement_severity,
        list(
            described.change_text
            order by
                described.is_improvement asc,
                described.metric = 'emerging_phrase' asc,
                described.strength desc
        ) as changes,
        list(
            {
                'metric': described.metric,
                'channel': described.channel,
                'subject': described.subject,
                'direction': described.direction,
                'observed': described.observed,
                'expected': described.expected,
                'is_improvement': described.is_improvement
            }
            order by described.is_improvement asc, described.strength desc
        ) as metrics
    from described
    group by described.service_id, described.island
),

scored as (
    select
        incidents.service_id,
        incidents.start_day,
        incidents.end_day,
        case when incidents.has_deterioration then 'deterioration' else 'improvement' end as kind,
        incidents.channels,
        incidents.anomaly_count,
        severity.series_count,
        severity.metrics,
        array_to_string(severity.changes[1:6], '; ') as what_moved,
        coalesce(examples.feedback_ids[1:5], []) as example_feedback_ids,
        round(
            case
                when incidents.has_deterioration then severity.adverse_severity
                else severity.improvement_severity
            end,
            2
        ) as severity,
        people.people_affected,
        last_day.last_day - incidents.end_day as days_since_end
    from incidents
    inner join severity on incidents.service_id = severity.service_id and incidents.island = severity.island
    inner join people on incidents.service_id = people.service_id and incidents.island = people.island
    left join examples on incidents.service_id = examples.service_id and incidents.island = examples.island
    cross join last_day
)

select
    substr(sha256(scored.service_id || '|' || cast(scored.start_day as varchar)), 1, 16) as incident_id,
    scored.service_id,
    services.service_name,
    scored.start_day,
    scored.end_day,
    scored.kind,
    scored.channels,
    len(scored.channels) as channel_count,
    scored.anomaly_count,
    scored.series_count,
    scored.metrics,
    scored.what_moved,
    scored.example_feedback_ids,
    scored.severity,
    scored.people_affected,
    greatest(scored.days_since_end, 0) as days_since_end,
    scored.severity * ln(1 + scored.people_affected) * exp(-greatest(scored.days_since_end, 0) / 28.0)
    * case when scored.kind = 'improvement' then 0.5 else 1.0 end as priority,
    row_number() over (
        order by
            scored.severity * ln(1 + scored.people_affected) * exp(-greatest(scored.days_since_end, 0) / 28.0)
            * case when scored.kind = 'improvement' then 0.5 else 1.0 end desc,
            scored.service_id,
            scored.start_day asc
    ) as priority_rank
from scored
inner join core.dim_service as services on scored.service_id = services.service_id
