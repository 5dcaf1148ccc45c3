"""What the history page shows, read in a fixed number of queries whatever the length of the history.

Reads only. The rules stay in the core: whether a change of pain is meaningful is OM-01's
``pain_change``; the lights, stops, suspensions and tiers shown are the ones the core gave and the other
apps stored. This module only gathers, orders and words them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db.models import Prefetch
from django.utils import timezone

from backhome.core.dose import describe_dose, dose_of
from backhome.core.library.load import default_library
from backhome.core.model import Dose, Tier
from backhome.core.rules.outcomes import pain_change
from backhome.core.words import tier_text
from backhome.web.patient.models import Person, Screening
from backhome.web.patient.selectors import PAGE_FOR_TIER
from backhome.web.practice.models import ExerciseLog, ExerciseSession, Light
from backhome.web.progress.models import CheckIn, DoseChange
from backhome.web.progress.selectors import Programme, current_programme

#: The pain chart and its table cover this many days, ending today.
PAIN_WINDOW_DAYS = 84
#: The calendar shows this many whole weeks (Monday to Sunday), the last one holding today.
CALENDAR_WEEKS = 5
#: The count under the calendar covers this many days, ending today.
COUNT_DAYS = 28
#: Results that sent the person to see someone (the tier pages, and a referral next to the plan).
SEE_SOMEONE = (Tier.EMERGENCY, Tier.URGENT, Tier.SOON, Tier.REFER)

Source = Literal["checkin", "session"]
DayState = Literal["done", "stopped", ""]
EventKind = Literal["red", "stopped", "suspended", "see_someone"]


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class PainDay:
    """One day of the pain chart: the morning check-in when there is one, else the first before-check."""

    day: dt.date
    back: int
    leg: int
    source: Source

    @property
    def source_text(self) -> str:
        return "Morning check-in" if self.source == "checkin" else "Before the session"


@dataclass(frozen=True)
class PainOutcome:
    """OM-01 for one measure (back or leg), from the first to the latest day, in words."""

    measure: str  # "back" or "leg"
    baseline: int
    current: int
    since: dt.date
    meaningful: bool
    text: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    state: DayState
    today: bool
    future: bool
    before: bool = False  # before the person's first day: not a day missed


@dataclass(frozen=True)
class Calendar:
    weeks: tuple[tuple[CalendarDay, ...], ...]
    done: int  # sessions finished in the last COUNT_DAYS days
    stopped: int  # sessions stopped early in the last COUNT_DAYS days
    days: int = COUNT_DAYS
    first_day: dt.date | None = None


@dataclass(frozen=True)
class DoseStep:
    day: dt.date
    hold_s: int
    text: str


@dataclass(frozen=True)
class ExerciseDoses:
    """One exercise of the current programme: where it started, where it is now, and the way there."""

    exercise_id: str
    name: str
    start: str
    current: str
    steps: tuple[DoseStep, ...]
    hold_max: int
    suspended: bool

    @property
    def changed(self) -> bool:
        return self.start != self.current


@dataclass(frozen=True)
class Event:
    """A stop or a flag: a RED light, a session stopped early, an exercise taken out, a result that sent
    the person to see someone."""

    day: dt.date
    kind: EventKind
    title: str
    reasons: tuple[str, ...]
    advice: str
    rules: tuple[str, ...]
    link: str = ""  # a URL name in the patient namespace, for the result the person has now
    at: dt.datetime | None = None  # for ordering within a day


@dataclass(frozen=True)
class History:
    today: dt.date
    has_person: bool
    has_plan: bool
    pain: tuple[PainDay, ...]  # the chart's days, oldest first
    pain_days_total: int  # every day with a pain score, inside the chart's window or not
    outcomes: tuple[PainOutcome, ...]
    calendar: Calendar
    doses: tuple[ExerciseDoses, ...]
    events: tuple[Event, ...]  # newest first

    @property
    def has_activity(self) -> bool:
        return self.pain_days_total > 0 or self.calendar.done > 0 or self.calendar.stopped > 0

    @property
    def window_days(self) -> int:
        return PAIN_WINDOW_DAYS


# --------------------------------------------------------------------------- the page


def history_for_person(person: Person | None, *, today: dt.date) -> History:
    """Everything the history page shows for one person (nothing of anyone else's).

    Queries, whatever the amount of history: sessions, their exercise logs, check-ins, every dose
    change, every decided screening, and ``current_programme``'s three (screening, items, changes).
    """
    if person is None:
        return History(
            today=today,
            has_person=False,
            has_plan=False,
            pain=(),
            pain_days_total=0,
            outcomes=(),
            calendar=_calendar([], today),
            doses=(),
            events=(),
        )
    sessions = list(
        ExerciseSession.objects.filter(person=person)
        .order_by("day", "started_at", "pk")
        .prefetch_related(Prefetch("logs", queryset=ExerciseLog.objects.order_by("position")))
    )
    checkins = list(CheckIn.objects.filter(person=person).order_by("date"))
    changes = list(DoseChange.objects.filter(person=person).order_by("created_at", "pk"))
    screenings = list(
        Screening.objects.filter(person=person, decided_at__isnull=False).order_by("-decided_at", "-pk")
    )
    programme = current_programme(person)

    every_day = _pain_days(sessions, checkins)
    since = today - dt.timedelta(days=PAIN_WINDOW_DAYS - 1)
    return History(
        today=today,
        has_person=True,
        has_plan=programme is not None and bool(programme.active),
        pain=tuple(d for d in every_day if since <= d.day <= today),
        pain_days_total=len(every_day),
        outcomes=_outcomes(every_day),
        calendar=_calendar(sessions, today, _first_day(sessions, screenings)),
        doses=_doses(programme, changes, today),
        events=_events(person, sessions, changes, screenings),
    )


# --------------------------------------------------------------------------- pain


def _pain_days(sessions: list[ExerciseSession], checkins: list[CheckIn]) -> list[PainDay]:
    by_day: dict[dt.date, PainDay] = {}
    for session in sessions:  # oldest first: the first session of a day gives that day's before-check
        by_day.setdefault(
            session.day, PainDay(session.day, session.before_back, session.before_leg, "session")
        )
    for checkin in checkins:  # a morning check-in wins over a before-check of the same day
        by_day[checkin.date] = PainDay(checkin.date, checkin.back, checkin.leg, "checkin")
    return [by_day[day] for day in sorted(by_day)]


def _outcomes(days: list[PainDay]) -> tuple[PainOutcome, ...]:
    if len(days) < 2:
        return ()
    first, last = days[0], days[-1]
    return tuple(
        _outcome(measure, getattr(first, measure), getattr(last, measure), first.day)
        for measure in ("back", "leg")
    )


def _points(n: int) -> str:
    return f"{n} point{'s' if n != 1 else ''}"


def _outcome(measure: str, baseline: int, current: int, since: dt.date) -> PainOutcome:
    """OM-01 decides whether the change is meaningful; these are only its words."""
    outcome = pain_change(baseline, current)
    what = f"Your {measure} pain"
    then_now = f"({baseline} out of 10 on {since.day} {since:%B}, {current} now)"
    drop = baseline - current
    if outcome.meaningful and current == 0:
        text = f"{what} has gone from {baseline} to 0 out of 10 since you started: you are free of it."
    elif outcome.meaningful:
        text = f"{what} is {_points(drop)} lower than when you started {then_now}: a real improvement."
    elif drop > 0:
        text = (
            f"{what} is {_points(drop)} lower than when you started {then_now}. That is not yet enough "
            "to be sure the change is real."
        )
    elif drop < 0:
        text = f"{what} is {_points(-drop)} higher than when you started {then_now}."
    elif current == 0:
        text = f"You have had no {measure} pain at the start or now."
    else:
        text = f"{what} is the same as when you started: {current} out of 10."
    return PainOutcome(
        measure=measure,
        baseline=baseline,
        current=current,
        since=since,
        meaningful=outcome.meaningful,
        text=text,
        rules=outcome.rules,
    )


# --------------------------------------------------------------------------- calendar


def _first_day(sessions: list[ExerciseSession], screenings: list[Screening]) -> dt.date | None:
    """The person's first day with backhome: their first decided screening or first session."""
    days = [session.day for session in sessions]
    days += [_local(s.decided_at) for s in screenings if s.decided_at is not None]
    return min(days) if days else None


def _calendar(
    sessions: Iterable[ExerciseSession], today: dt.date, first_day: dt.date | None = None
) -> Calendar:
    """The last CALENDAR_WEEKS weeks, from the week of the person's first day when that is later: the
    days before it are not days missed."""
    monday = today - dt.timedelta(days=today.weekday())
    start = monday - dt.timedelta(weeks=CALENDAR_WEEKS - 1)
    if first_day is not None and start < first_day <= today:
        start = min(monday, first_day - dt.timedelta(days=first_day.weekday()))
    shown = (monday - start).days // 7 + 1
    count_from = today - dt.timedelta(days=COUNT_DAYS - 1)
    finished: set[dt.date] = set()
    stopped: set[dt.date] = set()
    done = stopped_count = 0
    for session in sessions:
        if session.status == ExerciseSession.Status.FINISHED:
            finished.add(session.day)
            done += count_from <= session.day <= today
        elif session.status == ExerciseSession.Status.STOPPED:
            stopped.add(session.day)
            stopped_count += count_from <= session.day <= today
    weeks = []
    for week in range(shown):
        row = []
        for weekday in range(7):
            day = start + dt.timedelta(days=week * 7 + weekday)
            state: DayState = "done" if day in finished else "stopped" if day in stopped else ""
            before = first_day is not None and day < first_day
            row.append(
                CalendarDay(day=day, state=state, today=day == today, future=day > today, before=before)
            )
        weeks.append(tuple(row))
    return Calendar(weeks=tuple(weeks), done=done, stopped=stopped_count, first_day=first_day)


# --------------------------------------------------------------------------- doses


def _local(moment: dt.datetime) -> dt.date:
    """The calendar day of a stored time, in the site's time zone (BACKHOME_TIME_ZONE)."""
    return timezone.localdate(moment)


def dose_text(dose: Dose) -> str:
    """A dose in words, with its mode when it has one: '10 times on each side – slider (gentlest)'."""
    return describe_dose(dose, with_mode=True)


def _change_day(change: DoseChange) -> dt.date:
    """The day a dose change applies from (``starts_on``), or the day it was made."""
    return change.starts_on or _local(change.created_at)


def _doses(
    programme: Programme | None, changes: list[DoseChange], today: dt.date
) -> tuple[ExerciseDoses, ...]:
    """Each exercise of the current programme: its plan's starting dose, its current dose, and one step
    per day its dose changed (the latest change of a day wins). After a DS-04 step the exercise is a
    later variant of the plan's: it is named as it is now, and said where it started."""
    if programme is None:
        return ()
    library = default_library()
    screening = programme.screening
    started = _local(screening.decided_at or screening.created_at)
    plan = {item.exercise_id: item for item in screening.items.all()}
    out = []
    for item in programme.items:
        first = plan[item.plan_exercise_id]
        start_text = dose_text(dose_of(first))
        steps: dict[dt.date, DoseStep] = {started: DoseStep(started, int(first.hold_s), start_text)}
        for change in changes:
            if change.screening_id == screening.pk and change.plan_exercise_id == item.plan_exercise_id:
                day = max(_change_day(change), started)
                steps[day] = DoseStep(day, int(change.hold_s), dose_text(dose_of(change)))
        exercise = library.get(item.exercise_id)
        hold_max = exercise.envelope.hold_s.max if exercise else 0
        if item.exercise_id != item.plan_exercise_id:
            start_text = f"{_name(item.plan_exercise_id)}: {start_text}"
        out.append(
            ExerciseDoses(
                exercise_id=item.exercise_id,
                name=exercise.name if exercise else item.exercise_id,
                start=start_text,
                current=dose_text(item.dose),
                steps=tuple(steps[day] for day in sorted(steps) if day <= today),
                hold_max=max([hold_max, *(s.hold_s for s in steps.values())]),
                suspended=item.suspended,
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- stops and flags


def _texts(reasons: list[object] | None) -> tuple[str, ...]:
    """Reason texts stored as ``[{"rule", "text"}]`` (the core's shape) or as plain strings."""
    out = []
    for reason in reasons or ():
        text = reason.get("text", "") if isinstance(reason, dict) else str(reason)
        if text:
            out.append(text)
    return tuple(dict.fromkeys(out))


def _name(exercise_id: str) -> str:
    exercise = default_library().get(exercise_id)
    return exercise.name if exercise else exercise_id


def _events(
    person: Person, sessions: list[ExerciseSession], changes: list[DoseChange], screenings: list[Screening]
) -> tuple[Event, ...]:
    events: list[Event] = []
    for session in sessions:
        reds = [log for log in session.logs.all() if log.light == Light.RED]
        for log in reds:
            events.append(
                Event(
                    day=session.day,
                    kind="red",
                    title=f"Stopped: {_name(log.exercise_id)}",
                    reasons=_texts(log.reasons),
                    advice=log.advice or session.stop_advice,
                    rules=tuple(log.rules),
                    at=log.created_at,
                )
            )
        if session.status == ExerciseSession.Status.STOPPED and not reds:
            events.append(
                Event(
                    day=session.day,
                    kind="stopped",
                    title="Session stopped early",
                    reasons=(),
                    advice=session.stop_advice,
                    rules=tuple(session.stop_rules),
                    at=session.ended_at or session.started_at,
                )
            )
    for change in changes:
        if change.action == DoseChange.Action.SUSPEND:
            events.append(
                Event(
                    day=_change_day(change),
                    kind="suspended",
                    title=f"{_name(change.exercise_id)} taken out of your programme for now",
                    reasons=_texts(change.reasons),
                    advice="",
                    rules=tuple(change.rules),
                    at=change.created_at,
                )
            )
    current = person.emergency_screening_id if person.locked else (screenings[0].pk if screenings else None)
    for screening in screenings:
        if screening.tier not in SEE_SOMEONE or screening.decided_at is None:
            continue
        tier = Tier(screening.tier)
        text = tier_text(tier)
        decision = screening.decision or {}
        events.append(
            Event(
                day=_local(screening.decided_at),
                kind="see_someone",
                title=text.title,
                reasons=_texts(decision.get("reasons")),
                advice=text.headline,
                rules=tuple(decision.get("rules", ())),
                link=PAGE_FOR_TIER[tier] if screening.pk == current else "",
                at=screening.decided_at,
            )
        )
    events.sort(key=lambda e: (e.day, e.at or dt.datetime.min.replace(tzinfo=dt.UTC)), reverse=True)
    return tuple(events)
