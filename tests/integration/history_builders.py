"""Builders of a person's history made straight with the ORM (sessions, exercise logs, check-ins, dose
changes), for the history page's tests. Ids are uuid4, as the browser makes them. The values are what the
practice and progress apps store; these builders judge nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from backhome.web.patient.models import Person, Screening
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.models import CheckIn, DoseChange

#: Back and leg pain for ten days of practice, getting better: back 6 -> 3, leg 4 -> 1.
TEN_DAYS_BACK = (6, 6, 5, 5, 5, 4, 4, 4, 3, 3)
TEN_DAYS_LEG = (4, 4, 3, 3, 2, 2, 2, 1, 1, 1)


def session_on(
    person: Person,
    day: dt.date,
    *,
    screening: Screening | None = None,
    back: int = 4,
    leg: int = 2,
    zone: int = 2,
    status: str = ExerciseSession.Status.FINISHED,
    stop_rules: Sequence[str] = (),
    stop_advice: str = "",
) -> ExerciseSession:
    """One session on ``day`` with its before-check. Its exercises are added with ``log_in``."""
    return ExerciseSession.objects.create(
        id=uuid.uuid4(),
        person=person,
        screening=screening,
        day=day,
        status=status,
        ended_at=None if status == ExerciseSession.Status.IN_PROGRESS else timezone.now(),
        before_back=back,
        before_leg=leg,
        before_zone=zone,
        before_numbness=False,
        stop_rules=list(stop_rules),
        stop_advice=stop_advice,
    )


def log_in(
    session: ExerciseSession,
    position: int,
    exercise_id: str,
    *,
    sets: int = 1,
    reps: int = 10,
    hold_s: int = 10,
    per_side: bool = False,
    mode: str = "",
    light: str = "green",
    back: int | None = None,
    leg: int | None = None,
    rules: Sequence[str] = (),
    reasons: Sequence[dict[str, str] | str] = (),
    advice: str = "",
) -> ExerciseLog:
    """One exercise of a session, done at a dose, with its after-check and light."""
    return ExerciseLog.objects.create(
        id=uuid.uuid4(),
        session=session,
        position=position,
        exercise_id=exercise_id,
        sets=sets,
        reps=reps,
        hold_s=hold_s,
        per_side=per_side,
        mode=mode,
        sets_done=sets,
        after_back=session.before_back if back is None else back,
        after_leg=session.before_leg if leg is None else leg,
        after_zone=session.before_zone,
        after_numbness=False,
        light=light,
        rules=list(rules),
        reasons=list(reasons),
        advice=advice,
    )


def checkin_on(
    person: Person, day: dt.date, *, back: int, leg: int, zone: int = 2, stiffness: str = "none"
) -> CheckIn:
    return CheckIn.objects.create(
        id=uuid.uuid4(), person=person, date=day, back=back, leg=leg, zone=zone, stiffness=stiffness
    )


def dose_change(
    person: Person,
    screening: Screening,
    exercise_id: str,
    *,
    on: dt.date,
    sets: int = 1,
    reps: int = 10,
    hold_s: int = 10,
    per_side: bool = False,
    mode: str = "",
    action: str = DoseChange.Action.PROGRESS,
    rules: Sequence[str] = ("DS-03",),
    reasons: Sequence[dict[str, str]] = (),
    plan_exercise_id: str | None = None,
) -> DoseChange:
    """A dose change made on the morning of ``on`` and applying from that day. ``exercise_id`` is the
    exercise done from then on; ``plan_exercise_id`` the plan's exercise it grew from (the same unless
    a DS-04 step moved to a later variant)."""
    change = DoseChange.objects.create(
        person=person,
        screening=screening,
        plan_exercise_id=plan_exercise_id or exercise_id,
        exercise_id=exercise_id,
        starts_on=on,
        sets=sets,
        reps=reps,
        hold_s=hold_s,
        per_side=per_side,
        mode=mode,
        action=action,
        rules=list(rules),
        reasons=list(reasons),
    )
    # created_at is set on insert; move it to the day the change happened.
    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(8, 0)))
    DoseChange.objects.filter(pk=change.pk).update(created_at=moment)
    change.created_at = moment
    return change


def start_plan_on(screening: Screening, day: dt.date) -> None:
    """Move a screening's decision (the start of its programme) back to ``day``."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0)))
    Screening.objects.filter(pk=screening.pk).update(decided_at=moment, created_at=moment)
    screening.decided_at = moment
    screening.created_at = moment


def days_of_practice(
    person: Person,
    screening: Screening,
    *,
    last: dt.date,
    days: int,
    back: Sequence[int] | None = None,
    leg: Sequence[int] | None = None,
    checkins: bool = True,
) -> list[dt.date]:
    """``days`` consecutive days ending on ``last``: each a finished session at the plan's doses, and
    (with ``checkins``) a morning check-in on every day after the first. Pain eases day by day when no
    values are given. Returns the days, oldest first."""
    back = back or [max(0, 6 - i // 3) for i in range(days)]
    leg = leg or [max(0, 4 - i // 3) for i in range(days)]
    items = list(screening.items.order_by("position"))
    out = []
    for i in range(days):
        day = last - dt.timedelta(days=days - 1 - i)
        session = session_on(person, day, screening=screening, back=back[i], leg=leg[i])
        for item in items:
            log_in(
                session,
                item.position,
                item.exercise_id,
                sets=item.sets,
                reps=item.reps,
                hold_s=item.hold_s,
                per_side=item.per_side,
                mode=item.mode,
            )
        if checkins and i > 0:
            checkin_on(person, day, back=back[i], leg=leg[i])
        out.append(day)
    return out


def reasons(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    """The core's reason shape: [{"rule": ..., "text": ...}]."""
    return [{"rule": rule, "text": text} for rule, text in pairs]
