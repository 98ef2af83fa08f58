"""Inline SVG charts: no scripts, no external files. Every chart carries a title and description."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Okabe-Ito based, darkened where needed for 3:1 contrast against white (WCAG 1.4.11), with dash patterns
# so no series depends on colour alone.
PALETTE = ("#1f1f1f", "#0072b2", "#c74a00", "#007a5e", "#a4447a", "#6b5a00", "#3d6fa8")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 2")
UP_BAD = "#b8322a"
UP_GOOD = "#1d6b3e"
NEUTRAL = "#4a4a4a"


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[dt.date, float | None]]


def sparkline(values: Sequence[float | None], label: str, width: int = 120, height: int = 30) -> str:
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return f'<span class="muted">{escape(label)}: too little data</span>'
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    step = (width - 6) / max(len(values) - 1, 1)
    coords = [
        (3 + i * step, height - 4 - (v - low) / span * (height - 8))
        for i, v in enumerate(values)
        if v is not None
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    return (
        f'<svg class="spark" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<polyline points="{path}" fill="none" stroke="{PALETTE[1]}" stroke-width="1.8" '
        f'stroke-linejoin="round"/><circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.6" '
        f'fill="{PALETTE[1]}"/></svg>'
    )


def line_chart(
    series: Sequence[Series],
    title: str,
    description: str,
    *,
    y_format: str = "{:+.2f}",
    y_min: float | None = None,
    y_max: float | None = None,
    width: int = 640,
    height: int = 230,
    highlight: Sequence[tuple[dt.date, dt.date, str]] = (),
) -> str:
    """A multi-series line chart over dates, with a legend and shaded highlight windows."""
    dates = sorted({d for s in series for d, v in s.points if v is not None})
    values = [v for s in series for _, v in s.points if v is not None]
    if len(dates) < 2 or not values:
        return f'<p class="muted">{escape(title)}: not enough data yet.</p>'
    low: float = min(values) if y_min is None else min(y_min, min(values))
    high: float = max(values) if y_max is None else max(y_max, max(values))
    if high == low:
        high = low + 1.0
    left, right, top, bottom = 52, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = dates[0], dates[-1]
    days = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return left + (day - first).days / days * plot_w

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * plot_h

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    ]
    for start, end, label in highlight:
        if end < first or start > last:
            continue
        x0, x1 = x(max(start, first)), x(min(end, last))
        parts.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 2):.1f}" height="{plot_h}" '
            f'fill="#fff4d6" stroke="none"><title>{escape(label)}</title></rect>'
        )
    for i in range(5):
        value = low + (high - low) * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#d9d9d9" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" class="axis">'
            f"{escape(y_format.format(value))}</text>"
        )
    if low < 0 < high:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
            f'stroke="#7a7a7a" stroke-width="1"/>'
        )
    months = sorted({d.replace(day=1) for d in dates if d.replace(day=1) >= first})
    for month in months:
        parts.append(
            f'<text x="{x(month):.1f}" y="{height - 8}" class="axis" text-anchor="middle">'
            f"{month:%b %Y}</text>"
        )
    for index, item in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        segments: list[list[str]] = [[]]
        for day, point in item.points:
            if point is None:
                segments.append([])
            else:
                segments[-1].append(f"{x(day):.1f},{y(point):.1f}")
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2" stroke-dasharray="{dash}" stroke-linejoin="round">'
                    f"<title>{escape(item.name)}</title></polyline>"
                )
            elif segment:
                cx, cy = segment[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
    parts.append("</svg>")
    legend = "".join(
        f'<span class="key"><svg width="26" height="10" aria-hidden="true"><line x1="1" x2="25" y1="5" '
        f'y2="5" stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="2.5" '
        f'stroke-dasharray="{DASHES[i % len(DASHES)]}"/></svg>{escape(s.name)}</span>'
        for i, s in enumerate(series)
    )
    return f'<figure class="figure">{"".join(parts)}<figcaption>{legend}</figcaption></figure>'


def bar(value: float, maximum: float, label: str, colour: str = PALETTE[1], width: int = 110) -> str:
    length = 0.0 if maximum <= 0 else max(0.0, min(value / maximum, 1.0)) * width
    return (
        f'<svg class="bar" role="img" width="{width}" height="12" viewBox="0 0 {width} 12" '
        f'aria-label="{escape(label)}"><rect x="0" y="1" width="{width}" height="10" fill="#ececec"/>'
        f'<rect x="0" y="1" width="{length:.1f}" height="10" fill="{colour}"/></svg>'
    )


def arrow(change: float | None, *, higher_is_better: bool, threshold: float, unit: str = "") -> str:
    """▲/▼ plus words for screen readers; colour says good or bad, the glyph says which way."""
    if change is None:
        return '<span class="muted">–</span>'
    if abs(change) < threshold:
        return '<span class="flat" title="about the same">▶<span class="sr"> steady</span></span>'
    good = (change > 0) == higher_is_better
    colour = UP_GOOD if good else UP_BAD
    glyph, word = ("▲", "up") if change > 0 else ("▼", "down")
    verdict = "better" if good else "worse"
    return (
        f'<span class="arrow" style="color:{colour}" title="{word} {abs(change):{unit}}, {verdict}">'
        f'{glyph}<span class="sr"> {word}, {verdict}</span></span>'
    )
