"""Reads of check-ins and doses. ``current_programme`` is what a session follows today; the rest shape
the check-in pages and feed the core's ``course.advance`` (reads only: writes are in services.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

from backhome.core.dose import describe_dose, dose_from_json, dose_of
from backhome.core.library.load import default_library
from backhome.core.model import Dose, ExerciseResult, Light, MorningCheck, Stiffness
from backhome.web.patient import questions
from backhome.web.patient.models import Person, Screening
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.practice.models import ExerciseLog
from backhome.web.progress.models import CheckIn, DoseChange

#: How far back morning check-ins are read: PM-42 compares three weeks, PM-43 the week before.
MORNINGS_BEFORE_START = dt.timedelta(days=21)


@dataclass(frozen=True)
class ProgrammeItem:
    """One exercise of the current programme at its current dose.

    ``change`` is the latest dose change behind the dose (None: the screening's starting dose);
    a suspended exercise stays in the list with ``suspended`` set, so a page can say why it is missing.
    ``exercise_id`` is the exercise done now: after a DS-04 step, a later variant of the plan's
    exercise (``plan_exercise_id``).
    """

    position: int
    exercise_id: str
    dose: Dose
    rules: tuple[str, ...]
    change: DoseChange | None = None
    #: B30: a pain check's RED stop still holds this exercise back (the core's words why), or None.
    red_stop: str | None = None

    @property
    def suspended(self) -> bool:
        return self.red_stop is not None or (
            self.change is not None and self.change.action == DoseChange.Action.SUSPEND
        )

    @property
    def plan_exercise_id(self) -> str:
        return self.change.plan_exercise if self.change is not None else self.exercise_id


@dataclass(frozen=True)
class Programme:
    """A screening's programme at current doses; ``changes`` every dose change of it, oldest first."""

    screening: Screening
    items: tuple[ProgrammeItem, ...]
    changes: tuple[DoseChange, ...] = ()

    @property
    def active(self) -> tuple[ProgrammeItem, ...]:
        return tuple(i for i in self.items if not i.suspended)


def current_programme(person: Person, *, today: dt.date | None = None) -> Programme | None:
    """The programme of the person's latest decided screening, each exercise at its current dose.

    None when there is no programme: no result yet, a locked person, or a tier that prescribes nothing.
    Three queries: the screening with its items, the dose changes of that screening, and the red stops
    still open (B30, ``practice.stops``).
    """
    if person.locked:
        return None
    screening = screening_latest_decided(person)
    if screening is None:
        return None
    return programme_for_screening(screening, today=today)


def programme_for_screening(screening: Screening, *, today: dt.date | None = None) -> Programme | None:
    """The programme of one decided screening at current doses (one query for the changes, one for
    the items unless they were prefetched, one for the red stops). None when the screening prescribes
    nothing. An exercise a red stop still holds on ``today`` (B30) is suspended, with the stop's words."""
    from backhome.web.practice.stops import stops_held

    items = list(screening.items.all())
    if not items:
        return None
    held = stops_held(screening.person_id, today=today)
    changes = tuple(DoseChange.objects.filter(screening=screening).order_by("created_at", "pk"))
    latest: dict[str, DoseChange] = {}
    for each in changes:
        latest[each.plan_exercise] = each
    programme_items = []
    for item in items:
        change = latest.get(item.exercise_id)
        exercise_id = change.exercise_id if change is not None else item.exercise_id
        programme_items.append(
            ProgrammeItem(
                position=item.position,
                exercise_id=exercise_id,
                dose=dose_of(change or item),
                rules=tuple(item.rules),
                change=change,
                red_stop=next((held[i] for i in (item.exercise_id, exercise_id) if i in held), None),
            )
        )
    return Programme(screening=screening, items=tuple(programme_items), changes=changes)


def programme_start(screening: Screening) -> dt.date:
    """The day a programme began: the person's local date of its decision (DS-08)."""
    from django.utils import timezone

    assert screening.decided_at is not None
    return timezone.localdate(screening.decided_at)


# --------------------------------------------------------------------------- the core's inputs


def checkin_on(person: Person, date: dt.date) -> CheckIn | None:
    return CheckIn.objects.filter(person=person, date=date).first()


def checkin_get(person: Person, checkin_id: UUID) -> CheckIn | None:
    """A check-in of this person (None for anyone else's: never by id alone)."""
    return CheckIn.objects.filter(person=person, pk=checkin_id).first()


def mornings(person: Person, *, start: dt.date, until: dt.date) -> list[CheckIn]:
    """The person's check-ins from three weeks before the programme's start up to ``until``."""
    return list(
        CheckIn.objects.filter(person=person, date__gte=start - MORNINGS_BEFORE_START, date__lte=until)
        .only("date", "back", "leg", "zone", "stiffness", "tolerated")
        .order_by("date")
    )


def morning_check(checkin: CheckIn) -> MorningCheck:
    return MorningCheck(
        checkin.date,
        int(checkin.back),
        int(checkin.leg),
        int(checkin.zone),
        cast(Stiffness, checkin.stiffness),
    )


def exercise_results(
    person: Person, screening: Screening, checkins: Iterable[CheckIn]
) -> list[ExerciseResult]:
    """How each exercise went in each session of this programme (its lights, not skipped ones or
    PM-13 re-checks still open), oldest first. A session's next-morning verdict is the ``tolerated``
    of the check-in of the day after it (PM-40); ``peripheralized`` is the core's PM-10 on the log."""
    tolerated = {c.date: c.tolerated for c in checkins}
    logs = (
        ExerciseLog.objects.filter(session__person=person, session__screening=screening, skipped=False)
        .exclude(light="")
        .select_related("session")
        .only(
            "exercise_id",
            "sets",
            "reps",
            "hold_s",
            "per_side",
            "mode",
            "light",
            "rules",
            "position",
            "session__day",
            "session__started_at",
        )
        .order_by("session__day", "session__started_at", "position")
    )
    return [
        ExerciseResult(
            exercise_id=log.exercise_id,
            date=log.session.day,
            dose=dose_of(log),
            light=Light(log.light),
            tolerated_next_morning=tolerated.get(log.session.day + dt.timedelta(days=1)),
            peripheralized="PM-10" in (log.rules or []),
        )
        for log in logs
    ]


# --------------------------------------------------------------------------- pages


ACTION_WORDS = {
    "progress": "One step up",
    "hold": "Stays the same",
    "regress": "Made a little easier",
    "suspend": "Stopped for now",
    "resume": "Back in your programme",
}
STIFFNESS_WORDS = {
    "none": "It was not stiff",
    "under_30_min": "Stiff for less than 30 minutes",
    "30_min_or_more": "Stiff for 30 minutes or more",
}


def zone_words() -> dict[int, str]:
    """The body map's plain labels (the screening's "how far down" question), by zone (DPT-03)."""
    question = next(
        q for step in questions.screening().steps for q in step.questions if q.field == "distal_zone"
    )
    return {int(o.value): o.text for o in question.options}


def dose_words(exercise_id: str, dose: Dose, *, named: bool = False) -> str:
    """'10 times, hold each 15 seconds', with the mode when there is one, and the exercise's name
    first when ``named`` (a step to another variant: 'Double knee to chest: 2 times, ...')."""
    text = describe_dose(dose, with_mode=True)
    return f"{default_library()[exercise_id].name}: {text}" if named else text


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str


@dataclass(frozen=True)
class ChangeLine:
    """One exercise on a "what changes" list: its dose before and after, in words, and why."""

    plan_exercise_id: str
    name: str
    action: str  # progress, hold, regress, suspend, resume
    action_words: str
    before: str
    after: str
    changed: bool
    reasons: tuple[Reason, ...]

    @property
    def suspended(self) -> bool:
        return self.action == "suspend"


@dataclass(frozen=True)
class CheckInResult:
    """What the result page of one check-in shows (from what was stored that morning)."""

    checkin: CheckIn
    zone: str
    stiffness: str
    tolerated: bool | None
    first: bool
    lines: tuple[ChangeLine, ...]
    findings: tuple[Reason, ...]
    refer: bool
    rescreen: bool
    in_flare: bool
    clinic: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> tuple[ChangeLine, ...]:
        return tuple(line for line in self.lines if line.changed)

    @property
    def unchanged(self) -> tuple[ChangeLine, ...]:
        return tuple(line for line in self.lines if not line.changed)

    @property
    def active(self) -> tuple[ChangeLine, ...]:
        """The exercises of today's session (not the stopped ones)."""
        return tuple(line for line in self.lines if not line.suspended)


def _reasons(items: Iterable[dict[str, Any]]) -> tuple[Reason, ...]:
    return tuple(Reason(str(r["rule"]), str(r["text"])) for r in items)


def _line_action(action: str, was_suspended: bool) -> str:
    return "resume" if was_suspended and action != "suspend" else action


def checkin_result(checkin: CheckIn) -> CheckInResult:
    """The result page of a check-in, read from the core's answer stored with it (no query)."""
    from backhome.web.patient.selectors import clinic

    library = default_library()
    course = checkin.course or {}
    lines = []
    for row in course.get("exercises", []):
        before, after = row["before"], row["after"]
        action = _line_action(row["action"], bool(before.get("suspended")))
        named = before["exercise_id"] != after["exercise_id"]
        lines.append(
            ChangeLine(
                plan_exercise_id=row["plan_exercise_id"],
                name=library[after["exercise_id"]].name,
                action=action,
                action_words=ACTION_WORDS[action],
                before=dose_words(before["exercise_id"], dose_from_json(before), named=named),
                after=dose_words(after["exercise_id"], dose_from_json(after), named=named),
                changed=bool(row["changed"]),
                reasons=_reasons(row.get("reasons", [])),
            )
        )
    return CheckInResult(
        checkin=checkin,
        zone=zone_words().get(int(checkin.zone), str(checkin.zone)),
        stiffness=STIFFNESS_WORDS.get(checkin.stiffness, checkin.stiffness),
        tolerated=checkin.tolerated,
        first=bool(course.get("first")),
        lines=tuple(lines),
        findings=_reasons(checkin.reasons or []),
        refer=course.get("tier") == "refer",
        rescreen=bool(course.get("rescreen")),
        in_flare=bool(course.get("in_flare")),
        clinic=clinic(),
    )


@dataclass(frozen=True)
class RecentChanges:
    """The latest dose changes of a programme (one check-in's, or one day's), for the plan page."""

    date: dt.date
    lines: tuple[ChangeLine, ...]


def recent_changes(programme: Programme) -> RecentChanges | None:
    """ "What changed since last time, and why": the changes made with the latest change, each with
    the dose it replaced (the plan's starting dose or the change before it). No query."""
    if not programme.changes:
        return None
    newest = programme.changes[-1]
    batch_of = _batch_key(newest)
    # what each plan exercise was before each change: (exercise, dose, suspended)
    before: dict[str, tuple[str, Dose, bool]] = {
        item.exercise_id: (item.exercise_id, dose_of(item), False) for item in programme.screening.items.all()
    }
    lines = []
    for change in programme.changes:
        was = before.get(change.plan_exercise)
        if _batch_key(change) == batch_of and was is not None:
            action = _line_action(change.action, was[2])
            named = was[0] != change.exercise_id
            lines.append(
                ChangeLine(
                    plan_exercise_id=change.plan_exercise,
                    name=default_library()[change.exercise_id].name,
                    action=action,
                    action_words=ACTION_WORDS[action],
                    before=dose_words(was[0], was[1], named=named),
                    after=dose_words(change.exercise_id, dose_of(change), named=named),
                    changed=True,
                    reasons=_reasons(change.reasons or []),
                )
            )
        before[change.plan_exercise] = (
            change.exercise_id,
            dose_of(change),
            change.action == DoseChange.Action.SUSPEND,
        )
    date = newest.starts_on or newest.created_at.date()
    return RecentChanges(date=date, lines=tuple(lines))


def _batch_key(change: DoseChange) -> tuple[str, Any]:
    if change.checkin_id is not None:
        return ("checkin", change.checkin_id)
    return ("day", change.starts_on or change.created_at.date())
