"""The patient page's charts: pain by day (the history page's line chart, reused) and sessions per week
(a small bar chart). Server-side SVG, readable without colour: line styles, marker shapes and direct
labels for pain; a number over every bar for sessions. Every text put into the markup is escaped here
(``history.charts`` escapes its own), so the result may be marked safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from backhome.web.clinic.selectors.patient_page import WeekCount
from backhome.web.history import charts

BACK_COLOUR = "#0a4a9e"
LEG_COLOUR = "#9a4300"
BAR_COLOUR = "#0a4a9e"


def pain_chart(days: Sequence[tuple[dt.date, int, int]], *, since: dt.date, until: dt.date) -> SafeString:
    """Back pain (solid line, round dots) and leg pain (dashed line, square dots) by day."""
    back = charts.Series(
        "Back pain", "Back", tuple((d, b) for d, b, _ in days), "solid", "circle", BACK_COLOUR, "back"
    )
    leg = charts.Series(
        "Leg pain", "Leg", tuple((d, g) for d, _, g in days), "dashed", "square", LEG_COLOUR, "leg"
    )
    desc = (
        "Back pain is the solid line with round dots; leg pain is the dashed line with square dots. "
        f"From {charts.short_date(since)} to {charts.short_date(until)}."
    )
    if days:
        first, last = days[0], days[-1]
        desc += (
            f" {len(days)} days with a score. First: back {first[1]}, leg {first[2]}. "
            f"Latest ({charts.short_date(last[0])}): back {last[1]}, leg {last[2]}, out of 10."
        )
    svg = charts.line_chart(
        (back, leg), uid="pain-chart", title="Back and leg pain by day, 0 to 10", desc=desc, height=210
    )
    return mark_safe(svg)


def pain_key() -> SafeString:
    back = charts.key_sample("solid", "circle", BACK_COLOUR, "back")
    leg = charts.key_sample("dashed", "square", LEG_COLOUR, "leg")
    return mark_safe(
        f'<span class="key-item">{back} Back pain: solid line, round dots</span> '
        f'<span class="key-item">{leg} Leg pain: dashed line, square dots</span>'
    )


def qr_code(url: str) -> SafeString:
    """A QR code of an invitation's link, inline SVG (segno: no network, no image library); the page
    says in words what it is, so the picture itself is hidden from screen readers."""
    import segno

    svg = segno.make(url, error="m").svg_inline(
        scale=4, dark="#111111", light="#ffffff", border=2, omitsize=False
    )
    return mark_safe(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def weeks_chart(weeks: Sequence[WeekCount]) -> SafeString:
    """Sessions done per 7-day block, as bars with their count written over them ("5/7")."""
    width, height = 340, 150
    left, right, top, bottom = 8.0, 8.0, 22.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    words = "; ".join(f"{w.done} of {w.days} days in the week to {charts.short_date(w.end)}" for w in weeks)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" viewBox="0 0 {width} {height}" '
        'width="100%" role="img" aria-labelledby="weeks-chart-title" aria-describedby="weeks-chart-desc" '
        'font-size="12" font-family="system-ui, sans-serif" focusable="false">',
        '<title id="weeks-chart-title">Days with a session, per week</title>',
        f'<desc id="weeks-chart-desc">{escape(words or "No weeks yet.")}</desc>',
        f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{_n(left + plot_w)}" y2="{_n(base)}" stroke="#4a4a4a"/>',
    ]
    if weeks:
        slot = plot_w / len(weeks)
        bar_w = slot * 0.66
        for index, week in enumerate(weeks):
            x = left + slot * index + (slot - bar_w) / 2
            h = plot_h * week.done / 7
            out.append(
                f'<rect class="bar" x="{_n(x)}" y="{_n(base - h)}" width="{_n(bar_w)}" height="{_n(max(h, 0))}" '
                f'fill="{BAR_COLOUR}" fill-opacity="0.75"/>'
            )
            # the dashed outline of the days the week could hold: a full bar means every day
            full = plot_h * week.days / 7
            out.append(
                f'<rect class="slot" x="{_n(x)}" y="{_n(base - full)}" width="{_n(bar_w)}" height="{_n(full)}" '
                'fill="none" stroke="#6b6b6b" stroke-dasharray="3 2"/>'
            )
            cx = x + bar_w / 2
            out.append(
                f'<text x="{_n(cx)}" y="{_n(base - full - 5)}" text-anchor="middle" fill="#111111" '
                f'font-weight="700">{week.done}</text>'
            )
        for index in sorted({0, len(weeks) - 1}):
            week = weeks[index]
            cx = left + slot * index + slot / 2
            anchor = "start" if index == 0 and len(weeks) > 1 else ("end" if len(weeks) > 1 else "middle")
            x = left if anchor == "start" else (left + plot_w if anchor == "end" else cx)
            out.append(
                f'<text x="{_n(x)}" y="{_n(height - 14)}" text-anchor="{anchor}" fill="#4a4a4a">'
                f"week to {escape(charts.short_date(week.end))}</text>"
            )
    out.append(
        f'<text x="{_n(width / 2)}" y="{_n(height - 1)}" text-anchor="middle" fill="#111111">'
        "Days with a session, of 7, each week</text>"
    )
    out.append("</svg>")
    return mark_safe("\n".join(out))
