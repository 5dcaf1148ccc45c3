"""Small SVG charts for the history page, drawn from plain data. Pure Python: no Django in here.

Every chart is readable without colour: series differ by line style (solid or dashed) and marker shape
(circle or square) and carry a direct label at their end. Each SVG has a ``<title>`` and a ``<desc>``
(``role="img"``, ``aria-labelledby``), scales with its container (``viewBox``, ``width="100%"``) and uses
presentation attributes only (no ``style``), so the page's Content-Security-Policy allows it. Every text
that goes into the markup is escaped here; the caller may mark the result safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

Line = Literal["solid", "dashed"]
Marker = Literal["circle", "square"]

#: Drawing constants, in viewBox units. At 390 px wide one unit is about one CSS pixel.
WIDTH = 340
FONT = 13
INK = "#111111"
MUTED = "#4a4a4a"
GRID = "#cfcfcf"
DASH = "6 4"
LABEL_GAP = FONT + 2  # the least vertical distance between two end labels


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: ``points`` are (day, value) pairs in any order; one value per day."""

    name: str  # spoken and shown in the description: "Back pain"
    label: str  # the direct label at the line's end: "Back"
    points: tuple[tuple[dt.date, int], ...]
    line: Line = "solid"
    marker: Marker = "circle"
    colour: str = INK
    key: str = "series"  # a class name suffix for the page's CSS


def short_date(day: dt.date) -> str:
    """12 May."""
    return f"{day.day} {day:%b}"


def _a(value: object) -> str:
    """An attribute value, escaped and quoted."""
    return '"' + escape(str(value), quote=True) + '"'


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg_open(uid: str, height: int, title: str, desc: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class={_a(css)} viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby={_a(uid + "-title")} aria-describedby={_a(uid + "-desc")} '
        f'font-size="{FONT}" font-family="system-ui, sans-serif" focusable="false">',
        f"<title id={_a(uid + '-title')}>{escape(title, quote=False)}</title>",
        f"<desc id={_a(uid + '-desc')}>{escape(desc, quote=False)}</desc>",
    ]


def _date_ticks(first: dt.date, last: dt.date, most: int) -> list[dt.date]:
    """Up to ``most`` evenly spaced days from ``first`` to ``last``, both included, no repeats."""
    span = (last - first).days
    if span == 0:
        return [first]
    count = min(most, span + 1)
    days = [first + dt.timedelta(days=round(i * span / (count - 1))) for i in range(count)]
    return list(dict.fromkeys(days))


def _spread(wanted: list[float], low: float, high: float, gap: float) -> list[float]:
    """Move label positions apart so no two are closer than ``gap``, keeping them within [low, high]
    and in their original order."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [wanted[i] for i in order]
    for _ in range(len(placed) + 1):
        for k in range(1, len(placed)):
            if placed[k] - placed[k - 1] < gap:
                middle = (placed[k] + placed[k - 1]) / 2
                placed[k - 1], placed[k] = middle - gap / 2, middle + gap / 2
        shift_down = max(0.0, low - placed[0]) if placed else 0.0
        shift_up = max(0.0, placed[-1] - high) if placed else 0.0
        placed = [p + shift_down - shift_up for p in placed]
    out = [0.0] * len(wanted)
    for rank, i in enumerate(order):
        out[i] = placed[rank]
    return out


def _marker(kind: Marker, x: float, y: float, colour: str, key: str) -> str:
    if kind == "square":
        # Hollow and larger than a circle, so a circle on the same spot stays visible inside it.
        return (
            f'<rect class="marker marker-{key}" x="{_n(x - 4.5)}" y="{_n(y - 4.5)}" width="9" height="9" '
            f'fill="#ffffff" stroke={_a(colour)} stroke-width="2"/>'
        )
    return f'<circle class="marker marker-{key}" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill={_a(colour)}/>'


def line_chart(
    series: Sequence[Series],
    *,
    uid: str,
    title: str,
    desc: str,
    y_max: int = 10,
    y_step: int = 2,
    y_title: str = "Pain, 0 to 10",
    x_title: str = "Date",
    height: int = 230,
) -> str:
    """A line chart of whole-number values over days, with gridlines, axis labels, dates and a direct
    label at each line's end. The first series is drawn last, so it stays on top."""
    left, right, top, bottom = 30.0, 72.0, 26.0, 46.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    days = sorted({day for s in series for day, _ in s.points})
    out = _svg_open(uid, height, title, desc, "chart line-chart")

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * min(max(value, 0), y_max) / y_max

    first = days[0] if days else None
    last = days[-1] if days else None
    span = (last - first).days if first and last else 0

    def x_of(day: dt.date) -> float:
        if first is None or span == 0:
            return left + plot_w / 2
        return left + plot_w * (day - first).days / span

    # Gridlines and the value axis.
    out.append('<g class="grid">')
    for value in range(0, y_max + 1, y_step):
        y = y_of(value)
        out.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
            f'stroke={_a(GRID if value else MUTED)} stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" fill={_a(MUTED)}>{value}</text>'
        )
    out.append("</g>")
    out.append(f'<text class="axis-title" x="0" y="{FONT + 2}" fill={_a(INK)}>{escape(y_title)}</text>')

    # Dates along the bottom: at most four labels, so they never touch at phone width.
    base = top + plot_h
    if first is not None and last is not None:
        out.append('<g class="dates">')
        for day in _date_ticks(first, last, 4):
            x = x_of(day)
            out.append(
                f'<line x1="{_n(x)}" y1="{_n(base)}" x2="{_n(x)}" y2="{_n(base + 4)}" stroke={_a(MUTED)}/>'
            )
            out.append(
                f'<text x="{_n(x)}" y="{_n(base + 18)}" text-anchor="middle" fill={_a(MUTED)}>'
                f"{escape(short_date(day))}</text>"
            )
        out.append("</g>")
    out.append(
        f'<text class="axis-title" x="{_n(left + plot_w / 2)}" y="{_n(height - 6)}" text-anchor="middle" '
        f"fill={_a(INK)}>{escape(x_title)}</text>"
    )

    # The lines, their markers, then the end labels (spread apart so they never overlap).
    ends: list[tuple[Series, float, float, int]] = []
    for s in reversed(series):
        points = sorted(s.points)
        if not points:
            continue
        coords = [(x_of(day), y_of(value)) for day, value in points]
        dash = f' stroke-dasharray="{DASH}"' if s.line == "dashed" else ""
        out.append(f'<g class="series series-{escape(s.key)}">')
        if len(coords) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
            out.append(
                f'<polyline points="{path}" fill="none" stroke={_a(s.colour)} stroke-width="2.5" '
                f'stroke-linejoin="round"{dash}/>'
            )
        out.extend(_marker(s.marker, x, y, s.colour, escape(s.key)) for x, y in coords)
        out.append("</g>")
        ends.append((s, coords[-1][0], coords[-1][1], points[-1][1]))
    ends.reverse()
    label_ys = _spread([y + 4 for _, _, y, _ in ends], top + 4, base + 4, LABEL_GAP)
    for (s, x, _, value), y in zip(ends, label_ys, strict=True):
        out.append(
            f'<text class="end-label" x="{_n(x + 9)}" y="{_n(y)}" fill={_a(s.colour)} font-weight="700">'
            f"{escape(s.label)} {value}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def step_chart(
    steps: Sequence[tuple[dt.date, int]],
    *,
    end: dt.date,
    uid: str,
    title: str,
    desc: str,
    y_max: int,
    unit: str = "s",
    colour: str = INK,
    height: int = 96,
) -> str:
    """A step chart of one value over days (a hold time): each step holds its value until the next one,
    the last until ``end``. Bars under the line make the level easy to read; the first and the latest
    values are labelled."""
    left, right, top, bottom = 36.0, 46.0, 10.0, 26.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    points = sorted(steps)
    y_max = max([y_max, 1, *(v for _, v in points)])
    out = _svg_open(uid, height, title, desc, "chart step-chart")
    base = top + plot_h

    def y_of(value: float) -> float:
        return base - plot_h * value / y_max

    for value in (0, y_max):
        y = y_of(value)
        out.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
            f'stroke={_a(MUTED if value == 0 else GRID)} stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_n(left - 5)}" y="{_n(y + 4)}" text-anchor="end" fill={_a(MUTED)}>'
            f"{value} {escape(unit)}</text>"
        )
    if not points:
        out.append("</svg>")
        return "\n".join(out)

    first = points[0][0]
    last = max(end, points[-1][0])
    span = max((last - first).days, 1)

    def x_of(day: dt.date) -> float:
        return left + plot_w * (day - first).days / span

    out.append('<g class="series series-hold">')
    bounds = [x_of(day) for day, _ in points] + [left + plot_w]
    for (_, value), x0, x1 in zip(points, bounds, bounds[1:], strict=False):
        width = max(x1 - x0, 2.0)
        out.append(
            f'<rect class="bar" x="{_n(x0)}" y="{_n(y_of(value))}" width="{_n(width)}" '
            f'height="{_n(base - y_of(value))}" fill={_a(colour)} fill-opacity="0.18"/>'
        )
    path: list[str] = []
    for (_, value), x0, x1 in zip(points, bounds, bounds[1:], strict=False):
        path.append(f"{_n(x0)},{_n(y_of(value))} {_n(x1)},{_n(y_of(value))}")
    out.append(
        f'<polyline points="{" ".join(path)}" fill="none" stroke={_a(colour)} stroke-width="2.5" '
        f'stroke-linejoin="round"/>'
    )
    out.append("</g>")
    # The latest value at the right end; the dates of the start and of the end below.
    out.append(
        f'<text class="end-label" x="{_n(left + plot_w + 6)}" y="{_n(y_of(points[-1][1]) + 4)}" '
        f'fill={_a(INK)} font-weight="700">{points[-1][1]} {escape(unit)}</text>'
    )
    out.append(
        f'<text x="{_n(left)}" y="{_n(height - 6)}" text-anchor="start" fill={_a(MUTED)}>'
        f"{escape(short_date(first))}</text>"
    )
    out.append(
        f'<text x="{_n(left + plot_w)}" y="{_n(height - 6)}" text-anchor="end" fill={_a(MUTED)}>'
        f"{escape(short_date(last))}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def key_sample(line: Line, marker: Marker, colour: str = INK, key: str = "series") -> str:
    """A short stretch of a series' line with its marker, for the key next to a chart (decorative)."""
    dash = f' stroke-dasharray="{DASH}"' if line == "dashed" else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="key-sample" viewBox="0 0 36 14" width="36" '
        f'height="14" aria-hidden="true" focusable="false">'
        f'<line x1="1" y1="7" x2="35" y2="7" stroke={_a(colour)} stroke-width="2.5"{dash}/>'
        f"{_marker(marker, 18, 7, colour, escape(key))}</svg>"
    )
