"""Builders for the check-in's tests: a person whose programme began some days ago, guided sessions at
the programme's current doses made straight with the ORM (uuid4 ids, as the browser makes them), and
earlier check-ins made through the service, as the web makes them. The builders judge nothing: a
session's light is what the test says it was."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from backhome.web.patient.models import Person, Screening
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress import services
from backhome.web.progress.models import CheckIn
from backhome.web.progress.selectors import current_programme
from tests.integration.people import DANA_WEB, person_with_plan

GREEN_RULES = {"green": ["PM-30"], "amber": ["PM-20"], "red": ["PM-12"]}


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def person_started(doc: dict[str, Any] = DANA_WEB, *, days: int = 3) -> tuple[Person, Screening]:
    """A guest with a plan decided ``days`` ago (the programme's start, DS-08)."""
    person, screening = person_with_plan(doc)
    screening.decided_at = timezone.now() - dt.timedelta(days=days)
    screening.save(update_fields=["decided_at"])
    return person, screening


def session_done(
    person: Person,
    day: dt.date,
    *,
    light: str = "green",
    lights: dict[str, str] | None = None,
    rules: dict[str, list[str]] | None = None,
) -> ExerciseSession:
    """A finished session on ``day`` of every active exercise at its current dose, each with ``light``
    (or the light ``lights`` gives its exercise) and the rules ``rules`` gives it (PM-10 for spreading)."""
    programme = current_programme(person)
    assert programme is not None
    session = ExerciseSession.objects.create(
        id=uuid.uuid4(),
        person=person,
        screening=programme.screening,
        day=day,
        status=ExerciseSession.Status.FINISHED,
        ended_at=timezone.now(),
        before_back=3,
        before_leg=2,
        before_zone=3,
        before_numbness=False,
    )
    for position, item in enumerate(programme.active, 1):
        this = (lights or {}).get(item.exercise_id, light)
        ExerciseLog.objects.create(
            id=uuid.uuid4(),
            session=session,
            position=position,
            exercise_id=item.exercise_id,
            sets=item.dose.sets,
            reps=item.dose.reps,
            hold_s=item.dose.hold_s,
            per_side=item.dose.per_side,
            mode=item.dose.mode or "",
            sets_done=item.dose.sets,
            after_back=3,
            after_leg=2 if this != "red" else 4,
            after_zone=3,
            after_numbness=False,
            light=this,
            rules=(rules or {}).get(item.exercise_id, GREEN_RULES[this]),
        )
    return session


def checked_in(
    person: Person, day: dt.date, *, back: int = 3, leg: int = 2, zone: int = 3, stiffness: str = "none"
) -> CheckIn:
    """A morning check-in on ``day`` through the service (with the doses it leads to)."""
    checkin, _ = services.checkin_record(
        person=person, date=day, back=back, leg=leg, zone=zone, stiffness=stiffness, id=uuid.uuid4()
    )
    return checkin


def three_green_days(person: Person) -> None:
    """Three GREEN sessions over two days with good mornings: two sessions the day before yesterday
    (checked in before them), one yesterday (checked in before it). Today's check-in is the test's."""
    checked_in(person, days_ago(2))
    session_done(person, days_ago(2))
    session_done(person, days_ago(2))
    checked_in(person, days_ago(1))
    session_done(person, days_ago(1))


def checkin_form(
    *, back: int = 3, leg: int = 2, zone: int = 3, stiffness: str = "none", id: Any = None
) -> dict:
    """The check-in form as a browser posts it."""
    return {
        "back": str(back),
        "leg": str(leg),
        "zone": str(zone),
        "stiffness": stiffness,
        "id": str(id or uuid.uuid4()),
    }
