"""Alerts (issue 5): what a clinician should look at, derived from what is stored, and the inbox.

``alerts_scan(person=..., now=...)`` reads a patient's stored data and raises each alert once: an alert's
``key`` names the event it comes from (``red_stop:<log id>``), and ``(person, key)`` is unique, so a
second scan of the same data raises nothing. Only persons enrolled in a clinic get alerts, and only for
events from ``LOOKBACK_BEFORE_JOINING`` before they joined on. The rules come from what the core stored
(a log's light and rules, a screening's tier, a dose change's rules) or from the core itself (OM-08/RF-17
through ``outcomes.improvement_review``); nothing here judges a symptom.

It is called at the end of the session-log, check-in and screening services, and for every enrolled person
by ``python manage.py scan_alerts`` (for cron: inactivity appears only with time).

An urgent alert (an emergency or urgent result, a warning sign) and a RED stop are also told outside the
app: an email to the clinic's alert address, right after the scan that raised it, that names the clinic
and links to the alert and says nothing about the patient's health (``alerts_email``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backhome.core.model import Tier
from backhome.core.rules.outcomes import improvement_review
from backhome.core.words import tier_text
from backhome.web.clinic.errors import ClinicError, NotAtClinic
from backhome.web.clinic.models import Alert, Clinic, Enrolment, Membership
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
#: An alert not emailed yet (the mail server was down) is tried again by the cron scan for this long.
EMAIL_RETRY = dt.timedelta(days=1)
#: The kinds of alert emailed whatever their severity: a RED stop (PM-11...PM-13) and its PM-10 variant.
EMAILED_KINDS = frozenset({Alert.Kind.RED_STOP, Alert.Kind.PERIPHERALIZATION})
SEVERITY_WORDS = {
    Alert.Severity.URGENT: "Urgent",
    Alert.Severity.ATTENTION: "Needs attention",
    Alert.Severity.ROUTINE: "Routine",
}

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
    happened_at: dt.datetime | None = None
    severity: int = Alert.Severity.ATTENTION


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
    at = log.created_at
    if log.after_red_flag or "PM-14" in rules:
        return Candidate(
            Alert.Kind.RED_FLAG,
            f"red_flag:log:{log.pk}",
            rules or ("PM-14",),
            text,
            at,
            Alert.Severity.URGENT,
        )
    if "PM-10" in rules:
        return Candidate(Alert.Kind.PERIPHERALIZATION, f"peripheralization:{log.pk}", rules, text, at)
    return Candidate(Alert.Kind.RED_STOP, f"red_stop:{log.pk}", rules, text, at)


def _log_alerts(person: Person, since: dt.datetime) -> list[Candidate]:
    """``log_alert`` of each of the person's logs with a RED result or a warning sign."""
    logs = (
        ExerciseLog.objects.filter(session__person=person, session__started_at__gte=since)
        .filter(Q(light="red") | Q(after_red_flag=True))
        .only("id", "exercise_id", "light", "after_red_flag", "rules", "reasons", "advice", "created_at")
        .order_by("created_at")
    )
    return [c for c in map(log_alert, logs) if c is not None]


def _session_alerts(person: Person, since: dt.datetime) -> list[Candidate]:
    """A new warning sign reported at the pain check before a session (PM-14)."""
    sessions = ExerciseSession.objects.filter(
        person=person, started_at__gte=since, before_red_flag=True
    ).only("id", "stop_rules", "stop_advice", "started_at")
    return [
        Candidate(
            Alert.Kind.RED_FLAG,
            f"red_flag:session:{s.pk}",
            _rules(s.stop_rules) or ("PM-14",),
            "Reported a new warning sign at the pain check before a session; the session was stopped."
            + (f" Advice given: {s.stop_advice}" if s.stop_advice else ""),
            s.started_at,
            Alert.Severity.URGENT,
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
                screening.decided_at,
                Alert.Severity.ATTENTION if screening.tier == Tier.SOON.value else Alert.Severity.URGENT,
            )
        )
    return out


def _suspension_alerts(person: Person, since: dt.datetime) -> list[Candidate]:
    """An exercise suspended for repeated intolerance (PM-41, DS-07)."""
    changes = DoseChange.objects.filter(
        person=person, action=DoseChange.Action.SUSPEND, created_at__gte=since
    ).only("id", "exercise_id", "rules", "reasons", "created_at")
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
                    change.created_at,
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
            # Worded for the clinician: the core's RF-17 reason speaks to the patient.
            out.append(
                Candidate(
                    Alert.Kind.NO_IMPROVEMENT,
                    f"no_improvement:{screening.pk}",
                    review.rules,
                    f"{review.days} days into the programme, back pain was {baseline} at the screening and "
                    f"{latest[1]} on {latest[0]:%d %b}: not a meaningful improvement (OM-08). "
                    "Consider a review: reassess, change the programme or refer.",
                    _day_start(latest[0]),
                    Alert.Severity.ROUTINE,
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
                _day_start(last + dt.timedelta(days=INACTIVE_DAYS)),
                Alert.Severity.ROUTINE,
            )
        )
    return out


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


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
    """Store the new candidates and email the clinic about the ones to tell outside the app."""
    raised = _store(person, enrolment, candidates)
    if any(_emailed(a) for a in raised):
        alerts_email(alerts=raised)
    return raised


def _store(person: Person, enrolment: Enrolment, candidates: list[Candidate]) -> list[Alert]:
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
                    severity=c.severity,
                    key=c.key[:120],
                    rules=list(c.rules),
                    text=c.text,
                    happened_at=c.happened_at,
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
    """``alerts_scan`` for every person enrolled in a clinic, then the emails a mail failure held back;
    returns how many alerts were raised."""
    raised = 0
    people = Person.objects.filter(enrolment__isnull=False).only("id", "emergency_locked_at").order_by("pk")
    for person in people.iterator(chunk_size=500):
        raised += len(alerts_scan(person=person, now=now))
    pending = Alert.objects.filter(
        emailed_at__isnull=True, acknowledged_at__isnull=True, created_at__gte=now - EMAIL_RETRY
    ).filter(Q(severity=Alert.Severity.URGENT) | Q(kind__in=list(EMAILED_KINDS)))
    alerts_email(alerts=list(pending))
    return raised


# --------------------------------------------------------------------------- telling the clinic


def _emailed(alert: Alert) -> bool:
    """Whether an alert is told outside the app: urgent, or a RED stop."""
    return alert.severity == Alert.Severity.URGENT or alert.kind in EMAILED_KINDS


def alert_email_text(clinic: Clinic, person_id: int) -> tuple[str, str]:
    """The email's subject and body: the clinic's name and a link, never anything about health."""
    link = f"{settings.PUBLIC_URL}/clinic/alerts/?patient={person_id}"
    return (
        f"backhome: a patient of {clinic.name} needs attention",
        f"A patient of {clinic.name} needs attention: open {link}\n\n"
        "Log in to read the alert. This email says nothing else on purpose.\n",
    )


def alerts_email(*, alerts: list[Alert]) -> int:
    """Email each clinic's alert address once per patient about those of ``alerts`` that are told
    outside the app and not emailed yet; returns how many emails went. Each alert is claimed (its
    ``emailed_at`` set) before sending, so two scans at once send one email; a failure to send is
    logged and unclaims it for the cron scan to try again."""
    wanted = [a for a in alerts if _emailed(a) and a.emailed_at is None]
    if not wanted:
        return 0
    clinics = {
        c.pk: c for c in Clinic.objects.filter(pk__in={a.clinic_id for a in wanted}).exclude(alert_email="")
    }
    by_patient: dict[tuple[int, int], list[int]] = {}
    for alert in wanted:
        if alert.clinic_id in clinics:
            by_patient.setdefault((alert.clinic_id, alert.person_id), []).append(alert.pk)
    sent = 0
    for (clinic_id, person_id), ids in by_patient.items():
        now = timezone.now()
        claimed = Alert.objects.filter(pk__in=ids, emailed_at__isnull=True)
        claimed_ids = list(claimed.values_list("pk", flat=True))
        if not claimed_ids or not Alert.objects.filter(pk__in=claimed_ids, emailed_at__isnull=True).update(
            emailed_at=now
        ):
            continue
        clinic = clinics[clinic_id]
        subject, body = alert_email_text(clinic, person_id)
        try:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[clinic.alert_email])
        except Exception:  # the alert stays in the inbox; the cron scan tries the email again
            logger.exception("could not email alert of person %s to clinic %s", person_id, clinic_id)
            Alert.objects.filter(pk__in=claimed_ids, emailed_at=now).update(emailed_at=None)
            continue
        for alert in alerts:
            if alert.pk in claimed_ids:
                alert.emailed_at = now
        sent += 1
    return sent


# --------------------------------------------------------------------------- the inbox


@dataclass(frozen=True)
class AlertLine:
    alert: Alert
    label: str
    kind_words: str
    acknowledged_by: str

    @property
    def severity_words(self) -> str:
        return SEVERITY_WORDS.get(Alert.Severity(self.alert.severity), "")

    @property
    def happened_at(self) -> dt.datetime:
        """When the event happened (alerts raised before this was stored: when it was raised)."""
        return self.alert.happened_at or self.alert.created_at


def alerts_inbox(
    clinic_id: int,
    *,
    acknowledged: bool = False,
    person_id: int | None = None,
    severity: int | None = None,
    limit: int = 200,
) -> list[AlertLine]:
    """The clinic's open alerts, the most severe first and then the newest (or the latest acknowledged
    ones), optionally of one patient or one severity (two queries)."""
    # Only of the clinic's patients now: a patient who left takes their alerts with them.
    alerts = Alert.objects.filter(
        clinic_id=clinic_id, person__enrolment__clinic_id=clinic_id, acknowledged_at__isnull=not acknowledged
    )
    if person_id is not None:
        alerts = alerts.filter(person_id=person_id)
    if severity is not None:
        alerts = alerts.filter(severity=severity)
    order = ("-acknowledged_at", "-pk") if acknowledged else ("-severity", "-created_at", "-pk")
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
