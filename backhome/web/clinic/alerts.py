"""Alerts (issue 5): what a clinician should look at, derived from what is stored, and the inbox.

``alerts_scan(person=..., now=...)`` reads a patient's stored data and raises each alert once: an alert's
``key`` names the event it comes from (``red_stop:<log id>``), and ``(person, key)`` is unique, so a
second scan of the same data raises nothing. Only persons enrolled in a clinic get alerts, and only for
events from ``LOOKBACK_BEFORE_JOINING`` before they joined on. The rules come from what the core stored
(a log's light and rules, a screening's tier, a dose change's rules) or from the core itself (OM-08/RF-17
through ``outcomes.improvement_review``); nothing here judges a symptom.

It is called at the end of the session-log, check-in and screening services, and for every enrolled person
by ``python manage.py scan_alerts`` (for cron: inactivity appears only with time).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backhome.core.model import Tier
from backhome.core.rules.outcomes import improvement_review
from backhome.core.words import tier_text
from backhome.web.clinic.errors import ClinicError, NotAtClinic
from backhome.web.clinic.models import Alert, Enrolment, Membership
from backhome.web.clinic.permissions import audit
from backhome.web.clinic.words import exercise_name
from backhome.web.patient.models import Person, Screening
from backhome.web.practice.models import ExerciseLog, ExerciseSession
from backhome.web.progress.models import CheckIn, DoseChange
from backhome.web.progress.selectors import current_programme, programme_start

logger = logging.getLogger(__name__)

#: Events this long before a person joined a clinic still reach it (a warning sign the week before).
LOOKBACK_BEFORE_JOINING = dt.timedelta(days=7)
#: No session and no morning check-in for this many days raises ``inactive``.
INACTIVE_DAYS = 7
#: Screening results that mean a warning sign (PM-14, a tier above refer: B1, B2).
WARNING_TIERS = (Tier.EMERGENCY.value, Tier.URGENT.value, Tier.SOON.value)
#: A suspension for repeated intolerance (PM-41 with DS-07).
NOT_TOLERATED_RULES = frozenset({"PM-41", "DS-07"})
NOTE_MAX = 1000

KIND_WORDS = {
    Alert.Kind.RED_STOP: "Stopped: pain rose (RED)",
    Alert.Kind.RED_FLAG: "Warning sign",
    Alert.Kind.PERIPHERALIZATION: "Symptoms spread down the leg",
    Alert.Kind.NOT_TOLERATED: "Exercise stopped: not tolerated twice",
    Alert.Kind.NO_IMPROVEMENT: "No real improvement at 4 weeks",
    Alert.Kind.INACTIVE: f"No activity for {INACTIVE_DAYS} days",
}


@dataclass(frozen=True)
class Candidate:
    kind: str
    key: str
    rules: tuple[str, ...]
    text: str


def _name(exercise_id: str) -> str:
    return exercise_name(exercise_id)


def _texts(reasons: Iterable[Any] | None) -> list[str]:
    out = []
    for reason in reasons or ():
        text = str(reason.get("text", "")) if isinstance(reason, dict) else str(reason)
        if text and text not in out:
            out.append(text)
    return out


def _rules(values: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values or ()))


# --------------------------------------------------------------------------- deriving alerts


def log_alert(log: ExerciseLog) -> Candidate | None:
    """The alert one exercise's log calls for: a RED result (PM-10...PM-13) or a warning sign after the
    exercise (PM-14), of the most specific kind (warning sign, then symptoms spreading, then RED); None
    for any other log."""
    if not (log.after_red_flag or log.light == "red"):
        return None
    rules = _rules(log.rules)
    what = " ".join(_texts(log.reasons)) or log.advice or "The pain check after it gave a RED result."
    text = f"{_name(log.exercise_id)}: {what}"
    if log.after_red_flag or "PM-14" in rules:
        return Candidate(Alert.Kind.RED_FLAG, f"red_flag:log:{log.pk}", rules or ("PM-14",), text)
    if "PM-10" in rules:
        return Candidate(Alert.Kind.PERIPHERALIZATION, f"peripheralization:{log.pk}", rules, text)
    return Candidate(Alert.Kind.RED_STOP, f"red_stop:{log.pk}", rules, text)


def _log_alerts(person: Person, since: dt.datetime) -> list[Candidate]:
    """``log_alert`` of each of the person's logs with a RED result or a warning sign."""
    logs = (
        ExerciseLog.objects.filter(session__person=person, session__started_at__gte=since)
        .filter(Q(light="red") | Q(after_red_flag=True))
        .only("id", "exercise_id", "light", "after_red_flag", "rules", "reasons", "advice")
        .order_by("created_at")
    )
    return [c for c in map(log_alert, logs) if c is not None]


def _session_alerts(person: Person, since: dt.datetime) -> list[Candidate]:
    """A new warning sign reported at the pain check before a session (PM-14)."""
    sessions = ExerciseSession.objects.filter(
        person=person, started_at__gte=since, before_red_flag=True
    ).only("id", "stop_rules", "stop_advice")
    return [
        Candidate(
            Alert.Kind.RED_FLAG,
            f"red_flag:session:{s.pk}",
            _rules(s.stop_rules) or ("PM-14",),
            "Reported a new warning sign at the pain check before a session; the session was stopped."
            + (f" Advice given: {s.stop_advice}" if s.stop_advice else ""),
        )
        for s in sessions
    ]


def _screening_alerts(person: Person, since: dt.datetime) -> list[Candidate]:
    """A screening whose result is emergency, urgent or soon. A decision made again from the same answers
    (a clearance, a self-check) with the same tier is the same report, not a new one."""
    screenings = list(
        Screening.objects.filter(person=person, decided_at__isnull=False)
        .only("id", "tier", "answers", "decision", "decided_at")
        .order_by("decided_at", "pk")
    )
    out = []
    previous: Screening | None = None
    for screening in screenings:
        repeat = (
            previous is not None and previous.tier == screening.tier and previous.answers == screening.answers
        )
        previous = screening
        if repeat or screening.tier not in WARNING_TIERS:
            continue
        assert screening.decided_at is not None
        if screening.decided_at < since:
            continue
        decision = screening.decision or {}
        reasons = [
            r
            for r in decision.get("reasons", []) or ()
            if isinstance(r, dict) and (str(r.get("rule", "")).startswith("RF-") or r.get("rule") == "EL-01")
        ]
        title = tier_text(Tier(screening.tier)).title
        what = (
            " ".join(_texts(reasons or decision.get("reasons"))) or tier_text(Tier(screening.tier)).headline
        )
        out.append(
            Candidate(
                Alert.Kind.RED_FLAG,
                f"red_flag:screening:{screening.pk}",
                _rules(decision.get("rules")),
                f"Screening result: {title}. {what}",
            )
        )
    return out


def _suspension_alerts(person: Person, since: dt.datetime) -> list[Candidate]:
    """An exercise suspended for repeated intolerance (PM-41, DS-07)."""
    changes = DoseChange.objects.filter(
        person=person, action=DoseChange.Action.SUSPEND, created_at__gte=since
    ).only("id", "exercise_id", "rules", "reasons")
    out = []
    for change in changes:
        rules = _rules(change.rules)
        if NOT_TOLERATED_RULES & set(rules):
            what = " ".join(_texts(change.reasons)) or "It was stopped for now."
            out.append(
                Candidate(
                    Alert.Kind.NOT_TOLERATED,
                    f"not_tolerated:{change.pk}",
                    rules,
                    f"{_name(change.exercise_id)} was stopped: {what}",
                )
            )
    return out


def _latest_back_pain(person: Person, start: dt.date) -> tuple[dt.date, int] | None:
    """The latest back pain score since the programme began: a morning check-in or a session's check."""
    checkin = (
        CheckIn.objects.filter(person=person, date__gte=start)
        .order_by("-date")
        .values_list("date", "back")
        .first()
    )
    session = (
        ExerciseSession.objects.filter(person=person, day__gte=start)
        .order_by("-day", "-started_at")
        .values_list("day", "before_back")
        .first()
    )
    found = [(day, int(value)) for day, value in (p for p in (checkin, session) if p is not None)]
    return max(found, key=lambda pair: pair[0]) if found else None


def _programme_alerts(person: Person, enrolment: Enrolment, today: dt.date) -> list[Candidate]:
    """No meaningful improvement at 4 weeks (the core's OM-08 review: RF-17) and no activity for
    ``INACTIVE_DAYS`` days, for a person with a programme to do."""
    programme = current_programme(person)
    if programme is None or not programme.active:
        return []
    screening = programme.screening
    start = programme_start(screening)
    out = []
    latest = _latest_back_pain(person, start)
    intake = screening.intake if isinstance(screening.intake, dict) else {}
    baseline = (intake.get("pain") or {}).get("back")
    if latest is not None and isinstance(baseline, int) and today >= start:
        review = improvement_review(start=start, today=today, baseline_pain=baseline, latest_pain=latest[1])
        if "RF-17" in review.rules:
            text = next(r.text for r in review.reasons if r.rule == "RF-17")
            out.append(
                Candidate(
                    Alert.Kind.NO_IMPROVEMENT,
                    f"no_improvement:{screening.pk}",
                    review.rules,
                    f"{review.days} days into the programme, back pain {baseline} at the screening, "
                    f"{latest[1]} on {latest[0]:%d %b}. {text}",
                )
            )
    last_session = (
        ExerciseSession.objects.filter(person=person).order_by("-day").values_list("day", flat=True).first()
    )
    last_checkin = (
        CheckIn.objects.filter(person=person).order_by("-date").values_list("date", flat=True).first()
    )
    joined = timezone.localdate(enrolment.joined_at)
    last = max(d for d in (last_session, last_checkin, start, joined) if d is not None)
    if (today - last).days >= INACTIVE_DAYS:
        what = "the last session or morning check-in" if last in (last_session, last_checkin) else "the start"
        out.append(
            Candidate(
                Alert.Kind.INACTIVE,
                f"inactive:{last.isoformat()}",
                (),
                f"No session and no morning check-in for {(today - last).days} days "
                f"({what}: {last:%d %b %Y}).",
            )
        )
    return out


def alert_candidates(person: Person, enrolment: Enrolment, now: dt.datetime) -> list[Candidate]:
    """Every alert the person's stored data calls for now (raised or not)."""
    since = enrolment.joined_at - LOOKBACK_BEFORE_JOINING
    return [
        *_screening_alerts(person, since),
        *_session_alerts(person, since),
        *_log_alerts(person, since),
        *_suspension_alerts(person, since),
        *_programme_alerts(person, enrolment, timezone.localdate(now)),
    ]


def alerts_scan(*, person: Person, now: dt.datetime) -> list[Alert]:
    """Raise the alerts the person's stored data calls for and that were not raised before; returns the
    new ones. Idempotent: scanning again (or at the same time elsewhere) raises nothing twice. Nothing for
    a person who is not enrolled in a clinic."""
    enrolment = Enrolment.objects.filter(person=person).first()
    if enrolment is None:
        return []
    return _raise(person, enrolment, alert_candidates(person, enrolment, now))


def _raise(person: Person, enrolment: Enrolment, candidates: list[Candidate]) -> list[Alert]:
    """Store the candidates not raised before (``(person, key)`` is unique); returns the new alerts."""
    with transaction.atomic():
        existing = set(Alert.objects.filter(person=person).values_list("key", flat=True))
        new = {c.key: c for c in candidates if c.key not in existing}
        if not new:
            return []
        Alert.objects.bulk_create(
            [
                Alert(
                    clinic_id=enrolment.clinic_id,
                    person=person,
                    kind=c.kind,
                    key=c.key[:120],
                    rules=list(c.rules),
                    text=c.text,
                )
                for c in new.values()
            ],
            ignore_conflicts=True,
        )
    return list(Alert.objects.filter(person=person, key__in=list(new)).order_by("pk"))


def alerts_scan_log(*, person: Person, log: ExerciseLog) -> list[Alert]:
    """The alert one new or re-checked log raises, if any: the one kind of event a log can add (a RED
    result or a warning sign after an exercise, ``log_alert``). The same alert as ``alerts_scan`` would
    raise for it, without reading the person's other data."""
    candidate = log_alert(log)
    if candidate is None:
        return []
    enrolment = Enrolment.objects.filter(person=person).first()
    if enrolment is None or log.session.started_at < enrolment.joined_at - LOOKBACK_BEFORE_JOINING:
        return []
    return _raise(person, enrolment, [candidate])


def alerts_scan_all(*, now: dt.datetime) -> int:
    """``alerts_scan`` for every person enrolled in a clinic; returns how many alerts were raised."""
    raised = 0
    people = Person.objects.filter(enrolment__isnull=False).only("id", "emergency_locked_at").order_by("pk")
    for person in people.iterator(chunk_size=500):
        raised += len(alerts_scan(person=person, now=now))
    return raised


# --------------------------------------------------------------------------- the inbox


@dataclass(frozen=True)
class AlertLine:
    alert: Alert
    label: str
    kind_words: str
    acknowledged_by: str


def alerts_inbox(
    clinic_id: int, *, acknowledged: bool = False, person_id: int | None = None, limit: int = 200
) -> list[AlertLine]:
    """The clinic's open alerts, newest first (or the latest acknowledged ones), optionally of one patient
    (two queries)."""
    # Only of the clinic's patients now: a patient who left takes their alerts with them.
    alerts = Alert.objects.filter(
        clinic_id=clinic_id, person__enrolment__clinic_id=clinic_id, acknowledged_at__isnull=not acknowledged
    )
    if person_id is not None:
        alerts = alerts.filter(person_id=person_id)
    order = ("-acknowledged_at", "-pk") if acknowledged else ("-created_at", "-pk")
    rows = list(alerts.select_related("acknowledged_by").order_by(*order)[:limit])
    labels = dict(
        Enrolment.objects.filter(clinic_id=clinic_id, person_id__in={a.person_id for a in rows}).values_list(
            "person_id", "label"
        )
    )
    return [
        AlertLine(
            alert=a,
            label=labels.get(a.person_id) or f"Patient {a.person_id}",
            kind_words=KIND_WORDS.get(Alert.Kind(a.kind), a.kind) if a.kind in Alert.Kind.values else a.kind,
            acknowledged_by=a.acknowledged_by.get_username() if a.acknowledged_by is not None else "",
        )
        for a in rows
    ]


def alert_acknowledge(
    *, membership: Membership, alert_id: int, note: str, now: dt.datetime | None = None
) -> Alert:
    """Acknowledge an alert of the membership's clinic with a note (required): who and when are stored and
    audited. ``NotAtClinic`` for another clinic's alert; acknowledging again returns it unchanged."""
    text = " ".join(str(note or "").split())
    if not text:
        raise ClinicError("note", "Write a note: what you did or decided about this alert.")
    if len(text) > NOTE_MAX:
        raise ClinicError("note", f"The note can be at most {NOTE_MAX} characters long.")
    if "\x00" in text:
        raise ClinicError("note", "The note has a character that cannot be stored (NUL): type it again.")
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .filter(
                pk=alert_id, clinic_id=membership.clinic_id, person__enrolment__clinic_id=membership.clinic_id
            )
            .first()
        )
        if alert is None:
            raise NotAtClinic("There is no such alert.")
        if alert.acknowledged_at is not None:
            return alert
        alert.acknowledged_at = now or timezone.now()
        alert.acknowledged_by_id = membership.user_id
        alert.note = text
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
        audit(
            membership=membership,
            person=alert.person,
            action="change",
            what=f"alert acknowledged: {alert.kind}",
        )
        return alert


def open_count(clinic_id: int) -> int:
    return Alert.objects.filter(
        clinic_id=clinic_id, person__enrolment__clinic_id=clinic_id, acknowledged_at__isnull=True
    ).count()


def alerts_scan_after_commit(*, person: Person) -> None:
    """Scan the person for alerts once the current write has committed (the session log, check-in and
    screening services call this). A failing scan is logged and never undoes the person's own write;
    ``scan_alerts`` (cron) catches up on anything missed."""

    def scan() -> None:
        try:
            alerts_scan(person=person, now=timezone.now())
        except Exception:  # the patient's write is already safe; the clinic's scan must not break it
            logger.exception("alert scan failed for person %s", person.pk)

    transaction.on_commit(scan)


def alerts_scan_log_after_commit(*, person: Person, log: ExerciseLog) -> None:
    """``alerts_scan_log`` once the log's write has committed, for the session-log services: a log with
    no RED result and no warning sign (nearly all of them) costs nothing, not even a query. A failing
    scan is logged and never undoes the log; ``scan_alerts`` (cron) catches up on anything missed."""
    if log_alert(log) is None:
        return

    def scan() -> None:
        try:
            alerts_scan_log(person=person, log=log)
        except Exception:  # the patient's write is already safe; the clinic's scan must not break it
            logger.exception("alert scan failed for person %s", person.pk)

    transaction.on_commit(scan)
