"""Every write of the check-in (house style: ``<entity>_<action>``, keyword-only, atomic).

``checkin_record`` stores a morning check-in and what the core made of it: the PM-40 verdict on the
previous day's sessions and, from ``backhome.core.course.advance``, the next dose of every exercise.
Nothing here judges pain or picks a dose; it gathers the core's inputs and stores its answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from uuid import UUID

from django.db import transaction

from backhome.core.course import Course, CourseItem, Step, advance, bias_of
from backhome.core.dose import dose_json
from backhome.core.library.load import default_library
from backhome.core.model import Dose, MorningCheck, Reason
from backhome.core.model import Stiffness as CoreStiffness
from backhome.web.errors import Conflict, Invalid, NotFound
from backhome.web.patient.models import Person
from backhome.web.patient.services import LockError
from backhome.web.progress import selectors
from backhome.web.progress.models import CheckIn, DoseChange, Stiffness

COURSE_SCHEMA = "backhome.course/1"


class InvalidCheckIn(Invalid):
    """An answer of the wrong type or out of range; ``field`` names it. Nothing was stored."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__("Some values are missing or wrong.", fields=[(field, message)])


class AlreadyCheckedIn(Conflict):
    """This person has checked in on this day already (one check-in a day); ``existing`` is it."""

    default_code = "already_checked_in"

    def __init__(self, existing: CheckIn) -> None:
        super().__init__("You have already checked in today.")
        self.existing = existing


class NoProgramme(Conflict):
    """No programme to check in for: no result yet, or a result without exercises."""

    default_code = "no_programme"


class NotYours(NotFound):
    """The check-in id belongs to another person: to them it is no check-in at all."""


def _validate(*, back: Any, leg: Any, zone: Any, stiffness: Any, date: Any, id: Any) -> None:
    for name, value, top in (("back", back, 10), ("leg", leg, 10), ("zone", zone, 5)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise InvalidCheckIn(name, f"Give a whole number from 0 to {top}.")
    if stiffness not in Stiffness.values:
        raise InvalidCheckIn("stiffness", f"Give one of {', '.join(Stiffness.values)}.")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise InvalidCheckIn("date", "Give a calendar date.")
    if not isinstance(id, UUID):
        raise InvalidCheckIn("id", "Give a UUID.")


def checkin_record(
    *, person: Person, date: dt.date, back: int, leg: int, zone: int, stiffness: str, id: UUID
) -> tuple[CheckIn, bool]:
    """Store this morning's check-in and the doses that follow from it; returns (check-in, created).

    ``date`` is the person's calendar day (the view passes ``timezone.localdate()``; tests pass any
    day). The same ``id`` again returns the stored check-in unchanged (a retried or doubled submit),
    whatever else it carries. Raises (nothing stored) ``InvalidCheckIn``, ``LockError`` for a person
    locked after an emergency answer, ``AlreadyCheckedIn`` for a second check-in the same day,
    ``NoProgramme`` and ``NotYours``: domain errors (invalid, conflict, conflict, conflict, not found).
    """
    _validate(back=back, leg=leg, zone=zone, stiffness=stiffness, date=date, id=id)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.locked:
            raise LockError("Exercises are stopped until a doctor or physical therapist has seen you.")
        existing = CheckIn.objects.filter(pk=id).first()
        if existing is not None:
            if existing.person_id != person.pk:
                raise NotYours("There is no such check-in.")
            return existing, False
        same_day = selectors.checkin_on(person, date)
        if same_day is not None:
            raise AlreadyCheckedIn(same_day)
        programme = selectors.current_programme(person)
        if programme is None:
            raise NoProgramme("You have no programme to check in for.")

        # A programme cannot begin after a check-in made for it (a clock or time zone change).
        start = min(selectors.programme_start(programme.screening), date)
        earlier = selectors.mornings(person, start=start, until=date - dt.timedelta(days=1))
        today = MorningCheck(date, back, leg, zone, cast(CoreStiffness, stiffness))
        results = selectors.exercise_results(person, programme.screening, earlier)
        items = [
            CourseItem(
                exercise_id=item.exercise_id,
                dose=item.dose,
                since=item.change.starts_on if item.change is not None else None,
                suspended=item.suspended,
                suspended_by=tuple(item.change.rules) if item.suspended and item.change else (),
            )
            for item in programme.items
        ]
        course = advance(
            items,
            results,
            [*(selectors.morning_check(c) for c in earlier), today],
            today=date,
            start=start,
            library=default_library(),
            bias=bias_of((programme.screening.decision or {}).get("rules", [])),
        )
        checkin = CheckIn.objects.create(
            id=id,
            person=person,
            date=date,
            back=back,
            leg=leg,
            zone=zone,
            stiffness=stiffness,
            tolerated=course.morning.tolerated if course.morning is not None else None,
            rules=list(course.rules),
            reasons=_reasons_json(course.reasons),
            course=_course_json(course, programme.items),
        )
        DoseChange.objects.bulk_create(
            [
                DoseChange(
                    person=person,
                    screening=programme.screening,
                    checkin=checkin,
                    plan_exercise_id=item.plan_exercise_id,
                    exercise_id=step.exercise_id,
                    starts_on=date,
                    sets=step.dose.sets,
                    reps=step.dose.reps,
                    hold_s=step.dose.hold_s,
                    per_side=step.dose.per_side,
                    mode=step.dose.mode or "",
                    action=step.action,
                    rules=list(step.rules),
                    reasons=_reasons_json(step.reasons),
                )
                for item, step in zip(programme.items, course.steps, strict=True)
                if step.changed
            ]
        )
        _scan_alerts(person)
        return checkin, True


def _reasons_json(reasons: tuple[Reason, ...] | list[Reason]) -> list[dict[str, str]]:
    return [{"rule": r.rule, "text": r.text} for r in reasons]


def _dose_json(exercise_id: str, dose: Dose) -> dict[str, Any]:
    return {"exercise_id": exercise_id, **dose_json(dose)}


def _course_json(course: Course, items: tuple[selectors.ProgrammeItem, ...]) -> dict[str, Any]:
    """The core's whole answer this morning, kept with the check-in for its result page. A suspension
    that simply goes on carries the reasons it was given when it began."""

    def row(item: selectors.ProgrammeItem, step: Step) -> dict[str, Any]:
        reasons = _reasons_json(step.reasons)
        if not reasons and step.action == "suspend" and item.change is not None:
            reasons = list(item.change.reasons or [])
        return {
            "plan_exercise_id": item.plan_exercise_id,
            "before": {**_dose_json(item.exercise_id, item.dose), "suspended": item.suspended},
            "after": _dose_json(step.exercise_id, step.dose),
            "action": step.action,
            "changed": step.changed,
            "tier": step.tier.value,
            "rules": list(step.rules),
            "reasons": reasons,
        }

    return {
        "schema": COURSE_SCHEMA,
        # no earlier morning to compare this one with (PM-40 could not judge)
        "first": course.morning is None,
        "tier": course.tier.value,
        "in_flare": course.in_flare,
        "rescreen": course.rescreen,
        "progression_paused": course.trend.stop,
        "review": course.review.point,
        "exercises": [row(item, step) for item, step in zip(items, course.steps, strict=True)],
    }


def _scan_alerts(person: Person) -> None:
    from backhome.web.clinic.alerts import alerts_scan_after_commit  # the clinic app builds on this one

    alerts_scan_after_commit(person=person)
