"""The history page's charts, inline: SVG from ``backhome.web.history.charts``, which escapes every text it
puts into its markup. That generated markup, and nothing else, is marked safe here."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.safestring import SafeString, mark_safe

from backhome.web.history import charts
from backhome.web.history.selectors import ExerciseDoses, PainDay

register = template.Library()

#: Colours back up the line styles and marker shapes; they never carry the meaning alone.
BACK_COLOUR = "#0a4a9e"
LEG_COLOUR = "#9a4300"


@register.simple_tag
def pain_chart(days: tuple[PainDay, ...]) -> SafeString:
    """Back pain (solid line, round dots) and leg pain (dashed line, square dots) by day."""
    back = charts.Series(
        "Back pain", "Back", tuple((d.day, d.back) for d in days), "solid", "circle", BACK_COLOUR, "back"
    )
    leg = charts.Series(
        "Leg pain", "Leg", tuple((d.day, d.leg) for d in days), "dashed", "square", LEG_COLOUR, "leg"
    )
    desc = "Back pain is the solid line with round dots; leg pain is the dashed line with square dots."
    if days:
        first, last = days[0], days[-1]
        desc += (
            f" {len(days)} day{'s' if len(days) != 1 else ''} from {charts.short_date(first.day)} to "
            f"{charts.short_date(last.day)}. First day: back {first.back}, leg {first.leg}. "
            f"Latest: back {last.back}, leg {last.leg}, out of 10. The numbers are in the table below."
        )
    svg = charts.line_chart(
        (back, leg), uid="pain-chart", title="Your back and leg pain by day, 0 to 10", desc=desc
    )
    return mark_safe(svg)


@register.simple_tag
def pain_key() -> SafeString:
    """The key under the pain chart: a sample of each line and marker, with words."""
    back = charts.key_sample("solid", "circle", BACK_COLOUR, "back")
    leg = charts.key_sample("dashed", "square", LEG_COLOUR, "leg")
    return mark_safe(
        f'<span class="key-item">{back} Back pain: solid line, round dots</span> '
        f'<span class="key-item">{leg} Leg pain: dashed line, square dots</span>'
    )


@register.simple_tag
def hold_chart(item: ExerciseDoses, today: dt.date) -> SafeString:
    """How long each hold of one exercise has been, from the start of the programme to today."""
    steps = [(s.day, s.hold_s) for s in item.steps]
    words = "; ".join(f"{s.hold_s} seconds from {charts.short_date(s.day)}" for s in item.steps)
    svg = charts.step_chart(
        steps,
        end=today,
        uid=f"hold-{item.exercise_id}",
        title=f"Hold time of {item.name} over time",
        desc=f"Hold time, up to {item.hold_max} seconds: {words}." if words else "No doses yet.",
        y_max=item.hold_max,
        unit="s",
        colour=BACK_COLOUR,
    )
    return mark_safe(svg)
