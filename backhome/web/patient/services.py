"""Every write of the patient app (house style: ``<entity>_<action>``, keyword-only, atomic).

The clinical decisions are the core's: ``emergency_signs`` for an early stop, ``decide`` for a complete
screening. Nothing here judges an answer; it stores what was given and what the core returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from backhome.core.contract import decision_to_json, parse_intake
from backhome.core.engine import decide
from backhome.core.model import Context, Decision, DirectionalResults, Monitoring
from backhome.core.model import Tier as CoreTier
from backhome.core.rules.safety import after_rescreen, rescreen_before_session
from backhome.core.rules.triage import Finding, emergency_signs
from backhome.web.errors import Conflict, Invalid, NotFound
from backhome.web.patient import questions
from backhome.web.patient.models import EmergencyLockClearance, Person, PlanItem, Screening

SESSION_KEY = "backhome_person"
#: The document stored as the decision of a screening stopped early by an emergency answer.
EMERGENCY_SIGNS_SCHEMA = "backhome.emergency-signs/1"


class LockError(Conflict):
    """The person's programme is locked after an emergency answer (``locked``), or, when a clinician
    clears it, not locked (``not_locked``)."""

    default_code = "locked"


class NothingToRedecide(Conflict):
    """The latest decided screening has no intake to decide again (none at all, or an emergency stop)."""

    default_code = "no_programme"


#: What a locked person is told (the programme waits for a clinician).
LOCKED = "Your programme is stopped until a doctor or physical therapist has seen you."


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
    # B23: a yes to "both legs" stops the screening early only once the person says it is new or getting
    # worse; otherwise the whole screen decides (long-standing stenosis may be soon, not emergency).
    if given.get("both_legs") and answers.get("symptoms.both_legs_new_or_worse") is not True:
        given["both_legs"] = False
    return emergency_signs(given)


def _warning_sign_fields() -> frozenset[str]:
    """The answers of the red-flag questions (the steps marked ``warning_signs``)."""
    return frozenset(
        q.field for step in questions.screening().steps if step.warning_signs for q in step.questions
    )


def person_require_rescreen(*, person: Person) -> Screening:
    """B25/B31/RF-21: no exercise until the red-flag questions are answered again. Opens a re-screen
    (the last decided screening's answers without those of the red-flag questions, so only those are
    asked again) and marks the person; a newly decided screening clears the mark. Run inside the
    caller's transaction; an open re-screen is reused."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.rescreen_needed_at is None:
        person.rescreen_needed_at = timezone.now()
        person.save(update_fields=["rescreen_needed_at"])
    screening = person.screenings.filter(decided_at__isnull=True).order_by("-created_at").first()
    latest = person.screenings.filter(decided_at__isnull=False).order_by("-decided_at", "-pk").first()
    earlier = dict(latest.answers) if latest is not None else {}
    drop = _warning_sign_fields()
    kept = {path: value for path, value in earlier.items() if path not in drop}
    if screening is None:
        return Screening.objects.create(person=person, answers=kept, rescreen=True)
    screening.answers = {k: v for k, v in screening.answers.items() if k not in drop}
    screening.rescreen = True
    screening.save(update_fields=["answers", "rescreen"])
    return screening


def person_report_before_session(*, person: Person, new_or_different: bool) -> bool:
    """RF-21 (B25): asked before a session whether anything is new or different from the person's usual
    back pain. The core decides (``rescreen_before_session``); when it holds, the red-flag questions are
    opened again (``person_require_rescreen``). Returns whether they were."""
    if not rescreen_before_session(new_or_different).holds:
        return False
    with transaction.atomic():
        if Person.objects.filter(pk=person.pk, emergency_locked_at__isnull=False).exists():
            raise LockError(LOCKED)
        person_require_rescreen(person=person)
    return True


def screening_startback_again(*, person: Person) -> Screening:
    """SB-13 (B25): STarT Back again at 4-6 weeks. Opens a screening with the last decided screening's
    answers without the nine STarT Back answers, so only those are asked; deciding it gives the new
    decision as any screening does. An open screening is reused."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.locked:
            raise LockError(LOCKED)
        drop = frozenset(questions.STARTBACK_FIELDS)
        screening = person.screenings.filter(decided_at__isnull=True).order_by("-created_at").first()
        if screening is not None:
            screening.answers = {k: v for k, v in screening.answers.items() if k not in drop}
            screening.rescreen = True
            screening.save(update_fields=["answers", "rescreen"])
            return screening
        latest = person.screenings.filter(decided_at__isnull=False).order_by("-decided_at", "-pk").first()
        if latest is None or not isinstance(latest.intake, dict):
            raise NothingToRedecide("There is no programme to ask about again.")
        kept = {k: v for k, v in latest.answers.items() if k not in drop}
        return Screening.objects.create(person=person, answers=kept, rescreen=True)


def screening_save_answers(*, person: Person, step_id: str, answers: Mapping[str, Any]) -> Screening:
    """Store one step's answers on the person's open screening (a new one if none is open).

    If the answers given so far show an emergency sign, the screening stops here with the emergency
    decision and the person's programme is locked, before any other question is asked.
    """
    if questions.get_step(step_id) is None:
        raise NotFound("There is no such question.")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.locked:
            raise LockError(LOCKED)
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
    _rescreen_done(person)
    _lock(person=person, screening=screening, now=now)
    _scan_alerts(person)


def _lock(*, person: Person, screening: Screening, now: Any) -> None:
    person.emergency_locked_at = now
    person.emergency_screening = screening
    person.save(update_fields=["emergency_locked_at", "emergency_screening"])


def screening_submit(*, person: Person, context: Context | None = None) -> tuple[Screening, Decision]:
    """Decide on the person's open screening: the intake goes to the core exactly as stored.

    Raises ``IntakeError`` (nothing stored) when an answer is missing or wrong, ``LockError`` when
    locked, and ``Conflict`` (``no_answers``) when there is no open screening.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.locked:
            raise LockError(LOCKED)
        screening = person.screenings.filter(decided_at__isnull=True).order_by("-created_at").first()
        if screening is None:
            raise Conflict(
                "There are no answers to decide on: answer the questions first.", code="no_answers"
            )
        document = questions.intake_document(screening.answers)
        document.update(_directional_document(person))
        decision = _decide(person=person, screening=screening, document=document, context=context)
        return screening, decision


def _directional_document(person: Person) -> dict[str, Any]:
    """The person's settled self-check results (DPT-11), so answering the questions again keeps them."""
    from backhome.web.selfcheck.selectors import settled_results  # the self-check builds on this app

    return _directional_json(settled_results(person))


def _directional_json(results: DirectionalResults) -> dict[str, Any]:
    """``{"directional": {...}}`` for the intake document, or nothing when no direction has a result."""
    given = {
        name: response.value
        for name, response in (("extension", results.extension), ("flexion", results.flexion))
        if response is not None
    }
    return {"directional": given} if given else {}


def screening_redecide(
    *, person: Person, directional: DirectionalResults, context: Context | None = None
) -> tuple[Screening, Decision]:
    """A new decided screening: the latest decided screening's answers and intake, with the directional
    self-check's results (DPT-11) added to the intake, decided by the core as ``screening_submit`` does.

    The plan page shows the latest decided screening, so it shows the reshaped plan. Raises
    ``LockError`` when locked, ``NothingToRedecide`` when the latest decided screening has no
    intake (none at all, or an emergency stop), and ``IntakeError`` (nothing stored) if the core refuses it.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.locked:
            raise LockError(LOCKED)
        latest = person.screenings.filter(decided_at__isnull=False).order_by("-decided_at", "-pk").first()
        if latest is None or not isinstance(latest.intake, dict):
            raise NothingToRedecide("There is no programme to decide again.")
        document = {key: value for key, value in latest.intake.items() if key != "directional"}
        document.update(_directional_json(directional))
        screening = Screening(person=person, answers=dict(latest.answers))
        decision = _decide(person=person, screening=screening, document=document, context=context)
        return screening, decision


def screening_redecide_with_context(*, person: Person, context: Context) -> tuple[Screening, Decision]:
    """A new decided screening: the latest decided screening's answers and intake, unchanged (its
    directional results included), decided by the core with ``context`` (a clinician's clearances and
    monitoring mode, clinic.editor). The core, not the caller, decides what a clearance unlocks.

    Raises ``LockError`` when locked, ``NothingToRedecide`` when the latest decided screening has no
    intake (none at all, or an emergency stop), and ``IntakeError`` (nothing stored) if the core refuses it.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.locked:
            raise LockError(LOCKED)
        latest = person.screenings.filter(decided_at__isnull=False).order_by("-decided_at", "-pk").first()
        if latest is None or not isinstance(latest.intake, dict):
            raise NothingToRedecide("There is no programme to decide again.")
        screening = Screening(person=person, answers=dict(latest.answers))
        decision = _decide(person=person, screening=screening, document=dict(latest.intake), context=context)
        return screening, decision


def care_context(person: Person) -> Context:
    """What a clinician decided for this person (``clinic.models.CareSettings``: clearances and the
    monitoring mode, B7) as the core's ``Context``; the default ``Context()`` when none was set. Every
    decision made without an explicit context uses it, so a new screening or a self-check keeps them."""
    from backhome.web.clinic.models import CareSettings  # the clinic app builds on this one

    care = CareSettings.objects.filter(person_id=person.pk).only("clearances", "monitoring").first()
    if care is None:
        return Context()
    return Context(clearances=frozenset(care.clearances), monitoring=Monitoring(care.monitoring))


def _decide(
    *, person: Person, screening: Screening, document: dict[str, Any], context: Context | None
) -> Decision:
    """Send the intake document to the core and store it, the decision and the plan on ``screening``
    (saved here). The core's strict parser raises ``IntakeError`` before anything is written."""
    intake = parse_intake(document)
    decision = decide(intake, context or care_context(person))
    # A clinician's overrides (B26) hold for every later decision, a new screening or self-check too
    # (B27); imported here because the clinic app builds on this one.
    from backhome.web.clinic.editor.overrides import person_overrides_apply

    decision = person_overrides_apply(person, decision)
    if screening.rescreen and person.needs_rescreen:
        # B25: the new decision replaces the earlier one (which after_rescreen never reads).
        decision = after_rescreen(decision, decision)
    now = timezone.now()
    screening.intake = document
    screening.decision = decision_to_json(decision)
    screening.tier = decision.tier.value
    screening.decided_at = now
    if screening.pk is None:
        screening.save()
    else:
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
    if screening.rescreen:
        _rescreen_done(person)
    if decision.tier is CoreTier.EMERGENCY:
        _lock(person=person, screening=screening, now=now)
    _scan_alerts(person)
    return decision


def _rescreen_done(person: Person) -> None:
    """A newly decided screening answers a pending re-screen (B25)."""
    if person.rescreen_needed_at is not None:
        person.rescreen_needed_at = None
        person.save(update_fields=["rescreen_needed_at"])


def _scan_alerts(person: Person) -> None:
    """A clinic hears of a warning sign at once (PM-14): the clinic app scans after the commit."""
    from backhome.web.clinic.alerts import alerts_scan_after_commit  # the clinic app builds on this one

    alerts_scan_after_commit(person=person)


def person_clear_emergency_lock(*, person: Person, cleared_by: User, note: str) -> EmergencyLockClearance:
    """A clinician has checked the person: unlock the programme and keep a record of who and why."""
    note = note.strip()
    if not note:
        raise Invalid(
            "Some values are missing or wrong.", fields=[("note", "Say what was checked before clearing.")]
        )
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if not person.locked:
            raise LockError("This person's programme is not locked.", code="not_locked")
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
