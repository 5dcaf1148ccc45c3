"""Every write of the patient app (house style: ``<entity>_<action>``, keyword-only, atomic).

The clinical decisions are the core's: ``emergency_signs`` for an early stop, ``decide`` for a complete
screening. Nothing here judges an answer; it stores what was given and what the core returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from backhome.core.contract import decision_to_json, parse_intake
from backhome.core.engine import decide
from backhome.core.model import Context, Decision
from backhome.core.model import Tier as CoreTier
from backhome.core.rules.triage import Finding, emergency_signs
from backhome.web.patient import questions
from backhome.web.patient.models import EmergencyLockClearance, Person, PlanItem, Screening

SESSION_KEY = "backhome_person"
#: The document stored as the decision of a screening stopped early by an emergency answer.
EMERGENCY_SIGNS_SCHEMA = "backhome.emergency-signs/1"


class LockError(ValueError):
    """The person's programme is locked (or not locked, when clearing)."""


def person_get_or_create_for_session(*, session: SessionBase) -> Person:
    """The guest person of this browser session; created on their first answer."""
    person_id = session.get(SESSION_KEY)
    if person_id is not None:
        person = Person.objects.filter(pk=person_id).first()
        if person is not None:
            return person
    with transaction.atomic():
        person = Person.objects.create()
    session[SESSION_KEY] = person.pk
    return person


def emergency_findings(answers: Mapping[str, Any]) -> list[Finding]:
    """The core's emergency signs among the answers given so far (only the yes/no answers it knows)."""
    given = {
        name: value
        for path, name in questions.EMERGENCY_FIELDS.items()
        if isinstance(value := answers.get(path), bool)
    }
    return emergency_signs(given)


def screening_save_answers(*, person: Person, step_id: str, answers: Mapping[str, Any]) -> Screening:
    """Store one step's answers on the person's open screening (a new one if none is open).

    If the answers given so far show an emergency sign, the screening stops here with the emergency
    decision and the person's programme is locked, before any other question is asked.
    """
    if questions.get_step(step_id) is None:
        raise ValueError(f"no step {step_id!r}")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.locked:
            raise LockError("the programme is locked until a clinician clears it")
        screening = person.screenings.filter(decided_at__isnull=True).order_by("-created_at").first()
        if screening is None:
            screening = Screening(person=person, answers={})
        screening.answers = {**screening.answers, **answers}
        screening.save()
        findings = emergency_findings(screening.answers)
        if findings:
            _stop_for_emergency(person=person, screening=screening, findings=findings)
        return screening


def _stop_for_emergency(*, person: Person, screening: Screening, findings: list[Finding]) -> None:
    now = timezone.now()
    screening.decision = {
        "schema": EMERGENCY_SIGNS_SCHEMA,
        "tier": CoreTier.EMERGENCY.value,
        "rules": sorted({f.rule for f in findings}),
        "reasons": [{"rule": f.rule, "text": f.text} for f in findings],
    }
    screening.tier = CoreTier.EMERGENCY.value
    screening.decided_at = now
    screening.save(update_fields=["decision", "tier", "decided_at"])
    _lock(person=person, screening=screening, now=now)


def _lock(*, person: Person, screening: Screening, now: Any) -> None:
    person.emergency_locked_at = now
    person.emergency_screening = screening
    person.save(update_fields=["emergency_locked_at", "emergency_screening"])


def screening_submit(*, person: Person, context: Context | None = None) -> tuple[Screening, Decision]:
    """Decide on the person's open screening: the intake goes to the core exactly as stored.

    Raises ``IntakeError`` (nothing stored) when an answer is missing or wrong, ``LockError`` when
    locked, and ``Screening.DoesNotExist`` when there is no open screening.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.locked:
            raise LockError("the programme is locked until a clinician clears it")
        screening = person.screenings.filter(decided_at__isnull=True).latest("created_at")
        document = questions.intake_document(screening.answers)
        intake = parse_intake(document)
        decision = decide(intake, context or Context())
        now = timezone.now()
        screening.intake = document
        screening.decision = decision_to_json(decision)
        screening.tier = decision.tier.value
        screening.decided_at = now
        screening.save(update_fields=["intake", "decision", "tier", "decided_at"])
        PlanItem.objects.bulk_create(
            [
                PlanItem(
                    screening=screening,
                    position=number,
                    exercise_id=item.exercise_id,
                    sets=item.dose.sets,
                    reps=item.dose.reps,
                    hold_s=item.dose.hold_s,
                    per_side=item.dose.per_side,
                    mode=item.dose.mode or "",
                    rules=list(item.rules),
                )
                for number, item in enumerate(decision.exercises, 1)
            ]
        )
        if decision.tier is CoreTier.EMERGENCY:
            _lock(person=person, screening=screening, now=now)
        return screening, decision


def person_clear_emergency_lock(
    *, person: Person, cleared_by: AbstractBaseUser, note: str
) -> EmergencyLockClearance:
    """A clinician has checked the person: unlock the programme and keep a record of who and why."""
    note = note.strip()
    if not note:
        raise ValueError("a clearance needs a note saying what was checked")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if not person.locked:
            raise LockError("this person's programme is not locked")
        assert person.emergency_locked_at is not None
        clearance = EmergencyLockClearance.objects.create(
            person=person,
            screening=person.emergency_screening,
            locked_at=person.emergency_locked_at,
            cleared_by=cleared_by,
            note=note,
        )
        person.emergency_locked_at = None
        person.emergency_screening = None
        person.save(update_fields=["emergency_locked_at", "emergency_screening"])
        return clearance
