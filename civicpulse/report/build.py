"""The CX report: one self-contained HTML file (inline CSS and SVG, no scripts, no network) for CX leads."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from civicpulse.freshness import SourceFreshness, source_freshness
from civicpulse.report.charts import PALETTE, Series, arrow, bar, line_chart, sparkline
from civicpulse.report.style import CSS

CHANNELS = (
    ("all", "All channels"),
    ("social", "Social media"),
    ("phone", "Call notes"),
    ("survey", "Surveys"),
)
_HANDLE = re.compile(r"(?<![\w.])@\w{2,}")
_URL = re.compile(r"https?://\S+")
INCIDENT_ROWS = 8
QUEUE_ROWS = 8
VERBATIM_CHARS = 260


def verbatim(text: str | None) -> str:
    """A quotable excerpt: PII was redacted at staging; handles and links are masked here too."""
    if not text:
        return ""
    cleaned = _URL.sub("[link]", _HANDLE.sub("@[user]", " ".join(text.split())))
    return cleaned if len(cleaned) <= VERBATIM_CHARS else cleaned[: VERBATIM_CHARS - 1].rstrip() + "…"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


@dataclass
class ReportData:
    first_day: dt.date
    last_day: dt.date
    services: list[dict[str, Any]]
    freshness: list[SourceFreshness]
    weekly: dict[str, dict[str, list[tuple[dt.date, float | None, int]]]]
    themes: dict[str, dict[str, list[tuple[dt.date, float]]]]
    theme_labels: dict[str, str]
    scorecard: dict[str, list[dict[str, Any]]]
    anomalies: dict[str, list[dict[str, Any]]]
    daily_anomaly_counts: dict[str, int]
    verbatims: dict[str, str]
    drivers: dict[str, list[dict[str, Any]]]
    queue: dict[str, list[dict[str, Any]]]
    queue_stats: dict[str, dict[str, Any]]
    emerging: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    emerging_columns: list[str] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    # The scoring versions of the build (ops.settings): every figure of the report is theirs.
    model_versions: dict[str, str] = field(default_factory=dict)


def load_data(
    con: duckdb.DuckDBPyConnection, stale_after_days: Mapping[str, int] | None = None
) -> ReportData:
    bounds = con.execute("select min(date_day), max(date_day) from core.dim_date").fetchone()
    if not bounds or bounds[0] is None:
        raise ValueError("the warehouse holds no data yet: run the pipeline before the report")
    first_day, last_day = bounds
    services = _rows(
        con,
        "select service_id, service_name, department from core.dim_service where not is_unmapped "
        "order by service_name",
    )
    freshness = source_freshness(con, stale_after_days)
    weekly: dict[str, dict[str, list[tuple[dt.date, float | None, int]]]] = defaultdict(dict)
    for row in _rows(
        con,
        """
        select service_id, channel, period_start, mean_compound, negative_share, volume, is_low_volume
        from marts.service_sentiment_trend
        where grain = 'week' and period_start >= ? and period_start + 6 <= ?
        order by period_start
        """,
        [first_day, last_day],
    ):
        weekly[row["service_id"]].setdefault(row["channel"], []).append(
            (row["period_start"], row["mean_compound"], row["volume"])
        )
    negative: dict[str, list[float | None]] = defaultdict(list)
    for row in _rows(
        con,
        """
        select service_id, period_start, negative_share from marts.service_sentiment_trend
        where grain = 'week' and channel = 'all' and period_start >= ? and period_start + 6 <= ?
        order by period_start
        """,
        [first_day, last_day],
    ):
        negative[row["service_id"]].append(row["negative_share"])
    themes: dict[str, dict[str, list[tuple[dt.date, float]]]] = defaultdict(lambda: defaultdict(list))
    theme_labels: dict[str, str] = {}
    for row in _rows(
        con,
        """
        with top_themes as (
            select service_id, theme_id from marts.service_theme_trend
            where grain = 'month' and channel = 'all'
            group by service_id, theme_id
            qualify row_number() over (partition by service_id order by sum(mentions) desc, theme_id) <= 5
        )
        select trend.service_id, trend.theme_id, trend.theme_label, trend.period_start, trend.mention_share
        from marts.service_theme_trend as trend
        inner join top_themes using (service_id, theme_id)
        where trend.grain = 'week' and trend.channel = 'all'
            and trend.period_start >= ? and trend.period_start + 6 <= ?
        order by trend.period_start
        """,
        [first_day, last_day],
    ):
        themes[row["service_id"]][row["theme_id"]].append((row["period_start"], row["mention_share"]))
        theme_labels[row["theme_id"]] = row["theme_label"]
    scorecard: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(con, "select * from marts.cx_scorecard order by month_start"):
        scorecard[row["service_id"]].append(row)
    anomalies: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(
        con,
        """
        select anomalies.*, coalesce(themes.theme_label, anomalies.theme_id) as theme_label
        from marts.anomalies as anomalies
        left join (select distinct theme_id, theme_label from core.fact_feedback_theme) as themes
            using (theme_id)
        where anomalies.grain = 'week'
        order by anomalies.period_start desc, abs(anomalies.score) desc
        """,
    ):
        anomalies[row["service_id"]].append(row)
    daily_counts = dict(
        con.execute(
            "select service_id, count(*) from marts.anomalies where grain = 'day' group by service_id"
        ).fetchall()
    )
    incidents = (
        _rows(con, "select * from marts.incidents order by priority_rank")
        if _has_table(con, "marts", "incidents")
        else []
    )
    example_ids = {i for rows in anomalies.values() for row in rows for i in row["example_feedback_ids"][:3]}
    example_ids |= {i for row in incidents for i in row["example_feedback_ids"][:3]}
    verbatims: dict[str, str] = {}
    if example_ids:
        for feedback_id, channel, text in con.execute(
            "select feedback_id, channel, text from core.fact_feedback where list_contains(?, feedback_id)",
            [sorted(example_ids)],
        ).fetchall():
            verbatims[feedback_id] = f"{channel}|{verbatim(text)}"
    drivers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(con, "select * from marts.key_drivers where driver_rank <= 6 order by driver_rank"):
        drivers[row["service_id"]].append(row)
    queue: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(
        con, "select * from marts.close_the_loop where queue_rank <= ? order by queue_rank", [QUEUE_ROWS]
    ):
        queue[row["service_id"]].append(row)
    queue_stats = {
        row["service_id"]: row
        for row in _rows(
            con,
            """
            select service_id, count(*) as open_items, count(*) filter (where is_urgent) as urgent_items,
                count(*) filter (where age_days <= 7) as last_7_days, max(age_days) as oldest_days
            from marts.close_the_loop group by service_id
            """,
        )
    }
    data = ReportData(
        first_day,
        last_day,
        services,
        freshness,
        dict(weekly),
        {k: dict(v) for k, v in themes.items()},
        theme_labels,
        dict(scorecard),
        dict(anomalies),
        daily_counts,
        verbatims,
        dict(drivers),
        dict(queue),
        queue_stats,
    )
    data.incidents = incidents
    data.model_versions = {
        str(key): str(value)
        for key, value in con.execute(
            "select key, value from ops.settings where list_contains(?, key)", [list(MODEL_VERSIONS)]
        ).fetchall()
    }
    for service in services:
        service["negative_weekly"] = negative.get(service["service_id"], [])
    services.sort(key=lambda s: _need(data, s))
    if _has_table(con, "marts", "emerging_terms"):
        columns = [c[0] for c in con.execute("select * from marts.emerging_terms limit 0").description or []]
        if "service_id" in columns:
            data.emerging_columns = [c for c in columns if c != "service_id"][:6]
            for row in _rows(con, "select * from marts.emerging_terms"):
                data.emerging.setdefault(row["service_id"], []).append(row)
    return data


def _need(data: ReportData, service: dict[str, Any]) -> tuple[float, float, float, str]:
    """Scorecard order, most in need first: the priority of the service's worst open deterioration
    (marts.incidents), then its latest weekly negative share, then its latest CSAT (lowest first)."""
    sid = service["service_id"]
    worst = max(
        (
            row["priority"]
            for row in data.incidents
            if row["service_id"] == sid and row["kind"] == "deterioration"
        ),
        default=0.0,
    )
    negatives = [v for v in service.get("negative_weekly", []) if v is not None]
    csat_row = _latest(data.scorecard.get(sid, []), "csat_top2_share")
    csat = csat_row["csat_top2_share"] if csat_row else 1.0
    return (-worst, -(negatives[-1] if negatives else 0.0), csat, service["service_name"])


def _zero(value: float | None) -> float | None:
    return 0.0 if value is not None and abs(value) < 0.005 else value


def _pct(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def _num(value: float | None, fmt: str = "{:,.0f}") -> str:
    return "–" if value is None else fmt.format(value)


def _minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f} min"


def _date(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


COUNT_METRICS = frozenset(
    {
        "feedback_volume",
        "web_sessions",
        "web_completions",
        "site_searches",
        "call_volume",
        "site_search_term",
        "emerging_phrase",
    }
)
CHANNEL_WORDS = {"social": "posts", "phone": "calls", "survey": "surveys", "web": "website"}


def describe_anomaly(row: dict[str, Any]) -> str:
    metric = row["metric"]
    detail = row.get("detail")
    if metric == "theme_share":
        what = f"“{row['theme_label']}” share of feedback"
    elif metric == "emerging_phrase":
        what = f"New phrase “{detail}” in feedback"
    elif metric == "site_search_term":
        what = f"Site searches for “{detail}”"
    elif metric == "a11_driver_tick" and detail:
        side, _, driver = str(detail).partition(":")
        what = f"A-11 {driver} {'praise' if side == 'positive' else 'complaints'} (share of responses)"
    else:
        what = {
            "feedback_volume": "Feedback volume",
            "negative_share": "Negative share",
            "csat": "CSAT (satisfied share)",
            "median_wait_seconds": "Median phone wait",
            "web_self_service_rate": "Web self-service rate",
        }.get(metric, row["metric_label"])
    channel = row.get("channel")
    if channel in CHANNEL_WORDS and metric in ("feedback_volume", "negative_share", "theme_share"):
        what = f"{what} ({CHANNEL_WORDS[channel]})"
    if metric in COUNT_METRICS:
        observed, expected = _num(row["observed"]), _num(row["expected"])
    elif metric == "median_wait_seconds":
        observed, expected = _minutes(row["observed"]), _minutes(row["expected"])
    else:
        observed, expected = _pct(row["observed"]), _pct(row["expected"])
    way = "rose" if row["direction"] == "up" else "fell"
    return f"{what} {way} to {observed} (expected {expected})"


def _headline(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No unusual weeks: every measure stayed within its normal range."
    top: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: (r["is_improvement"], -abs(r["score"]))):
        if all((row["metric"], row["theme_id"]) != (t["metric"], t["theme_id"]) for t in top):
            top.append(row)
    top = top[:2]
    return "; ".join(f"{describe_anomaly(r)}, week of {r['period_start']:%-d %b}" for r in top) + "."


def _latest(rows: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    with_value = [r for r in rows if r.get(key) is not None]
    return with_value[-1] if with_value else None


def _overview(data: ReportData) -> str:
    body = []
    for service in data.services:
        sid = service["service_id"]
        weekly = data.weekly.get(sid, {}).get("all", [])
        compounds = [v for _, v, _ in weekly]
        recent, earlier = compounds[-4:], compounds[-8:-4]
        change = None
        if recent and earlier and all(v is not None for v in recent + earlier):
            change = sum(v for v in recent if v is not None) / len(recent) - sum(
                v for v in earlier if v is not None
            ) / len(earlier)
        last_value = next((v for v in reversed(compounds) if v is not None), None)
        card = data.scorecard.get(sid, [])
        csat_row = _latest(card, "csat_top2_share")
        wait_row = _latest(card, "median_wait_seconds")
        self_row = _latest(card, "self_service_rate")
        stats = data.queue_stats.get(sid, {})
        spark = sparkline(
            compounds,
            f"{service['service_name']}: weekly mean sentiment from {_num(compounds[0], '{:+.2f}')} "
            f"to {_num(last_value, '{:+.2f}')}"
            if compounds
            else service["service_name"],
        )
        neg_spark = sparkline(
            service["negative_weekly"],
            f"{service['service_name']}: weekly negative share, latest {_pct(service['negative_weekly'][-1])}"
            if service["negative_weekly"]
            else service["service_name"],
        )
        anomalies = data.anomalies.get(sid, [])
        body.append(
            f"""<tr>
<th scope="row"><a href="#svc-{sid}">{escape(service["service_name"])}</a>
<div class="dept">{escape(service["department"])}</div></th>
<td class="num">{_num(sum(v for _, _, v in weekly[-4:]) if weekly else None)}</td>
<td>{spark}</td>
<td class="num">{_num(_zero(last_value), "{:+.2f}")} {
                arrow(change, higher_is_better=True, threshold=0.05)
            }</td>
<td>{neg_spark}</td>
<td class="num">{_pct(csat_row["csat_top2_share"]) if csat_row else "–"} {
                arrow(
                    csat_row["csat_top2_share_change"] if csat_row else None,
                    higher_is_better=True,
                    threshold=0.05,
                    unit=".0%",
                )
            }</td>
<td class="num">{_minutes(wait_row["median_wait_seconds"]) if wait_row else "–"} {
                arrow(
                    wait_row["median_wait_seconds_change"] if wait_row else None,
                    higher_is_better=False,
                    threshold=30,
                    unit=".0f",
                )
            }</td>
<td class="num">{_pct(self_row["self_service_rate"], 1) if self_row else "–"}</td>
<td class="num">{_num(stats.get("open_items", 0))}<div class="dept">{
                _num(stats.get("urgent_items", 0))
            } urgent</div></td>
<td class="headline">{escape(_headline(anomalies))}</td>
</tr>"""
        )
    return f"""<section id="overview" class="page">
<h2>Overview: all services</h2>
{_key_findings(data)}
<p class="lede">Services are ordered by need: the priority of their worst incident, then the latest
weekly negative share, then CSAT. Sentiment is the mean VADER compound score of all feedback (−1 to +1)
per full week;
arrows compare the last four weeks with the four before (sentiment), and the latest month with the month
before (CSAT, wait). Green arrows are improvements, red ones deteriorations; the arrow's direction shows
which way the number moved.</p>
<div class="scroll" role="region" aria-label="Scorecard of every service, scrolls sideways" tabindex="0">
<table class="overview">
<caption class="sr">Scorecard of every service, most in need first</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Feedback, last 4 weeks</th>
<th scope="col">Sentiment trend</th><th scope="col">Sentiment now</th>
<th scope="col">Negative share trend</th>
<th scope="col">CSAT (latest month)</th><th scope="col">Median phone wait</th>
<th scope="col">Web self-service</th>
<th scope="col">Awaiting reply</th><th scope="col">What changed</th></tr></thead>
<tbody>{"".join(body)}</tbody></table></div>
</section>"""


def _quotes(data: ReportData, feedback_ids: list[str], limit: int) -> str:
    quotes = []
    for feedback_id in feedback_ids:
        channel, _, text = data.verbatims.get(feedback_id, "|").partition("|")
        if text:
            quotes.append(
                f"<blockquote><p>{escape(text)}</p><footer>{escape(channel)} · "
                f"<code>{escape(feedback_id)}</code></footer></blockquote>"
            )
        if len(quotes) == limit:
            break
    return "".join(quotes)


def _key_findings(data: ReportData) -> str:
    """The incidents (marts.incidents) most in need of attention, each with what moved and examples."""
    names = {s["service_id"]: s["service_name"] for s in data.services}
    incidents = [row for row in data.incidents if row["service_id"] in names][:INCIDENT_ROWS]
    if not incidents:
        return '<p class="ok">No service had an unusual day or week in this period.</p>'
    items = []
    for row in incidents:
        good = row["kind"] == "improvement"
        channels = ", ".join(CHANNEL_WORDS.get(c, c) for c in row["channels"])
        items.append(
            f'<li class="{"good" if good else "bad"}"><strong>{escape(names[row["service_id"]])}, '
            f"{row['start_day']:%-d %b} – {row['end_day']:%-d %b}</strong> "
            f'<span class="tag">{"improvement" if good else "needs attention"}</span> '
            f'<span class="muted">{escape(channels)} · severity {row["severity"]:.1f} · '
            f"{row['people_affected']:,} affected</span>"
            f'<div class="why">{escape(row["what_moved"])}</div>'
            f"{_quotes(data, list(row['example_feedback_ids']), 2)}</li>"
        )
    return (
        '<div class="findings"><h3>Incidents, most in need first</h3>'
        '<p class="muted">Unusual measures of one service that overlap in time, across channels, with '
        "what moved (observed against the expected level) and example feedback.</p>"
        f"<ul>{''.join(items)}</ul></div>"
    )


def _data_table(caption: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<details class="alt"><summary>{escape(caption)}: data table</summary>'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
        "</details>"
    )


def _sentiment_section(data: ReportData, sid: str, name: str, highlights: list[Any]) -> str:
    weekly = data.weekly.get(sid, {})
    series = [
        Series(label, [(d, v) for d, v, _ in weekly.get(channel, [])])
        for channel, label in CHANNELS
        if weekly.get(channel)
    ]
    chart = line_chart(
        series,
        f"{name}: weekly mean sentiment by channel",
        f"Line chart of the weekly mean sentiment (−1 to +1) of {name} feedback by channel, "
        f"{_date(data.first_day)} to {_date(data.last_day)}. Shaded weeks had unusual measures.",
        highlight=highlights,
    )
    weeks = sorted({d for s in weekly.values() for d, _, _ in s})
    by_channel = {c: {d: (v, n) for d, v, n in weekly.get(c, [])} for c, _ in CHANNELS}
    rows = [
        [f"{w:%-d %b}"]
        + [
            f"{_num(by_channel[c].get(w, (None, 0))[0], '{:+.2f}')} (n={by_channel[c].get(w, (None, 0))[1]})"
            for c, _ in CHANNELS
        ]
        for w in weeks
    ]
    return chart + _data_table("Sentiment by channel", ["Week", *[label for _, label in CHANNELS]], rows)


def _theme_section(data: ReportData, sid: str, name: str, highlights: list[Any]) -> str:
    themes = data.themes.get(sid, {})
    if not themes:
        return '<p class="muted">No themes found yet.</p>'
    series = [Series(data.theme_labels.get(t, t), points) for t, points in themes.items()]
    chart = line_chart(
        series,
        f"{name}: weekly share of feedback mentioning each top theme",
        f"Line chart of the share of {name} feedback mentioning each of its five most frequent themes, "
        "per week.",
        y_format="{:.0%}",
        y_min=0.0,
        highlight=highlights,
    )
    weeks = sorted({d for points in themes.values() for d, _ in points})
    lookup = {t: dict(points) for t, points in themes.items()}
    rows = [[f"{w:%-d %b}"] + [_pct(lookup[t].get(w)) for t in themes] for w in weeks]
    header = ["Week", *[data.theme_labels.get(t, t) for t in themes]]
    return chart + _data_table("Theme shares", header, rows)


def _drivers_section(data: ReportData, sid: str) -> str:
    rows = data.drivers.get(sid, [])
    if not rows:
        return '<p class="muted">Not enough rated survey responses yet.</p>'
    top = max((r["effect_size"] or 0) for r in rows) or 1.0
    body = []
    for row in rows:
        kind = "A-11 driver" if row["factor_kind"] == "a11_driver" else f"Theme ({row['a11_driver']})"
        flag = "" if not row["is_low_volume"] else ' <span class="tag">small sample</span>'
        cited = (
            f"{_pct(row['share_of_low_citing'])} <span class='dept'>({row['low_with_factor']:,} of "
            f"{row['low_responses']:,})</span>"
        )
        if row["is_comparable"]:
            effect = row["effect_size"] or 0.0
            others = (
                f"{_pct(row['share_of_others_citing'])} <span class='dept'>({row['others_with_factor']:,} of "
                f"{row['other_responses']:,})</span>"
            )
            difference = (
                f"{bar(effect, top, f'difference {effect:+.0%}', PALETTE[2])} {effect * 100:+.0f} pts"
            )
        else:
            others = "not asked"
            difference = '<span class="muted">asked only after a thumbs down: no comparison</span>'
        body.append(
            f"<tr><td>{escape(str(row['factor_label']).capitalize())}{flag}</td><td>{escape(kind)}</td>"
            f"<td class='num'>{cited}</td><td class='num'>{others}</td><td>{difference}</td></tr>"
        )
    return f"""<div class="scroll" role="region" aria-label="Key drivers, scrolls sideways" tabindex="0">
<table class="drivers"><caption class="sr">Key drivers of low satisfaction</caption>
<thead><tr><th scope="col">Factor</th><th scope="col">Kind</th><th scope="col">Cited by dissatisfied</th>
<th scope="col">Cited by the others</th><th scope="col">Difference</th></tr></thead>
<tbody>{"".join(body)}</tbody></table></div>"""


def _anomaly_section(data: ReportData, sid: str) -> str:
    rows = data.anomalies.get(sid, [])
    daily = data.daily_anomaly_counts.get(sid, 0)
    note = f'<p class="muted">{daily} unusual day(s) at daily grain are in marts.anomalies.</p>'
    if not rows:
        return '<p class="ok">No unusual weeks in this period.</p>' + note
    items = []
    for row in sorted(rows, key=lambda r: -abs(r["score"]))[:6]:
        kind = "improvement" if row["is_improvement"] else "needs attention"
        quotes = [_quotes(data, list(row["example_feedback_ids"]), 3)]
        items.append(
            f'<li class="anomaly {"good" if row["is_improvement"] else "bad"}">'
            f'<div class="what"><strong>Week of {_date(row["period_start"])}:</strong> '
            f"{escape(describe_anomaly(row))} "
            f'<span class="tag">{kind}</span> <span class="muted">score {row["score"]:+.1f}, '
            f"n={row['sample_size']:,}</span></div>{''.join(quotes)}</li>"
        )
    return f'<ol class="anomalies">{"".join(items)}</ol>{note}'


def _emerging_section(data: ReportData, sid: str) -> str:
    if not data.emerging_columns:
        return '<p class="muted">Emerging terms are not built in this warehouse.</p>'
    rows = data.emerging.get(sid, [])[:8]
    if not rows:
        return '<p class="muted">No emerging terms for this service.</p>'
    head = "".join(f'<th scope="col">{escape(c.replace("_", " "))}</th>' for c in data.emerging_columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(r.get(c)))}</td>" for c in data.emerging_columns) + "</tr>"
        for r in rows
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value[:5])
    return "" if value is None else str(value)


def _queue_section(data: ReportData, sid: str) -> str:
    stats = data.queue_stats.get(sid)
    rows = data.queue.get(sid, [])
    if not stats or not rows:
        return '<p class="ok">Nothing awaiting a reply.</p>'
    body = []
    for row in rows:
        ref = escape(row["source_ref"] or "")
        link = f'<a href="{ref}">open post</a>' if row["source_url"] else f"<code>{ref}</code>"
        reasons = ", ".join(r.replace("_", " ") for r in row["urgency_reasons"])
        urgent = f'<span class="tag urgent">urgent: {escape(reasons)}</span> ' if row["is_urgent"] else ""
        body.append(
            f"<tr><td class='num'>{row['age_days']} d</td><td>{escape(row['channel'])}</td>"
            f"<td>{urgent}{escape(verbatim(row['text']))}</td><td>{link}<div class='dept'>"
            f"<code>{escape(row['feedback_id'])}</code></div></td></tr>"
        )
    return f"""<p><strong>{stats["open_items"]:,}</strong> negative or urgent items await a reply
({stats["urgent_items"]:,} urgent, {stats["last_7_days"]:,} from the last 7 days; oldest
{stats["oldest_days"]} days). Most urgent first. Record a reply with
<code>civicpulse respond --feedback-id ID --note "..."</code>.</p>
<div class="scroll" role="region" aria-label="Reply queue, scrolls sideways" tabindex="0">
<table class="queue"><thead><tr><th scope="col">Age</th><th scope="col">Channel</th>
<th scope="col">Feedback (redacted)</th><th scope="col">Source record</th></tr></thead>
<tbody>{"".join(body)}</tbody></table></div>"""


def _service_section(data: ReportData, service: dict[str, Any]) -> str:
    sid, name = service["service_id"], service["service_name"]
    highlights = [
        (r["period_start"], r["period_end"], describe_anomaly(r))
        for r in data.anomalies.get(sid, [])
        if not r["is_improvement"]
    ]
    card = data.scorecard.get(sid, [])
    latest = _latest(card, "csat_top2_share") or {}
    tiles = [
        ("CSAT", _pct(latest.get("csat_top2_share")), f"{latest.get('month_start', '')!s:.7}"),
        ("Trust", _pct(latest.get("trust_share")), "agree or thumbs up"),
        ("Median wait", _minutes(latest.get("median_wait_seconds")), "phone"),
        ("Self-service", _pct(latest.get("self_service_rate"), 1), "completions per web session"),
        ("Awaiting reply", _num(data.queue_stats.get(sid, {}).get("open_items", 0)), "negative or urgent"),
    ]
    tile_html = "".join(
        f'<div class="tile"><div class="label">{escape(t)}</div><div class="value">{escape(v)}</div>'
        f'<div class="dept">{escape(s)}</div></div>'
        for t, v, s in tiles
    )
    return f"""<section id="svc-{sid}" class="page service">
<h2>{escape(name)} <span class="dept">{escape(service["department"])}</span></h2>
<p class="headline-box"><strong>What changed:</strong> {escape(_headline(data.anomalies.get(sid, [])))}</p>
<div class="tiles">{tile_html}</div>
<div class="grid">
<div><h3>Sentiment by channel</h3>{_sentiment_section(data, sid, name, highlights)}</div>
<div><h3>Theme shares</h3>{_theme_section(data, sid, name, highlights)}</div>
</div>
<h3>Unusual weeks, with example feedback</h3>{_anomaly_section(data, sid)}
<h3>What drives low satisfaction</h3>{_drivers_section(data, sid)}
<h3>Emerging terms</h3>{_emerging_section(data, sid)}
<h3>Close the loop</h3>{_queue_section(data, sid)}
</section>"""


DATA_DOCS_INDEX = "data-docs/index.html"
MODEL_VERSIONS = {
    "scorer_version": "sentiment scorer",
    "detector_version": "language detector",
    "taxonomy_version": "themes",
}


def _freshness(data: ReportData, data_docs: bool = False) -> str:
    body = "".join(
        f"<tr><td>{escape(r.source)}</td><td>{escape(r.connector)}</td>"
        f"<td>{_date(r.first_day)} – {_date(r.last_day)}</td>"
        f"<td>{_date(r.last_day_with_data) if r.last_day_with_data else 'never'}"
        f"{' <strong>stale</strong>' if r.is_stale else ''}</td>"
        f"<td>{r.last_loaded_at:%Y-%m-%d %H:%M} UTC</td><td class='num'>{r.rows_loaded:,}</td>"
        f"<td class='num'>{r.rows_quarantined:,}</td>"
        f"<td>{'yes' if r.is_reconciled else '<strong>no</strong>'}</td></tr>"
        for r in data.freshness
    )
    warnings = "".join(f"<li>{escape(w)}</li>" for r in data.freshness if (w := r.warning()))
    stale = f'<div class="warning" role="alert"><ul>{warnings}</ul></div>' if warnings else ""
    docs = (
        f' The checks every load passes: <a href="{DATA_DOCS_INDEX}">Data quality checks (Data Docs)</a>.'
        if data_docs
        else ""
    )
    versions = " · ".join(
        f"{label} <code>{escape(data.model_versions[key])}</code>"
        for key, label in MODEL_VERSIONS.items()
        if key in data.model_versions
    )
    return f"""<section id="freshness" class="page">
<h2>Data freshness</h2>{stale}
<div class="scroll"><table><thead><tr><th scope="col">Source</th><th scope="col">Connector</th>
<th scope="col">Days loaded</th><th scope="col">Last day with data</th><th scope="col">Last load</th>
<th scope="col">Rows</th><th scope="col">Quarantined</th><th scope="col">Reconciled</th></tr></thead>
<tbody>{body}</tbody></table></div>
<p class="muted">Sentiment is VADER; themes come from the CX taxonomy mapped to OMB A-11 drivers; unusual
weeks compare each week with the median of the previous eight. Definitions of every column:
<a href="warehouse.html">the warehouse data dictionary</a>.{docs}</p>
<p class="muted">Models: {versions}. Every day of every chart was scored by these versions: a new
version scores all days again, so no trend mixes two versions.</p>
</section>"""


def render(data: ReportData, generated_at: dt.datetime, data_docs: bool = False) -> str:
    nav = "".join(
        f'<li><a href="#svc-{s["service_id"]}">{escape(s["service_name"])}</a></li>' for s in data.services
    )
    sections = "".join(_service_section(data, s) for s in data.services)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer experience report, {_date(data.first_day)} to {_date(data.last_day)}</title>
<style>{CSS}</style></head>
<body>
<header class="masthead"><div>
<p class="kicker">Customer experience report</p>
<h1>What residents told us, {_date(data.first_day)} – {_date(data.last_day)}</h1>
<p class="meta">{len(data.services)} services · social media, calls, surveys and the website ·
generated {generated_at:%-d %b %Y %H:%M} UTC · data to {_date(data.last_day)}</p></div></header>
<nav aria-label="Services"><ul><li><a href="#overview">Overview</a></li>{nav}
<li><a href="#freshness">Data freshness</a></li></ul></nav>
<main>{_overview(data)}{sections}{_freshness(data, data_docs)}</main>
</body></html>
"""


def write_report(config: Any) -> Path:
    """Write index.html (and the data dictionary, warehouse.html) into config.report_path."""
    from civicpulse.dictionary import render_html
    from civicpulse.warehouse.connection import reader

    target_dir: Path = config.report_path
    target = target_dir if target_dir.suffix == ".html" else target_dir / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    with reader(config) as con:
        data_docs = (target.parent / DATA_DOCS_INDEX).is_file()  # built by the pipeline's build step
        html = render(load_data(con, config.stale_after_days()), dt.datetime.now(dt.UTC), data_docs)
    temp = target.with_name(f".{target.name}.tmp")
    temp.write_text(html, encoding="utf-8")
    temp.replace(target)
    (target.parent / "warehouse.html").write_text(render_html(), encoding="utf-8")
    return target
