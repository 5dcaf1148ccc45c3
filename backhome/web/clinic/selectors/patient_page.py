"""A patient's page (``/clinic/patients/<id>/``): their row, the timeline, the pain and sessions charts
and the current programme with what is held back, in a fixed number of queries whatever the length of
their history (tests count them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from backhome.core.dose import describe_dose, mode_name
from backhome.core.model import Tier
from backhome.core.words import tier_text
from backhome.web.clinic.errors import NotAtClinic
from backhome.web.clinic.models import CareSettings, Enrolment, OutcomeScore
from backhome.web.clinic.outcomes import Improvement, Risk, improvement_of, risk_of
from backhome.web.clinic.selectors.patient_rows import DONE, PatientRow, local_day_start, patient_rows
from backhome.web.clinic.selectors.timeline import ACTION_WORDS, Line, TimelineEntry, reason_lines, timeline
from backhome.web.clinic.words import exercise_name
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.models import CheckIn
from backhome.web.progress.selectors import Programme, current_programme, programme_start

#: A patient page's timeline covers this many days; its charts this many weeks.
TIMELINE_DAYS = 28
CHART_WEEKS = 12


@dataclass(frozen=True)
class ProgrammeLine:
    exercise_id: str
    name: str
    dose: str
    mode: str
    suspended: bool
    since: str  # "starting dose" or "changed 3 May: one step up"
    reasons: tuple[Line, ...]


@dataclass(frozen=True)
class WeekCount:
    start: dt.date
    end: dt.date
    done: int
    days: int  # days of the week inside the period (the first week may be cut by the programme start)


@dataclass(frozen=True)
class PatientPage:
    person: Person
    row: PatientRow
    today: dt.date
    until: dt.date
    since: dt.date
    timeline: tuple[TimelineEntry, ...]
    pain_days: tuple[tuple[dt.date, int, int], ...]  # (day, back, leg), oldest first
    weeks: tuple[WeekCount, ...]
    programme: tuple[ProgrammeLine, ...]
    tier: str
    tier_title: str
    held_back: tuple[Line, ...]
    monitoring: str
    clearances: tuple[str, ...]
    has_programme: bool
    older: dt.date | None
    newer: dt.date | None
    chart_since: dt.date
    #: Outcomes at a glance (B28): the ODI totals entered (oldest first), STarT Back, OM-08.
    odi: tuple[OutcomeScore, ...] = ()
    risk: Risk | None = None
    improvement: Improvement | None = None
    record_number: str = ""

    @property
    def pain_trend(self) -> str:
        """Back pain over the charts' weeks: the first and the latest day with a score."""
        if not self.pain_days:
            return "no pain score in these weeks"
        first, last = self.pain_days[0], self.pain_days[-1]
        if first[0] == last[0]:
            return f"{last[1]} on {last[0]:%d %b}"
        return f"{first[1]} on {first[0]:%d %b} → {last[1]} on {last[0]:%d %b}"

    @property
    def odi_trend(self) -> str:
        if not self.odi:
            return "none entered"
        if len(self.odi) == 1:
            return f"{self.odi[0].value} on {self.odi[0].measured_on:%d %b %Y}"
        first, last = self.odi[0], self.odi[-1]
        return f"{first.value} on {first.measured_on:%d %b} → {last.value} on {last.measured_on:%d %b %Y}"


def _weeks(done_days: set[dt.date], *, until: dt.date, first: dt.date) -> tuple[WeekCount, ...]:
    """Days with a session done in each of the ``CHART_WEEKS`` 7-day blocks ending on ``until``, oldest
    first; blocks before ``first`` (the day the person joined) are left out, and the block holding it
    counts only its days from then."""
    out = []
    for index in range(CHART_WEEKS - 1, -1, -1):
        end = until - dt.timedelta(days=7 * index)
        start = end - dt.timedelta(days=6)
        if end < first:
            continue
        start_counted = max(start, first)
        days = (end - start_counted).days + 1
        done = sum(1 for day in done_days if start_counted <= day <= end)
        out.append(WeekCount(start=start, end=end, done=done, days=days))
    return tuple(out)


def patient_page(
    clinic_id: int, person: Person, *, today: dt.date, until: dt.date | None = None
) -> PatientPage:
    """Everything a patient's page shows, in a fixed number of queries whatever the length of their
    history: the timeline covers ``TIMELINE_DAYS`` days ending on ``until`` (default today), the charts
    ``CHART_WEEKS`` weeks ending on it."""
    until = min(until or today, today)
    since = until - dt.timedelta(days=TIMELINE_DAYS - 1)
    chart_since = until - dt.timedelta(days=7 * CHART_WEEKS - 1)
    start_at = local_day_start(since)
    end_at = local_day_start(until + dt.timedelta(days=1))

    rows = patient_rows(clinic_id, today=today, person_id=person.pk)
    if not rows:  # left the clinic a moment ago
        raise NotAtClinic("This person is not a patient of the clinic.")
    row = rows[0]
    assert row.joined_at is not None
    joined_day = timezone.localdate(row.joined_at)

    sessions = list(
        ExerciseSession.objects.filter(person=person, day__gte=chart_since, day__lte=until)
        .order_by("day", "started_at")
        .prefetch_related(Prefetch("logs", queryset=ExerciseLog.objects.order_by("position")))
    )
    checkins = list(
        CheckIn.objects.filter(person=person, date__gte=chart_since, date__lte=until).order_by("date")
    )
    care = CareSettings.objects.filter(person=person).first()
    record_number = (
        Enrolment.objects.filter(person=person, clinic_id=clinic_id)
        .values_list("record_number", flat=True)
        .first()
    )
    programme = current_programme(person)
    # Whether there is anything before the timeline's first day (for the "older" link): one query.
    first_session_day = (
        ExerciseSession.objects.filter(person=person).order_by("day").values_list("day", flat=True).first()
    )

    entries = timeline(
        person,
        clinic_id=clinic_id,
        since=since,
        until=until,
        start_at=start_at,
        end_at=end_at,
        sessions=sessions,
        checkins=checkins,
        joined_at=row.joined_at,
    )

    by_day: dict[dt.date, tuple[dt.date, int, int]] = {}
    for session in sessions:  # the first before-check of a day, unless a morning check-in that day
        by_day.setdefault(session.day, (session.day, int(session.before_back), int(session.before_leg)))
    for checkin in checkins:
        by_day[checkin.date] = (checkin.date, int(checkin.back), int(checkin.leg))
    pain_days = tuple(by_day[day] for day in sorted(by_day))

    done_days = {s.day for s in sessions if s.status in DONE}
    weeks = _weeks(done_days, until=until, first=min(joined_day, min(done_days, default=joined_day)))

    lines, tier, tier_title, held = _programme_lines(programme, person)
    odi = tuple(
        OutcomeScore.objects.filter(person=person, instrument=OutcomeScore.Instrument.ODI).order_by(
            "measured_on", "pk"
        )
    )
    screening = programme.screening if programme is not None else None
    improvement = improvement_of(
        start=programme_start(screening) if screening is not None and screening.decided_at else None,
        today=today,
        baseline=row.pain.baseline,
        latest=row.pain.current,
    )
    earliest = min(d for d in (first_session_day, joined_day) if d is not None)
    return PatientPage(
        person=person,
        row=row,
        today=today,
        until=until,
        since=since,
        timeline=entries,
        pain_days=pain_days,
        weeks=weeks,
        programme=lines,
        tier=tier,
        tier_title=tier_title,
        held_back=held,
        monitoring=care.monitoring if care is not None else "strict",
        clearances=tuple(care.clearances) if care is not None else (),
        has_programme=programme is not None and bool(programme.active),
        older=since - dt.timedelta(days=1) if earliest < since else None,
        newer=min(until + dt.timedelta(days=TIMELINE_DAYS), today) if until < today else None,
        chart_since=chart_since,
        odi=odi,
        risk=risk_of(screening.decision) if screening is not None else None,
        improvement=improvement,
        record_number=record_number or "",
    )


def _programme_lines(
    programme: Programme | None, person: Person
) -> tuple[tuple[ProgrammeLine, ...], str, str, tuple[Line, ...]]:
    if programme is None:
        tier = "emergency" if person.locked else ""
        title = tier_text(Tier.EMERGENCY).title if person.locked else ""
        return (), tier, title, ()
    screening = programme.screening
    tier = screening.tier
    try:
        tier_title = tier_text(Tier(tier)).title
    except ValueError:
        tier_title = tier
    lines = []
    for item in programme.items:
        change = item.change
        if change is None:
            since = "starting dose"
        else:
            day = change.starts_on or timezone.localdate(change.created_at)
            since = f"since {day.day} {day:%b}: {ACTION_WORDS.get(change.action, change.action)}"
        mode = item.dose.mode
        lines.append(
            ProgrammeLine(
                exercise_id=item.exercise_id,
                name=exercise_name(item.exercise_id),
                dose=describe_dose(item.dose),
                mode=mode_name(mode),
                suspended=item.suspended,
                since=since,
                reasons=reason_lines(change.reasons) if change is not None else (),
            )
        )
    decision = screening.decision or {}
    held = tuple(
        Line(f"{exercise_name(str(b.get('id', '')))}: {b.get('reason', '')}", ", ".join(b.get("rules", [])))
        for b in decision.get("blocked", []) or ()
        if isinstance(b, dict)
    )
    return tuple(lines), tier, tier_title, held
