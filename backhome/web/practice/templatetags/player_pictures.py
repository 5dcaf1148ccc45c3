"""The session player's exercise pictures: animated SVG whose phase (move, hold, return, rest) the
player's script switches with a ``phase-*`` class, with this response's CSP nonce on its ``<style>``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from backhome.illustrate.svg import exercise_svg

register = template.Library()


@lru_cache(maxsize=256)
def _phased(exercise_id: str, mode: str | None, hold_s: int | None, uid: str) -> str:
    return exercise_svg(exercise_id, animated=True, mode=mode, hold_s=hold_s, phase_classes=True, uid=uid)


@register.simple_tag(takes_context=True)
def phase_picture(
    context: dict[str, Any],
    exercise_id: str,
    mode: str | None = None,
    hold_s: int | None = None,
    position: int = 1,
) -> SafeString:
    """The picture at the start position; a ``phase-*`` class on an ancestor plays that phase once.

    Its class prefix is short and names the exercise's place in the session (``x1``, ``x2``...):
    unique in the page, and a third of the picture's weight is that prefix repeated in its CSS.
    """
    svg = _phased(exercise_id, mode or None, hold_s or None, f"x{int(position)}")
    nonce = escape(str(context.get("csp_nonce", "")))
    return mark_safe(svg.replace("<style>", f'<style nonce="{nonce}">'))
