"""Small words the clinic's pages share: counts, how long ago, an exercise's name."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from backhome.core.library.load import default_library


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def ago(moment: dt.datetime | dt.date | None, today: dt.date) -> str:
    """'today', 'yesterday', '5 days ago', or '12 Mar 2026' for anything older than four weeks."""
    if moment is None:
        return "never"
    day = timezone.localdate(moment) if isinstance(moment, dt.datetime) else moment
    days = (today - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 28:
        return f"{days} days ago"
    return f"{day.day} {day:%b %Y}"


def exercise_name(exercise_id: str) -> str:
    """The library's name of an exercise (its id, if the library no longer has it)."""
    exercise = default_library().get(exercise_id)
    return exercise.name if exercise is not None else exercise_id
