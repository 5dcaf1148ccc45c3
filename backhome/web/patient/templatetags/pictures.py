"""The exercise pictures, inline: generated SVG from ``backhome.illustrate`` (our own content, no user
input), with this response's CSP nonce on the animation's ``<style>``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from backhome.illustrate.svg import exercise_panels_svg, exercise_svg

register = template.Library()


@lru_cache(maxsize=256)
def _animated(exercise_id: str, mode: str | None, hold_s: int | None) -> str:
    return exercise_svg(exercise_id, animated=True, mode=mode, hold_s=hold_s)


@lru_cache(maxsize=64)
def _panels(exercise_id: str, mode: str | None = None) -> str:
    return exercise_panels_svg(exercise_id, mode=mode)


def _with_nonce(svg: str, nonce: str) -> str:
    return svg.replace("<style>", f'<style nonce="{escape(nonce)}">')


@register.simple_tag(takes_context=True)
def exercise_picture(
    context: dict[str, Any], exercise_id: str, mode: str | None = None, hold_s: int | None = None
) -> SafeString:
    """The animated picture (move in, hold, return) for one exercise at the person's dose."""
    svg = _animated(exercise_id, mode or None, hold_s or None)
    return mark_safe(_with_nonce(svg, str(context.get("csp_nonce", ""))))


@register.simple_tag(takes_context=True)
def exercise_panels(context: dict[str, Any], exercise_id: str, mode: str | None = None) -> SafeString:
    """The numbered static panels of one exercise (start to end) in the prescribed mode, for the gallery
    and for print."""
    return mark_safe(_with_nonce(_panels(exercise_id, mode or None), str(context.get("csp_nonce", ""))))
