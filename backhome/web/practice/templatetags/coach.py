"""``{% coach_content page.exercises as coach %}``: the camera coach's thresholds for a page's exercises.

The player embeds them with ``json_script`` so the coach works offline from the kept page; the model
itself loads only when the person turns the camera on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from backhome.core.library.coach import coach_content as _coach_content

register = template.Library()


@register.simple_tag
def coach_content(exercises: Iterable[Any]) -> dict[str, dict[str, Any]]:
    content = _coach_content()
    wanted = {getattr(ex, "exercise_id", None) for ex in exercises}
    return {exercise_id: doc for exercise_id, doc in content.items() if exercise_id in wanted}
