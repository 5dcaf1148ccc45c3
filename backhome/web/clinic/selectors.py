"""Every read of the clinic's people pages: the patient list, a patient's page, invitations, clinicians
and the audit log. Each runs a fixed number of queries, whatever the number of patients or the length
of their history (tests count them).

No clinical rule is decided here: whether a change of pain is meaningful is the core's OM-01
(``pain_change``); the lights, stops, dose changes and tiers shown are the ones the core gave and the
other apps stored. "One session a day" as the plan is DS-01's. This module gathers, counts and words.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.utils import timezone

from backhome.core.library.load import default_library
from backhome.core.model import Dose, Tier
from backhome.core.rules.outcomes import pain_change
from backhome.core.words import MODE_NAMES, describe_dose, tier_text
from backhome.web.clinic.models import (
    Alert,
    AuditEvent,
    CareSettings,
    Enrolment,
    Invitation,
    Membership,
    ProgrammeChange,
)
from backhome.web.clinic.services import display_code
from backhome.web.patient.models import EmergencyLockClearance, Person, Screening
from backhome.web.practice.models import ExerciseLog, ExerciseSession, Light
from backhome.web.progress.models import CheckIn, DoseChange
from backhome.web.progress.selectors import STIFFNESS_WORDS, Programme, current_programme

#: Adherence looks back this many days, today included (planned: one session a day, DS-01).
ADHERENCE_DAYS = 14
#: Below this share of planned sessions, adherence is "low" (the list's filter).
LOW_ADHERENCE = 0.5
#: The patient list shows this many patients a page.
PAGE_SIZE = 50
#: A patient page's timeline covers this many days; its charts this many weeks.
TIMELINE_DAYS = 28
CHART_WEEKS = 12
#: Sessions that count as done: finished, or ended early by a stop rule (the person did practise).
DONE = (ExerciseSession.Status.FINISHED, ExerciseSession.Status.STOPPED)

SortKey = Literal["label", "adherence", "pain", "alerts", "activity"]
SORTS: tuple[str, ...] = ("label", "adherence", "pain", "alerts", "activity")
#: Each column's first click: the order that puts what needs attention first.
SORT_FIRST = {"label": "asc", "adherence": "asc", "pain": "desc", "alerts": "desc", "activity": "asc"}
Verdict = Literal["improved", "not_yet", "same", "worse", "no_score", "no_baseline"]


# --------------------------------------------------------------------------- words


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


# --------------------------------------------------------------------------- the patient list


@dataclass(slots=True)  # not frozen: the list makes one per patient, and a frozen init costs 4 times more
class PainSummary:
    """Back pain now against the screening's, and OM-01's verdict on it, in words."""

    baseline: int | None
    current: int | None
    current_day: dt.date | None
    verdict: Verdict
    meaningful: bool
    rules: tuple[str, ...]

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.current is None:
            return None
        return self.current - self.baseline

    @property
    def numbers(self) -> str:
        if self.baseline is None:
            return "no screening score"
        if self.current is None:
            return f"{self.baseline} at screening, none since"
        return f"{self.baseline} → {self.current}"

    @property
    def words(self) -> str:
        return VERDICT_WORDS[self.verdict]

    @property
    def sentence(self) -> str:
        """'back pain 6 → 3 out of 10, a real improvement'."""
        if self.baseline is None or self.current is None:
            return f"back pain: {self.numbers}"
        return f"back pain {self.numbers} out of 10, {self.words}"


VERDICT_WORDS: dict[str, str] = {
    "improved": "a real improvement",
    "not_yet": "lower, not yet a real change",
    "same": "no change",
    "worse": "worse",
    "no_score": "no pain score since screening",
    "no_baseline": "no screening yet",
}


def pain_summary(baseline: int | None, current: int | None, current_day: dt.date | None) -> PainSummary:
    """OM-01 (``pain_change``) judges whether the change is meaningful; the rest only words it."""
    if baseline is None:
        return PainSummary(None, current, current_day, "no_baseline", False, ())
    if current is None:
        return PainSummary(baseline, None, None, "no_score", False, ())
    verdict, meaningful, rules = _verdict(baseline, current)
    return PainSummary(baseline, current, current_day, verdict, meaningful, rules)


@functools.cache
def _verdict(baseline: int, current: int) -> tuple[Verdict, bool, tuple[str, ...]]:
    """OM-01 on a pair of 0-10 scores (121 pairs at most, so asked once each per process)."""
    outcome = pain_change(baseline, current)
    if outcome.meaningful:
        return "improved", True, tuple(outcome.rules)
    if current < baseline:
        return "not_yet", False, ()
    if current == baseline:
        return "same", False, ()
    return "worse", False, ()


@dataclass(slots=True)  # not frozen: the list makes one per patient, and a frozen init costs 4 times more
class Adherence:
    """Sessions done (distinct days) of those planned (one a day, DS-01) over the last 14 days, counted
    from the later of the day the person joined the clinic and 14 days ago."""

    done: int
    planned: int

    @property
    def share(self) -> float:
        return self.done / self.planned if self.planned else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.share)

    @property
    def low(self) -> bool:
        return self.share < LOW_ADHERENCE

    @property
    def words(self) -> str:
        return f"{self.done} of {plural(self.planned, 'session')}"


@dataclass(slots=True)  # not frozen: the list makes one per patient, and a frozen init costs 4 times more
class PatientRow:
    person_id: int
    label: str
    #: When the person joined: on the list only for people who joined in the last 14 days (None for
    #: the others); on a patient's page always.
    joined_at: dt.datetime | None
    locked: bool
    adherence: Adherence
    pain: PainSummary
    open_alerts: int
    #: The latest day with a session or a morning check-in (None: neither yet).
    last_activity: dt.date | None
    today: dt.date

    @property
    def last_activity_words(self) -> str:
        return ago(self.last_activity, self.today) if self.last_activity else "no session yet"

    @property
    def no_improvement(self) -> bool:
        """Has a screening score and a score since, and OM-01 does not call the change an improvement."""
        return self.pain.verdict in ("not_yet", "same", "worse")


def _local_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _day_and_value(day_field: str, value_field: str) -> Concat:
    """'2026-11-22|5': a row's day and one number in one column, so one subquery gives both."""
    return Concat(
        Cast(day_field, CharField()), Value("|"), Cast(value_field, CharField()), output_field=CharField()
    )


def _patient_rows_queryset(
    clinic_id: int, today: dt.date, *, person_id: int | None = None
) -> QuerySet[Enrolment, tuple[Any, ...]]:
    """The clinic's enrolments, each with the few numbers of its row, as correlated subqueries (one
    query in all; each subquery walks an index by person: sessions by (person, day), check-ins by
    (person, date), screenings by (person, decided_at), alerts by (person, key))."""
    window_start = today - dt.timedelta(days=ADHERENCE_DAYS - 1)
    person = OuterRef("person_id")
    latest_session = (
        ExerciseSession.objects.filter(person=person)
        .order_by("-day")
        .annotate(pair=_day_and_value("day", "before_back"))
        .values("pair")[:1]
    )
    latest_checkin = (
        CheckIn.objects.filter(person=person)
        .order_by("-date")
        .annotate(pair=_day_and_value("date", "back"))
        .values("pair")[:1]
    )
    done_days = (
        ExerciseSession.objects.filter(person=person, day__gte=window_start, day__lte=today, status__in=DONE)
        .order_by()
        .values("person")
        .annotate(n=Count("day", distinct=True))
        .values("n")
    )
    baseline = (
        Screening.objects.filter(person=person, decided_at__isnull=False, intake__isnull=False)
        .order_by("-decided_at")  # the index (person, -decided_at); a tie is a microsecond apart
        .annotate(back=Cast(KeyTextTransform("back", KeyTransform("pain", "intake")), IntegerField()))
        .values("back")[:1]
    )
    open_alerts = (
        Alert.objects.filter(person=person, clinic_id=clinic_id, acknowledged_at__isnull=True)
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    enrolments = Enrolment.objects.filter(clinic_id=clinic_id)
    if person_id is not None:
        enrolments = enrolments.filter(person_id=person_id)
        joined: Any = F("joined_at")
    else:
        # Only the joining time of people who joined inside the window matters (it shortens their
        # planned days); everyone else's stays NULL, which spares converting 5,000 times.
        joined = Case(
            When(joined_at__gte=_local_day_start(window_start - dt.timedelta(days=1)), then=F("joined_at")),
            default=None,
            output_field=DateTimeField(),
        )
    return enrolments.annotate(
        joined=joined,
        locked=ExpressionWrapper(Q(person__emergency_locked_at__isnull=False), output_field=BooleanField()),
        session=Subquery(latest_session, output_field=CharField()),
        checkin=Subquery(latest_checkin, output_field=CharField()),
        done=Subquery(done_days, output_field=IntegerField()),
        baseline_back=Subquery(baseline, output_field=IntegerField()),
        alerts=Subquery(open_alerts, output_field=IntegerField()),
    ).values_list(
        "person_id",
        "label",
        "joined",
        "locked",
        "session",
        "checkin",
        "done",
        "baseline_back",
        "alerts",
    )


def _pair(text: str | None) -> tuple[dt.date, int] | None:
    if not text:
        return None
    day, _, value = text.partition("|")
    return dt.date.fromisoformat(day[:10]), int(value)


def _done_since_joining(people: dict[int, dt.date], *, today: dt.date) -> dict[int, int]:
    """For people who joined inside the adherence window: their days with a session done since the day
    they joined (one query, only for them; everyone else's count covers the whole window)."""
    if not people:
        return {}
    window_start = today - dt.timedelta(days=ADHERENCE_DAYS - 1)
    days: dict[int, set[dt.date]] = {pk: set() for pk in people}
    rows = (
        ExerciseSession.objects.filter(
            person_id__in=list(people), day__gte=window_start, day__lte=today, status__in=DONE
        )
        .values_list("person_id", "day")
        .distinct()
    )
    for person_id, day in rows:
        if day >= people[person_id]:
            days[person_id].add(day)
    return {pk: len(found) for pk, found in days.items()}


def patient_rows(clinic_id: int, *, today: dt.date, person_id: int | None = None) -> list[PatientRow]:
    """Every patient of the clinic (or only ``person_id``) with their row's numbers: two queries (the
    second only counts the sessions of people who joined in the last 14 days)."""
    values = list(_patient_rows_queryset(clinic_id, today, person_id=person_id))
    window_start = today - dt.timedelta(days=ADHERENCE_DAYS - 1)
    joined_days = {int(v[0]): timezone.localdate(v[2]) for v in values if v[2] is not None}
    joined_days = {pk: day for pk, day in joined_days.items() if day > window_start}
    exact = _done_since_joining(joined_days, today=today)
    rows = []
    for pk, label, joined_at, locked, session, checkin, done, baseline, alerts in values:
        start = joined_days.get(pk, window_start)
        planned = (today - start).days + 1
        count = exact.get(pk, done or 0)
        s = _pair(session)
        c = _pair(checkin)
        # The latest pain score: the latest day's; on one day the morning check-in wins over a
        # before-check (as on the history page).
        latest = c if c is not None and (s is None or c[0] >= s[0]) else s
        rows.append(
            PatientRow(
                person_id=int(pk),
                label=label,
                joined_at=joined_at,
                locked=bool(locked),
                adherence=Adherence(done=min(int(count), planned), planned=max(planned, 1)),
                pain=pain_summary(
                    None if baseline is None else int(baseline),
                    latest[1] if latest else None,
                    latest[0] if latest else None,
                ),
                open_alerts=int(alerts or 0),
                last_activity=max(p[0] for p in (s, c) if p is not None) if (s or c) else None,
                today=today,
            )
        )
    return rows


@dataclass(frozen=True)
class ListQuery:
    """The list's sort, order, filters and page, as the query string gave them (checked)."""

    sort: str = "alerts"
    order: str = "desc"
    has_alerts: bool = False
    low_adherence: bool = False
    no_improvement: bool = False
    find: str = ""
    page: int = 1

    @property
    def filtered(self) -> bool:
        return self.has_alerts or self.low_adherence or self.no_improvement or bool(self.find)


class BadQuery(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def list_query(params: Any) -> ListQuery:
    """Read the list's query string; an unknown value raises ``BadQuery`` naming the field."""
    sort = params.get("sort") or "alerts"
    if sort not in SORTS:
        raise BadQuery("sort", f"Sort by one of: {', '.join(SORTS)}.")
    order = params.get("order") or SORT_FIRST[sort]
    if order not in ("asc", "desc"):
        raise BadQuery("order", "Order is asc or desc.")
    flags = {}
    for name in ("has_alerts", "low_adherence", "no_improvement"):
        value = params.get(name, "")
        if value not in ("", "0", "1", "on"):
            raise BadQuery(name, f"{name} is 1 (on) or left out.")
        flags[name] = value in ("1", "on")
    page_text = params.get("page") or "1"
    if not page_text.isdigit() or int(page_text) < 1:
        raise BadQuery("page", "The page is a whole number from 1.")
    find = " ".join(str(params.get("find", "")).split())[:100]
    return ListQuery(sort=sort, order=order, find=find, page=int(page_text), **flags)


def _sort_key(sort: str) -> Any:
    # Missing values sort last whatever the order: the key puts them in a second group.
    if sort == "label":
        return lambda r: (0, r.label.casefold(), r.person_id)
    if sort == "adherence":
        return lambda r: (0, r.adherence.share, r.label.casefold())
    if sort == "pain":
        return lambda r: (0, r.pain.change, r.label.casefold()) if r.pain.change is not None else None
    if sort == "alerts":
        return lambda r: (0, r.open_alerts, r.label.casefold())
    return lambda r: (0, r.last_activity, r.label.casefold()) if r.last_activity else None


def sort_rows(rows: Sequence[PatientRow], sort: str, order: str) -> list[PatientRow]:
    key = _sort_key(sort)
    present = [r for r in rows if key(r) is not None]
    missing = sorted((r for r in rows if key(r) is None), key=lambda r: (r.label.casefold(), r.person_id))
    present.sort(key=key, reverse=order == "desc")
    return present + missing


@dataclass(frozen=True)
class PatientList:
    query: ListQuery
    page: Page[PatientRow]
    total: int  # every patient of the clinic
    shown: int  # after the filters
    counts: dict[str, int]  # how many patients each filter would show


def patient_list(clinic_id: int, query: ListQuery, *, today: dt.date) -> PatientList:
    """The list page: every patient's row computed in one query, then filtered, sorted and cut into
    pages here (the sort keys are computed values, so the database cannot sort by them)."""
    rows = patient_rows(clinic_id, today=today)
    counts = {
        "has_alerts": sum(1 for r in rows if r.open_alerts),
        "low_adherence": sum(1 for r in rows if r.adherence.low),
        "no_improvement": sum(1 for r in rows if r.no_improvement),
    }
    shown = rows
    if query.find:
        needle = query.find.casefold()
        shown = [r for r in shown if needle in r.label.casefold()]
    if query.has_alerts:
        shown = [r for r in shown if r.open_alerts]
    if query.low_adherence:
        shown = [r for r in shown if r.adherence.low]
    if query.no_improvement:
        shown = [r for r in shown if r.no_improvement]
    ordered = sort_rows(shown, query.sort, query.order)
    page = Paginator(ordered, PAGE_SIZE).get_page(query.page)
    return PatientList(query=query, page=page, total=len(rows), shown=len(ordered), counts=counts)


# --------------------------------------------------------------------------- a patient's page


@dataclass(frozen=True)
class Line:
    """One detail of a timeline entry: a text and, when it is a rule's reason, the rule id."""

    text: str
    rule: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    day: dt.date
    at: dt.datetime
    kind: str  # screening, session, checkin, dose, clinician, joined, clearance
    kind_words: str
    title: str
    summary: str = ""
    lines: tuple[Line, ...] = ()
    flag: str = ""  # red, amber, ok or "": a word on the entry, never colour alone
    lights: tuple[tuple[str, str], ...] = ()  # (exercise name, light) for a session


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


STATUS_WORDS = {
    ExerciseSession.Status.FINISHED: "finished",
    ExerciseSession.Status.STOPPED: "stopped early",
    ExerciseSession.Status.IN_PROGRESS: "not finished",
}
ACTION_WORDS = {
    DoseChange.Action.PROGRESS: "one step up",
    DoseChange.Action.HOLD: "stays the same",
    DoseChange.Action.REGRESS: "made easier",
    DoseChange.Action.SUSPEND: "stopped for now",
}
KIND_WORDS = {
    ProgrammeChange.Kind.ADD: "added",
    ProgrammeChange.Kind.REMOVE: "removed",
    ProgrammeChange.Kind.DOSE: "dose changed",
    ProgrammeChange.Kind.MONITORING: "monitoring changed",
    ProgrammeChange.Kind.CLEARANCE: "clearance",
    ProgrammeChange.Kind.UNLOCK: "lock cleared",
}


def exercise_name(exercise_id: str) -> str:
    exercise = default_library().get(exercise_id)
    return exercise.name if exercise is not None else exercise_id


def dose_words(row: Any) -> str:
    mode: Any = row.mode or None
    dose = Dose(int(row.sets), int(row.reps), int(row.hold_s), bool(row.per_side), mode)
    text = describe_dose(dose)
    return f"{text} ({MODE_NAMES.get(mode, mode)})" if mode else text


def _reason_lines(reasons: Iterable[Any] | None) -> tuple[Line, ...]:
    out = []
    for reason in reasons or ():
        if isinstance(reason, dict):
            out.append(Line(str(reason.get("text", "")), str(reason.get("rule", ""))))
        elif reason:
            out.append(Line(str(reason)))
    return tuple(dict.fromkeys(line for line in out if line.text))


def _json_words(value: Any) -> str:
    """A ProgrammeChange's before/after, in a few words (a dose, a mode, a list of clearances)."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, dict):
        if {"sets", "reps", "hold_s"} <= set(value):
            mode: Any = value.get("mode") or None
            dose = Dose(
                int(value["sets"]),
                int(value["reps"]),
                int(value["hold_s"]),
                bool(value.get("per_side")),
                mode,
            )
            text = describe_dose(dose)
            return f"{text} ({MODE_NAMES.get(mode, mode)})" if mode else text
        return ", ".join(f"{k}: {_json_words(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_json_words(v) for v in value)
    return str(value)


def _session_entry(session: ExerciseSession) -> TimelineEntry:
    logs = list(session.logs.all())
    lights = tuple(
        (exercise_name(log.exercise_id), log.light or "no light") for log in logs if not log.skipped
    )
    counts = {light: sum(1 for _, shown in lights if shown == light) for light in ("green", "amber", "red")}
    parts = [f"{counts[k]} {k}" for k in ("green", "amber", "red") if counts[k]]
    skipped = sum(1 for log in logs if log.skipped)
    if skipped:
        parts.append(f"{skipped} skipped")
    summary = (
        f"Pain before: back {session.before_back}, leg {session.before_leg} out of 10. "
        f"Exercises: {', '.join(parts) if parts else 'none logged'}."
    )
    lines: list[Line] = []
    for log in logs:
        if log.light in (Light.RED, Light.AMBER):
            for line in _reason_lines(log.reasons):
                lines.append(Line(f"{exercise_name(log.exercise_id)}: {line.text}", line.rule))
    if session.status == ExerciseSession.Status.STOPPED:
        if session.stop_advice:
            lines.append(Line(f"Advice given: {session.stop_advice}"))
        for rule in session.stop_rules or ():
            if not any(line.rule == rule for line in lines):
                lines.append(Line("Stop rule", str(rule)))
    flag = "red" if counts["red"] or session.status == ExerciseSession.Status.STOPPED else ""
    flag = flag or ("amber" if counts["amber"] else "")
    return TimelineEntry(
        day=session.day,
        at=session.started_at,
        kind="session",
        kind_words="Session",
        title=f"Session {STATUS_WORDS.get(session.status, session.status)}",
        summary=summary,
        lines=tuple(lines),
        flag=flag,
        lights=lights,
    )


def _checkin_entry(checkin: CheckIn) -> TimelineEntry:
    tolerated = {True: "the day before went well", False: "the day before was not tolerated", None: ""}[
        checkin.tolerated
    ]
    summary = (
        f"Back {checkin.back}, leg {checkin.leg} out of 10. "
        f"{STIFFNESS_WORDS.get(checkin.stiffness, checkin.stiffness)}."
    )
    if tolerated:
        summary += f" Verdict: {tolerated}."
    return TimelineEntry(
        day=checkin.date,
        at=checkin.created_at,
        kind="checkin",
        kind_words="Check-in",
        title="Morning check-in",
        summary=summary,
        lines=_reason_lines(checkin.reasons),
        flag="amber" if checkin.tolerated is False else "",
    )


def _dose_entry(change: DoseChange) -> TimelineEntry:
    day = change.starts_on or timezone.localdate(change.created_at)
    return TimelineEntry(
        day=day,
        at=change.created_at,
        kind="dose",
        kind_words="Dose",
        title=f"{exercise_name(change.exercise_id)}: {ACTION_WORDS.get(change.action, change.action)}",
        summary="" if change.action == DoseChange.Action.SUSPEND else f"Now: {dose_words(change)}.",
        lines=_reason_lines(change.reasons) or tuple(Line("", r) for r in change.rules or ()),
        flag="amber" if change.action in (DoseChange.Action.SUSPEND, DoseChange.Action.REGRESS) else "",
    )


def _screening_entry(screening: Screening) -> TimelineEntry:
    assert screening.decided_at is not None
    decision = screening.decision or {}
    tier = screening.tier or "emergency"
    try:
        title = tier_text(Tier(tier)).title
    except ValueError:
        title = tier
    names = [
        exercise_name(e["id"]) for e in decision.get("exercises", []) if isinstance(e, dict) and "id" in e
    ]
    summary = f"Result: {tier}."
    if names:
        summary += f" Programme: {', '.join(names)}."
    lines = list(_reason_lines(decision.get("reasons")))
    for block in decision.get("blocked", []) or ():
        if isinstance(block, dict):
            lines.append(
                Line(
                    f"Held back: {exercise_name(str(block.get('id', '')))}: {block.get('reason', '')}",
                    ", ".join(block.get("rules", [])),
                )
            )
    return TimelineEntry(
        day=timezone.localdate(screening.decided_at),
        at=screening.decided_at,
        kind="screening",
        kind_words="Screening",
        title=f"Screening: {title}",
        summary=summary,
        lines=tuple(lines),
        flag="red" if tier in ("emergency", "urgent") else ("amber" if tier == "soon" else ""),
    )


def _clinician_entry(change: ProgrammeChange) -> TimelineEntry:
    who = change.changed_by.get_username() if change.changed_by_id else "a clinician"
    what = KIND_WORDS.get(change.kind, change.kind)
    title = f"{who}: {what}"
    if change.exercise_id:
        title += f" – {exercise_name(change.exercise_id)}"
    summary = f"Why: {change.why}"
    lines = []
    if change.before is not None or change.after is not None:
        lines.append(Line(f"Before: {_json_words(change.before)}. After: {_json_words(change.after)}."))
    return TimelineEntry(
        day=timezone.localdate(change.created_at),
        at=change.created_at,
        kind="clinician",
        kind_words="Clinician",
        title=title,
        summary=summary,
        lines=tuple(lines),
    )


def _clearance_entry(clearance: EmergencyLockClearance) -> TimelineEntry:
    who = clearance.cleared_by.get_username()
    return TimelineEntry(
        day=timezone.localdate(clearance.cleared_at),
        at=clearance.cleared_at,
        kind="clearance",
        kind_words="Clinician",
        title=f"{who}: emergency lock cleared",
        summary=f"Note: {clearance.note}",
    )


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
    start_at = _local_day_start(since)
    end_at = _local_day_start(until + dt.timedelta(days=1))

    rows = patient_rows(clinic_id, today=today, person_id=person.pk)
    if not rows:  # left the clinic a moment ago
        raise Http404("no such patient")
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
    dose_changes = list(
        DoseChange.objects.filter(person=person, created_at__gte=start_at, created_at__lt=end_at).order_by(
            "created_at"
        )
    )
    screenings = list(
        Screening.objects.filter(person=person, decided_at__gte=start_at, decided_at__lt=end_at).order_by(
            "decided_at"
        )
    )
    clinician_changes = list(
        ProgrammeChange.objects.filter(person=person, created_at__gte=start_at, created_at__lt=end_at)
        .select_related("changed_by")
        .order_by("created_at")
    )
    clearances = list(
        EmergencyLockClearance.objects.filter(person=person, cleared_at__gte=start_at, cleared_at__lt=end_at)
        .select_related("cleared_by")
        .order_by("cleared_at")
    )
    care = CareSettings.objects.filter(person=person).first()
    programme = current_programme(person)
    # Whether there is anything before the timeline's first day (for the "older" link): one query.
    first_session_day = (
        ExerciseSession.objects.filter(person=person).order_by("day").values_list("day", flat=True).first()
    )

    timeline: list[TimelineEntry] = []
    timeline += [_session_entry(s) for s in sessions if since <= s.day <= until]
    timeline += [_checkin_entry(c) for c in checkins if since <= c.date <= until]
    timeline += [_dose_entry(c) for c in dose_changes]
    timeline += [_screening_entry(s) for s in screenings]
    timeline += [_clinician_entry(c) for c in clinician_changes]
    timeline += [_clearance_entry(c) for c in clearances]
    if since <= joined_day <= until:
        timeline.append(
            TimelineEntry(
                day=joined_day,
                at=row.joined_at,
                kind="joined",
                kind_words="Clinic",
                title="Joined the clinic",
                summary="From this day the clinic sees this person's answers, plan, sessions and pain.",
            )
        )
    timeline.sort(key=lambda e: (e.day, e.at), reverse=True)

    by_day: dict[dt.date, tuple[dt.date, int, int]] = {}
    for session in sessions:  # the first before-check of a day, unless a morning check-in that day
        by_day.setdefault(session.day, (session.day, int(session.before_back), int(session.before_leg)))
    for checkin in checkins:
        by_day[checkin.date] = (checkin.date, int(checkin.back), int(checkin.leg))
    pain_days = tuple(by_day[day] for day in sorted(by_day))

    done_days = {s.day for s in sessions if s.status in DONE}
    weeks = _weeks(done_days, until=until, first=min(joined_day, min(done_days, default=joined_day)))

    lines, tier, tier_title, held = _programme_lines(programme, person)
    earliest = min(d for d in (first_session_day, joined_day) if d is not None)
    return PatientPage(
        person=person,
        row=row,
        today=today,
        until=until,
        since=since,
        timeline=tuple(timeline),
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
                mode=MODE_NAMES.get(mode, mode) if mode else "",
                suspended=item.suspended,
                since=since,
                reasons=_reason_lines(change.reasons) if change is not None else (),
            )
        )
    decision = screening.decision or {}
    held = tuple(
        Line(f"{exercise_name(str(b.get('id', '')))}: {b.get('reason', '')}", ", ".join(b.get("rules", [])))
        for b in decision.get("blocked", []) or ()
        if isinstance(b, dict)
    )
    return tuple(lines), tier, tier_title, held


# --------------------------------------------------------------------------- invitations


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    code: str  # ABCD-EFGH
    state: str  # open, used, expired
    state_words: str


def invitation_state(invitation: Invitation, now: dt.datetime) -> tuple[str, str]:
    if invitation.used_at is not None:
        return "used", f"used {ago(invitation.used_at, timezone.localdate(now))}"
    if invitation.expires_at <= now:
        return "expired", "expired"
    left = invitation.expires_at - now
    days = left.days
    return "open", f"open for {plural(days, 'more day')}" if days >= 1 else "open until later today"


def invitation_view(invitation: Invitation, now: dt.datetime) -> InvitationView:
    state, words = invitation_state(invitation, now)
    return InvitationView(invitation, display_code(invitation.code), state, words)


def invitations_recent(clinic_id: int, *, now: dt.datetime, limit: int = 30) -> list[InvitationView]:
    """The clinic's latest invitations (open ones first), one query."""
    rows = (
        Invitation.objects.filter(clinic_id=clinic_id)
        .select_related("created_by")
        .order_by("-created_at")[:limit]
    )
    views = [invitation_view(i, now) for i in rows]
    return sorted(views, key=lambda v: v.state != "open")


def invitation_of_clinic(clinic_id: int, invitation_id: int) -> Invitation | None:
    return Invitation.objects.filter(clinic_id=clinic_id, pk=invitation_id).select_related("clinic").first()


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.filter(token=token).select_related("clinic").first() if token else None


def invitation_by_code(code: str) -> Invitation | None:
    return Invitation.objects.filter(code=code).select_related("clinic").first() if code else None


def enrolment_of(person: Person | None) -> Enrolment | None:
    if person is None:
        return None
    return Enrolment.objects.filter(person=person).select_related("clinic").first()


# --------------------------------------------------------------------------- clinicians, audit


def memberships_of_clinic(clinic_id: int) -> list[Membership]:
    return list(
        Membership.objects.filter(clinic_id=clinic_id)
        .select_related("user")
        .order_by("-active", "user__email")
    )


def membership_of_clinic(clinic_id: int, membership_id: int) -> Membership | None:
    return Membership.objects.filter(clinic_id=clinic_id, pk=membership_id).select_related("user").first()


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    who: str
    patient: str  # the clinic's label, or a note that the person left
    person_id: int | None


@dataclass(frozen=True)
class AuditLog:
    page: Page[AuditEvent]
    rows: tuple[AuditRow, ...]
    clinicians: tuple[tuple[int, str], ...]
    user_id: int | None
    person_id: int | None
    patient_label: str  # the label of ``person_id`` at this clinic ("" if none)
    find: str


def audit_log(
    clinic_id: int, *, user_id: int | None, person_id: int | None, find: str = "", page: int = 1
) -> AuditLog:
    """The clinic's audit events, newest first, 50 a page, filtered by clinician, by one patient
    (``person_id``, from a patient's page) and/or by the text of the patients' labels (``find``).

    Queries, whatever the size of the log: the count, the page (with the user and the person's
    enrolment), the clinicians for the filter, and the chosen patient's label. A person who left the
    clinic keeps their rows but not a label.
    """
    events = AuditEvent.objects.filter(clinic_id=clinic_id)
    if user_id is not None:
        events = events.filter(user_id=user_id)
    if person_id is not None:
        events = events.filter(person_id=person_id)
    if find:
        events = events.filter(
            person__enrolment__clinic_id=clinic_id, person__enrolment__label__icontains=find
        )
    paginator = Paginator(
        events.select_related("user", "person__enrolment").order_by("-at", "-pk"), PAGE_SIZE
    )
    current = paginator.get_page(page)
    rows = []
    for event in current.object_list:
        patient = ""
        if event.person_id is not None:
            enrolment = getattr(event.person, "enrolment", None) if event.person is not None else None
            if enrolment is not None and enrolment.clinic_id == clinic_id:
                patient = enrolment.label
            else:
                patient = f"patient no. {event.person_id} (no longer at this clinic)"
        rows.append(AuditRow(event, event.user.get_username(), patient, event.person_id))
    user_model = get_user_model()
    clinicians = tuple(
        (int(pk), str(name))
        for pk, name in user_model._default_manager.filter(memberships__clinic_id=clinic_id)
        .order_by("username")
        .values_list("pk", "username")
    )
    label = ""
    if person_id is not None:
        label = (
            Enrolment.objects.filter(clinic_id=clinic_id, person_id=person_id)
            .values_list("label", flat=True)
            .first()
            or f"patient no. {person_id}"
        )
    return AuditLog(current, tuple(rows), clinicians, user_id, person_id, label, find)
