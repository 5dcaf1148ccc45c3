"""``/clinic/export.csv``: adherence and outcomes of every patient of the clinician's own clinic, one row
each, for a spreadsheet (docs/clinic.md, "The CSV export").

The read is a selector (``export_rows``): two queries whatever the number of patients, the same counting
as the patient list (``selectors.patient_rows``: sessions done are distinct days with a finished or stopped session,
planned is one a day from the later of the window's first day and the day the person joined, DS-01;
OM-01 judges the change of back pain). The view is thin: it checks the clinician, writes the CSV and
audits the export (one ``AuditEvent``, like the patient list's).

Cells are written for spreadsheets: a text cell that starts with ``= + - @`` (or a tab or a carriage
return) gets a leading ``'`` so no spreadsheet runs it as a formula (OWASP's CSV injection advice);
numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from backhome.web.clinic.models import Alert, Enrolment, OutcomeScore, ProgrammeChange
from backhome.web.clinic.outcomes import RISK_WORDS, improvement_of
from backhome.web.clinic.permissions import audit, membership_of, require_clinician
from backhome.web.clinic.selectors.patient_rows import DONE, pain_summary
from backhome.web.patient.models import Screening
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import CheckIn

#: The two look-back windows of the export, today included.
WINDOWS = (7, 28)

HEADER = (
    "Patient",
    "Enrolled on",
    "Emergency lock",
    "Sessions done, last 7 days",
    "Sessions planned, last 7 days",
    "Adherence %, last 7 days",
    "Sessions done, last 28 days",
    "Sessions planned, last 28 days",
    "Adherence %, last 28 days",
    "Back pain at first screening",
    "Back pain latest",
    "Back pain change",
    "Back pain verdict (OM-01)",
    "Leg pain at first screening",
    "Leg pain latest",
    "Leg pain change",
    "Latest pain score on",
    "Sessions stopped by a stop rule, last 28 days",
    "Sessions stopped by a stop rule, all time",
    "Open alerts",
    "Last activity",
    "ODI total, first entered",
    "ODI total, latest",
    "STarT Back risk",
    "Improvement (OM-08)",
    "Clinician overrides (B26)",
)

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str | int:
    """A CSV cell no spreadsheet runs as a formula: text starting with = + - @ tab or CR gets a '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    text = str(value)
    if text.startswith(_RISKY) and not _NUMBER.match(text):
        return "'" + text
    return text


@dataclass(frozen=True)
class Scores:
    day: dt.date
    back: int
    leg: int


def _scores(text: str | None) -> Scores | None:
    """'2026-11-22|5|2' -> the day, back and leg pain of one row."""
    if not text:
        return None
    day, back, leg = text.split("|")
    return Scores(dt.date.fromisoformat(day[:10]), int(back), int(leg))


def _triple(day: str, back: str, leg: str) -> Concat:
    return Concat(
        Cast(day, CharField()),
        Value("|"),
        Cast(back, CharField()),
        Value("|"),
        Cast(leg, CharField()),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class ExportRow:
    label: str
    enrolled_on: dt.date
    locked: bool
    done: dict[int, int]  # window (days) -> distinct days with a session done
    planned: dict[int, int]  # window (days) -> days planned (one a day, since joining)
    first_back: int | None
    first_leg: int | None
    latest: Scores | None
    stops_28: int
    stops_all: int
    open_alerts: int
    last_activity: dt.date | None
    odi_first: int | None = None
    odi_latest: int | None = None
    risk: str = ""
    improvement: str = ""
    #: The clinicians' overrides of a block (B26), oldest first: day, exercise, rules, clinical note.
    overrides: str = ""

    def adherence(self, days: int) -> int | None:
        planned = self.planned[days]
        return round(100 * self.done[days] / planned) if planned else None

    def cells(self) -> list[Any]:
        latest_back = self.latest.back if self.latest else None
        latest_leg = self.latest.leg if self.latest else None
        verdict = pain_summary(self.first_back, latest_back, self.latest.day if self.latest else None)
        out: list[Any] = [self.label, self.enrolled_on.isoformat(), self.locked]
        for days in WINDOWS:
            out += [self.done[days], self.planned[days], self.adherence(days)]
        out += [
            self.first_back,
            latest_back,
            _change(self.first_back, latest_back),
            verdict.words,
            self.first_leg,
            latest_leg,
            _change(self.first_leg, latest_leg),
            self.latest.day.isoformat() if self.latest else None,
            self.stops_28,
            self.stops_all,
            self.open_alerts,
            self.last_activity.isoformat() if self.last_activity else None,
            self.odi_first,
            self.odi_latest,
            self.risk,
            self.improvement,
            self.overrides,
        ]
        return out


def _decided_day(text: str) -> dt.date | None:
    """The local day of a decision time as the database wrote it as text (None: no decision)."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return timezone.localdate(moment)


def _change(first: int | None, latest: int | None) -> int | None:
    return None if first is None or latest is None else latest - first


def export_rows(clinic_id: int, *, today: dt.date) -> list[ExportRow]:
    """Every patient of the clinic with their export numbers, by label: two queries (the second only
    recounts the sessions of people who joined inside the longest window)."""
    longest = max(WINDOWS)
    starts = {days: today - dt.timedelta(days=days - 1) for days in WINDOWS}
    person = OuterRef("person_id")
    first_screening = (
        Screening.objects.filter(person=person, decided_at__isnull=False, intake__isnull=False)
        .order_by("decided_at", "pk")
        .annotate(
            pair=Concat(
                KeyTextTransform("back", KeyTransform("pain", "intake")),
                Value("|"),
                KeyTextTransform("leg", KeyTransform("pain", "intake")),
                output_field=CharField(),
            )
        )
        .values("pair")[:1]
    )
    latest_session = (
        ExerciseSession.objects.filter(person=person)
        .order_by("-day", "-started_at")
        .annotate(t=_triple("day", "before_back", "before_leg"))
        .values("t")[:1]
    )
    latest_checkin = (
        CheckIn.objects.filter(person=person)
        .order_by("-date")
        .annotate(t=_triple("date", "back", "leg"))
        .values("t")[:1]
    )

    odi = OutcomeScore.objects.filter(person=person, instrument=OutcomeScore.Instrument.ODI)
    odi_first = odi.order_by("measured_on", "pk").values("value")[:1]
    odi_latest = odi.order_by("-measured_on", "-pk").values("value")[:1]
    # The latest decided screening: the programme's start (its decision day) and its STarT Back category.
    latest_screening = (
        Screening.objects.filter(person=person, decided_at__isnull=False)
        .order_by("-decided_at")
        .annotate(
            pair=Concat(
                Cast("decided_at", CharField()),
                Value("|"),
                Coalesce(
                    KeyTextTransform("category", KeyTransform("risk", "decision")),
                    Value(""),
                    output_field=CharField(),
                ),
                output_field=CharField(),
            )
        )
        .values("pair")[:1]
    )

    def count(queryset: Any, expression: Any) -> Subquery:
        return Subquery(
            queryset.order_by().values("person").annotate(n=expression).values("n"),
            output_field=IntegerField(),
        )

    sessions = ExerciseSession.objects.filter(person=person)
    annotations: dict[str, Any] = {
        f"done_{days}": count(
            sessions.filter(day__gte=starts[days], day__lte=today, status__in=DONE),
            Count("day", distinct=True),
        )
        for days in WINDOWS
    }
    rows = Enrolment.objects.filter(clinic_id=clinic_id).annotate(
        locked=ExpressionWrapper(Q(person__emergency_locked_at__isnull=False), output_field=BooleanField()),
        first=Subquery(first_screening, output_field=CharField()),
        session=Subquery(latest_session, output_field=CharField()),
        checkin=Subquery(latest_checkin, output_field=CharField()),
        stops_28=count(
            sessions.filter(day__gte=starts[longest], day__lte=today, status=ExerciseSession.Status.STOPPED),
            Count("pk"),
        ),
        stops_all=count(sessions.filter(status=ExerciseSession.Status.STOPPED), Count("pk")),
        alerts=count(
            Alert.objects.filter(person=person, clinic_id=clinic_id, acknowledged_at__isnull=True),
            Count("pk"),
        ),
        joined=F("joined_at"),
        odi_first=Subquery(odi_first, output_field=IntegerField()),
        odi_latest=Subquery(odi_latest, output_field=IntegerField()),
        screening=Subquery(latest_screening, output_field=CharField()),
        **annotations,
    )
    values = list(
        rows.values(
            "person_id",
            "label",
            "joined",
            "locked",
            "first",
            "session",
            "checkin",
            "stops_28",
            "stops_all",
            "alerts",
            "odi_first",
            "odi_latest",
            "screening",
            *annotations,
        )
    )
    joined_days = {int(v["person_id"]): timezone.localdate(v["joined"]) for v in values}
    overrides: dict[int, list[str]] = {}
    for change in ProgrammeChange.objects.filter(
        clinic_id=clinic_id, kind=ProgrammeChange.Kind.OVERRIDE, person_id__in=joined_days
    ).order_by("created_at", "pk"):
        before = change.before if isinstance(change.before, dict) else {}
        rules = ", ".join(str(r) for r in before.get("rules", []))
        overrides.setdefault(change.person_id, []).append(
            f"{timezone.localdate(change.created_at).isoformat()} {change.exercise_id} ({rules}): {change.note}"
        )
    recent = {pk: day for pk, day in joined_days.items() if day > starts[longest]}
    exact = _done_days_since_joining(recent, since=starts[longest], today=today)
    out = []
    for v in values:
        pk = int(v["person_id"])
        joined_day = joined_days[pk]
        done: dict[int, int] = {}
        planned: dict[int, int] = {}
        for days in WINDOWS:
            start = max(starts[days], joined_day)
            planned[days] = max((today - start).days + 1, 0)
            if pk in exact:
                counted = sum(1 for day in exact[pk] if day >= start)
            else:
                counted = int(v[f"done_{days}"] or 0)
            done[days] = min(counted, planned[days])
        first_back = first_leg = None
        if v["first"]:
            back, _, leg = str(v["first"]).partition("|")
            first_back = int(back) if back.isdigit() else None
            first_leg = int(leg) if leg.isdigit() else None
        s, c = _scores(v["session"]), _scores(v["checkin"])
        # The latest pain score: the latest day's; on one day the morning check-in wins (as on the list).
        latest = c if c is not None and (s is None or c.day >= s.day) else s
        decided_text, _, category = str(v["screening"] or "").partition("|")
        programme_start = _decided_day(decided_text)
        improvement = improvement_of(
            start=programme_start, today=today, baseline=first_back, latest=latest.back if latest else None
        )
        out.append(
            ExportRow(
                label=str(v["label"]) or f"patient no. {pk}",
                enrolled_on=joined_day,
                locked=bool(v["locked"]),
                done=done,
                planned=planned,
                first_back=first_back,
                first_leg=first_leg,
                latest=latest,
                stops_28=int(v["stops_28"] or 0),
                stops_all=int(v["stops_all"] or 0),
                open_alerts=int(v["alerts"] or 0),
                last_activity=max((p.day for p in (s, c) if p is not None), default=None),
                odi_first=v["odi_first"],
                odi_latest=v["odi_latest"],
                risk=RISK_WORDS.get(category, category),
                improvement=("improved: " if improvement.improved else "") + improvement.words,
                overrides="; ".join(overrides.get(pk, [])),
            )
        )
    return sorted(out, key=lambda r: (r.label.casefold(), r.enrolled_on))


def _done_days_since_joining(
    people: dict[int, dt.date], *, since: dt.date, today: dt.date
) -> dict[int, set[dt.date]]:
    """The days with a session done, since they joined, of people who joined inside the window."""
    if not people:
        return {}
    days: dict[int, set[dt.date]] = {pk: set() for pk in people}
    found = (
        ExerciseSession.objects.filter(
            person_id__in=list(people), day__gte=since, day__lte=today, status__in=DONE
        )
        .values_list("person_id", "day")
        .distinct()
    )
    for person_id, day in found:
        if day >= people[person_id]:
            days[person_id].add(day)
    return days


class _Echo:
    """A file-like object whose write returns the line, for csv.writer into a response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[ExportRow]) -> Iterable[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row.cells()])


@require_GET
@require_clinician
def export_csv(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    today = timezone.localdate()
    rows = export_rows(membership.clinic_id, today=today)
    audit(
        membership=membership,
        person=None,
        action="export",
        what=f"CSV export: adherence and outcomes of {len(rows)} patient{'' if len(rows) == 1 else 's'}",
    )
    response = HttpResponse("".join(csv_lines(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="backhome-patients-{today.isoformat()}.csv"'
    return response
