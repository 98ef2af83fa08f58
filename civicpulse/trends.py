"""Plain-text trend tables for the terminal: incidents across channels, then weekly sentiment by channel
and top themes per service."""

from __future__ import annotations

import datetime as dt

import duckdb

CHANNELS = ("social", "phone", "survey")


def render_trends(con: duckdb.DuckDBPyConnection, weeks: int = 8, services: list[str] | None = None) -> str:
    rows = con.execute(
        """
        select service_id, service_name from core.dim_service
        where not is_unmapped order by service_id
        """
    ).fetchall()
    last_week = con.execute(
        "select max(period_start) from marts.service_sentiment_trend where grain = 'week'"
    ).fetchone()
    if not rows or not last_week or last_week[0] is None:
        return "No trends yet: run the pipeline first."
    blocks = [render_incidents(con)]
    for service_id, service_name in rows:
        if services and service_id not in services:
            continue
        blocks.append(_service_block(con, service_id, service_name, weeks))
    return "\n\n".join(blocks)


def render_incidents(con: duckdb.DuckDBPyConnection, limit: int = 8) -> str:
    """The incidents most in need of attention (marts.incidents): service, dates, channels, what moved,
    and one example of redacted feedback."""
    has_table = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'incidents'"
    ).fetchone()
    if not has_table or not has_table[0]:
        return "== Incidents ==\nmarts.incidents is not built in this warehouse."
    rows = con.execute(
        """
        select incidents.service_name, incidents.start_day, incidents.end_day, incidents.kind,
            incidents.channels, incidents.severity, incidents.people_affected, incidents.what_moved,
            feedback.text
        from marts.incidents as incidents
        left join core.fact_feedback as feedback on feedback.feedback_id = incidents.example_feedback_ids[1]
        order by incidents.priority_rank
        limit ?
        """,
        [limit],
    ).fetchall()
    from civicpulse.report.build import verbatim

    lines = ["== Incidents across channels, most in need first (marts.incidents) =="]
    if not rows:
        lines.append("none: every measure stayed within its normal range")
    for name, start, end, kind, channels, severity, people, what_moved, text in rows:
        lines.append(
            f"{name}, {start:%-d %b} - {end:%-d %b} ({kind}; {', '.join(channels)}; "
            f"severity {severity:.1f}; {people:,} affected)"
        )
        lines.append(f"  what moved: {what_moved}")
        if text:
            lines.append(f'  e.g. "{verbatim(str(text))}"')
    return "\n".join(lines)


def _service_block(con: duckdb.DuckDBPyConnection, service_id: str, service_name: str, weeks: int) -> str:
    sentiment = con.execute(
        """
        with recent as (
            select distinct period_start from marts.service_sentiment_trend
            where grain = 'week' and service_id = ?
            order by period_start desc limit ?
        )
        select trend.period_start, trend.channel, trend.volume, trend.mean_compound, trend.negative_share
        from marts.service_sentiment_trend as trend
        inner join recent using (period_start)
        where trend.grain = 'week' and trend.service_id = ?
        """,
        [service_id, weeks, service_id],
    ).fetchall()
    themes = con.execute(
        """
        with recent as (
            select distinct period_start from marts.service_theme_trend
            where grain = 'week' and service_id = ? and channel = 'all'
            order by period_start desc limit ?
        ),
        ranked as (
            select trend.period_start, trend.theme_id, trend.mention_share,
                row_number() over (
                    partition by trend.period_start order by trend.mentions desc, trend.theme_id
                ) as rank
            from marts.service_theme_trend as trend
            inner join recent using (period_start)
            where trend.grain = 'week' and trend.service_id = ? and trend.channel = 'all'
        )
        select period_start, theme_id, mention_share from ranked where rank <= 3
        order by period_start, rank
        """,
        [service_id, weeks, service_id],
    ).fetchall()
    by_week: dict[dt.date, dict[str, tuple[int, float | None, float | None]]] = {}
    for period_start, channel, volume, mean_compound, negative_share in sentiment:
        by_week.setdefault(period_start, {})[channel] = (volume, mean_compound, negative_share)
    top_themes: dict[dt.date, list[str]] = {}
    for period_start, theme_id, share in themes:
        top_themes.setdefault(period_start, []).append(f"{theme_id} {share:.0%}")
    header = f"{'week':<10}  {'volume':>6}  {'all':>6}  " + "  ".join(f"{c:>6}" for c in CHANNELS)
    header += f"  {'neg%':>5}  top themes"
    lines = [
        f"== {service_name} ({service_id}) ==",
        f"what changed: {_what_changed(con, service_id)}",
        header,
    ]
    for week in sorted(by_week):
        channels = by_week[week]
        volume, overall, negative = channels.get("all", (0, None, None))
        cells = "  ".join(_signed(channels.get(c, (0, None, None))[1]) for c in CHANNELS)
        negative_cell = f"{negative:.0%}" if negative is not None else "-"
        lines.append(
            f"{week!s:<10}  {volume:>6}  {_signed(overall)}  {cells}  {negative_cell:>5}  "
            + ", ".join(top_themes.get(week, []))
        )
    return "\n".join(lines)


def _signed(value: float | None) -> str:
    return f"{value:+6.2f}" if value is not None else f"{'-':>6}"


def _what_changed(con: duckdb.DuckDBPyConnection, service_id: str) -> str:
    """The two most unusual weeks of the service (marts.anomalies), in words."""
    from civicpulse.report.build import describe_anomaly

    cursor = con.execute(
        """
        select anomalies.*, coalesce(themes.theme_label, anomalies.theme_id) as theme_label
        from marts.anomalies as anomalies
        left join (select distinct theme_id, theme_label from core.fact_feedback_theme) as themes
            using (theme_id)
        where anomalies.service_id = ? and anomalies.grain = 'week'
        order by abs(anomalies.score) desc
        """,
        [service_id],
    )
    names = [d[0] for d in cursor.description or []]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    picked: list[dict[str, object]] = []
    for row in rows:
        if all((row["metric"], row["theme_id"]) != (p["metric"], p["theme_id"]) for p in picked):
            picked.append(row)
    if not picked:
        return "nothing unusual"
    return "; ".join(
        f"{describe_anomaly(row)} in the week of {row['period_start']}"
        + (" (better)" if row["is_improvement"] else "")
        for row in picked[:2]
    )
