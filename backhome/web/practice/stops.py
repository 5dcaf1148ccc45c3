"""B30's kept stops: which exercises a person's red stops still hold back today.

A stop is stored by the session services when a pain check is RED (``core.rules.safety.stop_for``);
whether it still holds is asked of the core each time (``stop_release``), with the day and what has
happened since (a clinician's clearance, a new screening). Reads here; the one write that releases a
stop by hand is ``stop_clear`` (a clinician, B26).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from backhome.core.library.load import default_library
from backhome.core.rules.safety import Stop, stop_release
from backhome.web.patient.models import Screening
from backhome.web.practice.models import ExerciseStop

#: The tiers whose screening gives a programme (PM-14's stop is released by one, B25).
_PRESCRIBING = ("proceed", "refer")


def stops_held(person_id: int, *, today: dt.date | None = None) -> dict[str, str]:
    """The exercises a red stop still holds back on ``today``, each with the core's words for why
    (``{exercise_id: text}``). One query when there is no open stop."""
    today = today or timezone.localdate()
    rows = list(ExerciseStop.objects.filter(person_id=person_id, released_at__isnull=True).order_by("day"))
    if not rows:
        return {}
    library = default_library()
    rescreened = (
        Screening.objects.filter(person_id=person_id, tier__in=_PRESCRIBING, decided_at__isnull=False)
        .order_by("-decided_at")
        .values_list("decided_at", flat=True)
        .first()
    )
    held: dict[str, str] = {}
    for row in rows:
        if row.exercise_id not in library:
            continue
        after_stop = rescreened if rescreened is not None and rescreened > row.created_at else None
        on = timezone.localdate(after_stop) if after_stop is not None else None
        release = stop_release(
            Stop(row.exercise_id, row.rule, row.day),
            today=max(today, row.day),  # a clock set back by hand: the stop holds
            library=library,
            quick_check_clear_on=on,
            rescreen_prescribes_on=on,
        )
        if not release.may_return:
            held[row.exercise_id] = " ".join(r.text for r in release.reasons)
    return held


def stop_clear(*, person_id: int, exercise_id: str, cleared_by: AbstractBaseUser | None, note: str) -> int:
    """A clinician clears an exercise's red stops (B26, through the programme editor's "put back").
    Returns how many stops it released."""
    with transaction.atomic():
        return ExerciseStop.objects.filter(
            person_id=person_id, exercise_id=exercise_id, released_at__isnull=True
        ).update(released_at=timezone.now(), released_by=cleared_by, note=note)
