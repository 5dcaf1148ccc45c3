"""Reads of the API app: a user's tokens, and the token a request carries."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.db.models import Count
from django.utils import timezone

from backhome.core.dose import describe_dose, dose_json
from backhome.core.library.load import default_library
from backhome.core.model import Exercise, Range
from backhome.web.api.models import AccessToken
from backhome.web.api.services import PREFIX_LENGTH, TOKEN_START, hash_secret
from backhome.web.clinic.alerts import KIND_WORDS, AlertLine
from backhome.web.clinic.models import Alert, Enrolment
from backhome.web.clinic.selectors.patient_rows import PatientRow
from backhome.web.history.selectors import history_for_person
from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import CheckIn
from backhome.web.progress.selectors import Programme, current_programme


def tokens_of(user: Any) -> list[AccessToken]:
    """The user's tokens, newest first (revoked and expired ones too, so a person sees what they did)."""
    return list(AccessToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk"))


def token_for_secret(token: str) -> AccessToken | None:
    """The live token this secret belongs to (with its user), or None: unknown, revoked, expired, or its
    account is inactive. The hash is compared in constant time."""
    if not token.startswith(TOKEN_START) or len(token) > 200:
        return None
    prefix = token[len(TOKEN_START) : len(TOKEN_START) + PREFIX_LENGTH]
    row = AccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.secret_hash, hash_secret(token)):
        return None
    if row.revoked_at is not None or not row.user.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= timezone.now():
        return None
    return row


def token_state(row: AccessToken) -> str:
    """``active``, ``revoked`` or ``expired``."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= timezone.now():
        return "expired"
    return "active"


# --------------------------------------------------------------------------- the API's JSON shapes
# Reads only: every value comes from the other apps' selectors and rows as they stored the core's answers.


def _range(r: Range) -> dict[str, int]:
    return {"min": r.min, "start": r.start, "step": r.step, "max": r.max}


def exercise_json(exercise: Exercise) -> dict[str, Any]:
    envelope = exercise.envelope
    return {
        "id": exercise.id,
        "name": exercise.name,
        "other_names": list(exercise.other_names),
        "direction": exercise.direction.value,
        "summary": exercise.summary,
        "start_position": exercise.start_position,
        "steps": list(exercise.steps),
        "may_feel": list(exercise.may_feel),
        "must_not": list(exercise.must_not),
        "dose_range": {
            "sets": _range(envelope.sets),
            "reps": _range(envelope.reps),
            "hold_s": _range(envelope.hold_s),
            "per_side": envelope.per_side,
        },
        "modes": [{"id": m.id, "name": m.name, "steps": list(m.steps)} for m in exercise.modes],
        "progresses_to": exercise.progresses_to,
        "regresses_to": exercise.regresses_to,
        "contraindications": list(exercise.contraindications),
        "rules": list(exercise.rules),
        "sources": [{"ref": s.ref, "note": s.note} for s in exercise.sources],
    }


def library_json() -> dict[str, Any]:
    library = default_library()
    return {"exercises": [exercise_json(library[i]) for i in library.ids]}


def _programme_items(programme: Programme) -> list[dict[str, Any]]:
    library = default_library()
    items = []
    for item in programme.items:
        change = item.change
        exercise = library.get(item.exercise_id)
        items.append(
            {
                "position": item.position,
                "exercise_id": item.exercise_id,
                "plan_exercise_id": item.plan_exercise_id,
                "name": exercise.name if exercise is not None else item.exercise_id,
                "dose": dose_json(item.dose),
                "dose_words": describe_dose(item.dose),
                "suspended": item.suspended,
                "rules": list(item.rules),
                "changed_on": change.starts_on if change is not None else None,
                "change_action": change.action if change is not None else None,
                "change_reasons": list(change.reasons or []) if change is not None else [],
            }
        )
    return items


def plan_json(programme: Programme) -> dict[str, Any]:
    """A programme at current doses (``progress.selectors.current_programme``), suspended ones marked."""
    screening = programme.screening
    decision = screening.decision or {}
    return {
        "screening_id": screening.pk,
        "decided_at": screening.decided_at,
        "tier": screening.tier,
        "monitoring": decision.get("monitoring", "strict"),
        "exercises": _programme_items(programme),
    }


def checkin_json(checkin: CheckIn) -> dict[str, Any]:
    rows = (checkin.course or {}).get("exercises", [])

    def dose(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: doc.get(k) for k in ("sets", "reps", "hold_s", "per_side", "mode")}

    return {
        "id": checkin.pk,
        "date": checkin.date,
        "back": checkin.back,
        "leg": checkin.leg,
        "zone": checkin.zone,
        "stiffness": checkin.stiffness,
        "tolerated": checkin.tolerated,
        "rules": list(checkin.rules),
        "reasons": list(checkin.reasons),
        "exercises": [
            {
                "plan_exercise_id": row["plan_exercise_id"],
                "exercise_id": row["after"]["exercise_id"],
                "action": row["action"],
                "changed": row["changed"],
                "before": dose(row["before"]),
                "after": dose(row["after"]),
                "rules": list(row.get("rules", [])),
                "reasons": list(row.get("reasons", [])),
            }
            for row in rows
        ],
    }


def history_json(person: Person, *, today: dt.date) -> dict[str, Any]:
    """The history page's content (``history.selectors.history_for_person``) and the person's sessions."""
    history = history_for_person(person, today=today)
    sessions = (
        ExerciseSession.objects.filter(person=person)
        .annotate(logged=Count("logs"))
        .order_by("-day", "-started_at", "-pk")
    )
    return {
        "today": history.today,
        "pain": [{"day": d.day, "back": d.back, "leg": d.leg, "source": d.source} for d in history.pain],
        "outcomes": [
            {
                "measure": o.measure,
                "baseline": o.baseline,
                "current": o.current,
                "since": o.since,
                "meaningful": o.meaningful,
                "text": o.text,
                "rules": list(o.rules),
            }
            for o in history.outcomes
        ],
        "sessions": [
            {
                "id": s.pk,
                "day": s.day,
                "status": s.status,
                "exercises": len(s.programme),
                "logged": s.logged,
                "stop_rules": list(s.stop_rules),
            }
            for s in sessions
        ],
        "doses": [
            {
                "exercise_id": d.exercise_id,
                "name": d.name,
                "start": d.start,
                "current": d.current,
                "suspended": d.suspended,
            }
            for d in history.doses
        ],
        "events": [
            {
                "day": e.day,
                "kind": e.kind,
                "title": e.title,
                "reasons": list(e.reasons),
                "advice": e.advice,
                "rules": list(e.rules),
            }
            for e in history.events
        ],
    }


def patient_json(row: PatientRow) -> dict[str, Any]:
    pain = row.pain
    return {
        "id": row.person_id,
        "label": row.label,
        "joined_at": row.joined_at,
        "locked": row.locked,
        "adherence": {"done": row.adherence.done, "planned": row.adherence.planned, "low": row.adherence.low},
        "back_pain": {
            "baseline": pain.baseline,
            "current": pain.current,
            "current_day": pain.current_day,
            "verdict": pain.verdict,
            "meaningful": pain.meaningful,
            "rules": list(pain.rules),
        },
        "open_alerts": row.open_alerts,
        "last_activity": row.last_activity,
    }


def programme_json(person: Person) -> dict[str, Any]:
    """A patient's programme for their clinician: current doses, suspended ones, what was held back."""
    programme = current_programme(person)
    if programme is None:
        return {
            "patient_id": person.pk,
            "locked": person.locked,
            "tier": "emergency" if person.locked else None,
            "monitoring": None,
            "exercises": [],
            "held_back": [],
        }
    plan = plan_json(programme)
    decision = programme.screening.decision or {}
    return {
        "patient_id": person.pk,
        "locked": person.locked,
        "tier": plan["tier"],
        "monitoring": plan["monitoring"],
        "exercises": plan["exercises"],
        "held_back": [
            {
                "exercise_id": str(b.get("id", "")),
                "rules": list(b.get("rules", [])),
                "reason": b.get("reason", ""),
            }
            for b in decision.get("blocked", []) or ()
            if isinstance(b, dict)
        ],
    }


def alert_json(line: AlertLine) -> dict[str, Any]:
    alert = line.alert
    return {
        "id": alert.pk,
        "patient_id": alert.person_id,
        "label": line.label,
        "kind": alert.kind,
        "kind_words": line.kind_words,
        "rules": list(alert.rules),
        "text": alert.text,
        "created_at": alert.created_at,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": line.acknowledged_by,
        "note": alert.note,
    }


def alert_line(alert: Alert) -> AlertLine:
    """One alert as the inbox shows it (its patient's label, its kind in words, who acknowledged it)."""
    label = (
        Enrolment.objects.filter(clinic_id=alert.clinic_id, person_id=alert.person_id)
        .values_list("label", flat=True)
        .first()
    )
    kind = Alert.Kind(alert.kind) if alert.kind in Alert.Kind.values else None
    return AlertLine(
        alert=alert,
        label=label or f"Patient {alert.person_id}",
        kind_words=KIND_WORDS.get(kind, alert.kind) if kind is not None else alert.kind,
        acknowledged_by=alert.acknowledged_by.get_username() if alert.acknowledged_by is not None else "",
    )
