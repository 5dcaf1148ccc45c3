"""A patient's row: adherence over the last 14 days, back pain against the screening (OM-01's verdict),
open alerts and last activity. The patient list, a patient's page, the CSV export and the API all count
with these, in two queries whatever the number of patients.

No clinical rule is decided here: whether a change of pain is meaningful is the core's OM-01
(``pain_change``); "one session a day" as the plan is DS-01's. This module gathers, counts and words.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from backhome.core.rules.outcomes import pain_change
from backhome.web.clinic.models import Alert, Enrolment
from backhome.web.clinic.words import ago, plural
from backhome.web.patient.models import Screening
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import CheckIn

#: Adherence looks back this many days, today included (planned: one session a day, DS-01).
ADHERENCE_DAYS = 14
#: Below this share of planned sessions, adherence is "low" (the list's filter).
LOW_ADHERENCE = 0.5
#: Sessions that count as done: finished, or ended early by a stop rule (the person did practise).
DONE = (ExerciseSession.Status.FINISHED, ExerciseSession.Status.STOPPED)

Verdict = Literal["improved", "not_yet", "same", "worse", "no_score", "no_baseline"]


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
    def first_day(self) -> bool:
        """Joined today with no session yet: today is not over, so nothing is missed yet."""
        return self.planned == 1 and self.done == 0

    @property
    def low(self) -> bool:
        return self.share < LOW_ADHERENCE and not self.first_day

    @property
    def words(self) -> str:
        if self.first_day:
            return "joined today"
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
    #: The highest severity of the open alerts (``Alert.Severity``; 0: none open).
    top_severity: int
    #: The latest day with a session or a morning check-in (None: neither yet).
    last_activity: dt.date | None
    today: dt.date

    @property
    def last_activity_words(self) -> str:
        return ago(self.last_activity, self.today) if self.last_activity else "no session yet"

    @property
    def urgent(self) -> bool:
        """Pinned to the top of the list: locked by an emergency result, or an urgent alert open."""
        return self.locked or self.top_severity >= Alert.Severity.URGENT

    @property
    def severity_rank(self) -> int:
        """The list's default order: locked or urgent first, then by the open alerts' severity."""
        return Alert.Severity.URGENT + 1 if self.locked else self.top_severity

    @property
    def no_improvement(self) -> bool:
        """Has a screening score and a score since, and OM-01 does not call the change an improvement."""
        return self.pain.verdict in ("not_yet", "same", "worse")


def local_day_start(day: dt.date) -> dt.datetime:
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
    # The open alerts' count and highest severity in one column ('3|2'), so one subquery gives both.
    open_alerts = (
        Alert.objects.filter(person=person, clinic_id=clinic_id, acknowledged_at__isnull=True)
        .order_by()
        .values("person")
        .annotate(n=Count("pk"), top=Max("severity"))
        .annotate(pair=_day_and_value("n", "top"))
        .values("pair")
    )
    enrolments = Enrolment.objects.filter(clinic_id=clinic_id)
    if person_id is not None:
        enrolments = enrolments.filter(person_id=person_id)
        joined: Any = F("joined_at")
    else:
        # Only the joining time of people who joined inside the window matters (it shortens their
        # planned days); everyone else's stays NULL, which spares converting 5,000 times.
        joined = Case(
            When(joined_at__gte=local_day_start(window_start - dt.timedelta(days=1)), then=F("joined_at")),
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
        alerts=Subquery(open_alerts, output_field=CharField()),
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
        count_text, _, top_text = (alerts or "0|0").partition("|")
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
                open_alerts=int(count_text),
                top_severity=int(top_text or 0),
                last_activity=max(p[0] for p in (s, c) if p is not None) if (s or c) else None,
                today=today,
            )
        )
    return rows
