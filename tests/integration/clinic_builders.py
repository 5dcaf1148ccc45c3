"""Builders for the clinic tests: more patients like Dana (cheaply: her decided screening copied, not
decided again), a joining date in the past, a few days of history. They judge nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backhome.web.clinic.models import Alert, Clinic, Enrolment
from backhome.web.patient.models import Person, PlanItem, Screening
from tests.integration.history_builders import checkin_on, log_in, session_on


def patient_like(template: Person, clinic: Clinic, label: str, *, back: int | None = None) -> Person:
    """A new person with a copy of ``template``'s latest decided screening (and plan), enrolled at
    ``clinic`` as ``label``. ``back`` changes the screening's back pain (the list's baseline)."""
    source = Screening.objects.filter(person=template, decided_at__isnull=False).latest("decided_at")
    person = Person.objects.create()
    intake = dict(source.intake or {})
    if back is not None:
        intake["pain"] = {**intake["pain"], "back": back}
    screening = Screening.objects.create(
        person=person,
        answers=source.answers,
        intake=intake,
        decision=source.decision,
        tier=source.tier,
        decided_at=source.decided_at,
    )
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                screening=screening,
                position=item.position,
                exercise_id=item.exercise_id,
                sets=item.sets,
                reps=item.reps,
                hold_s=item.hold_s,
                per_side=item.per_side,
                mode=item.mode,
                rules=item.rules,
            )
            for item in source.items.all()
        ]
    )
    Enrolment.objects.create(person=person, clinic=clinic, label=label)
    return person


def joined_days_ago(person: Person, days: int) -> None:
    Enrolment.objects.filter(person=person).update(joined_at=timezone.now() - dt.timedelta(days=days))


def practised(
    person: Person,
    *,
    days: Sequence[int],
    back: int = 4,
    leg: int = 2,
    exercise_id: str = "prone-press-up",
    checkin_back: int | None = None,
) -> None:
    """A finished session (with one green exercise) on each of ``days`` (days before today); with
    ``checkin_back``, also a morning check-in on each of those days."""
    today = timezone.localdate()
    screening = Screening.objects.filter(person=person, decided_at__isnull=False).latest("decided_at")
    for ago in days:
        day = today - dt.timedelta(days=ago)
        session = session_on(person, day, screening=screening, back=back, leg=leg)
        log_in(session, 1, exercise_id)
        if checkin_back is not None:
            checkin_on(person, day, back=checkin_back, leg=leg)


def alert_for(person: Person, clinic: Clinic, key: str, *, open_: bool = True) -> Alert:
    return Alert.objects.create(
        clinic=clinic,
        person=person,
        kind=Alert.Kind.RED_STOP,
        key=key,
        rules=["PM-11"],
        text="A session was stopped.",
        acknowledged_at=None if open_ else timezone.now(),
    )


def count_queries(action: object) -> int:
    """How many SQL queries ``action()`` runs."""
    with CaptureQueriesContext(connection) as captured:
        action()  # type: ignore[operator]
    return len(captured.captured_queries)
