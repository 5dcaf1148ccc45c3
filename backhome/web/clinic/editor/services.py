"""The programme editor's writes (house style: ``<entity>_<action>``, keyword-only, atomic). Each change
is one ``ProgrammeChange`` (who, when, before, after, why) and one ``AuditEvent``; a refusal raises
``ClinicError`` naming the field at fault, and nothing is written then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from backhome.core.dose import dose_json
from backhome.core.library.load import default_library
from backhome.core.model import Dose, Range
from backhome.web.clinic.editor.choices import (
    CLEARABLE,
    CLINICIAN,
    WHY_MAX,
    can_redecide,
    held_back,
    starting_dose,
)
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.models import CareSettings, Membership, Monitoring, ProgrammeChange
from backhome.web.clinic.permissions import audit
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person, PlanItem, Screening
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.practice.stops import stop_clear
from backhome.web.progress.models import DoseChange
from backhome.web.progress.selectors import Programme, ProgrammeItem, current_programme


def _change_json(exercise_id: str, dose: Dose) -> dict[str, Any]:
    """A dose as a ``ProgrammeChange`` keeps it, before or after: the exercise's id and ``dose_json``."""
    return {"exercise_id": exercise_id, **dose_json(dose)}


def clean_why(why: str) -> str:
    """The clinician's reason: required (the patient is shown it), at most ``WHY_MAX`` characters."""
    text = " ".join(str(why or "").split())
    if not text:
        raise ClinicError("why", "Say why you are making this change: the patient sees it with the change.")
    if len(text) > WHY_MAX:
        raise ClinicError("why", f"The reason can be at most {WHY_MAX} characters long.")
    if "\x00" in text:
        raise ClinicError("why", "The reason has a character that cannot be stored (NUL): type it again.")
    return text


def _range_words(label: str, allowed: Range, unit: str = "") -> str:
    return f"{label}: choose from {allowed.min} to {allowed.max}{unit}"


def _locked_person(person: Person) -> Person:
    """The person row, locked for the rest of the transaction (one change at a time per person)."""
    return Person.objects.select_for_update().get(pk=person.pk)


def _record(
    *,
    membership: Membership,
    person: Person,
    kind: str,
    why: str,
    exercise_id: str = "",
    before: Any = None,
    after: Any = None,
    what: str,
) -> ProgrammeChange:
    change = ProgrammeChange.objects.create(
        person=person,
        clinic_id=membership.clinic_id,
        changed_by_id=membership.user_id,
        kind=kind,
        exercise_id=exercise_id,
        before=before,
        after=after,
        why=why,
    )
    audit(membership=membership, person=person, action="change", what=what)
    return change


def _item(programme: Programme | None, exercise_id: str) -> ProgrammeItem:
    """The programme's item for a plan exercise (or the variant done now, after a DS-04 step)."""
    for item in programme.items if programme is not None else ():
        if exercise_id in (item.plan_exercise_id, item.exercise_id):
            return item
    raise ClinicError("exercise", "This exercise is not in the patient's programme now.")


def _dose_change(
    *,
    person: Person,
    programme: Programme,
    item: ProgrammeItem,
    dose: Dose,
    action: str,
    why: str,
    today: dt.date,
) -> DoseChange:
    return DoseChange.objects.create(
        person=person,
        screening=programme.screening,
        plan_exercise_id=item.plan_exercise_id,
        exercise_id=item.exercise_id,
        starts_on=today,
        sets=dose.sets,
        reps=dose.reps,
        hold_s=dose.hold_s,
        per_side=dose.per_side,
        mode=dose.mode or "",
        action=action,
        rules=[CLINICIAN],
        reasons=[{"rule": CLINICIAN, "text": why}],
    )


def _redecide(person: Person) -> Screening | None:
    """Decide the programme again with the person's care settings (None when it cannot be now)."""
    if not can_redecide(person, screening_latest_decided(person)):
        return None
    screening, _ = patient_services.screening_redecide_with_context(
        person=person, context=patient_services.care_context(person)
    )
    return screening


def programme_dose_change(
    *,
    membership: Membership,
    person: Person,
    exercise_id: str,
    sets: int,
    reps: int,
    hold_s: int,
    why: str,
    today: dt.date | None = None,
) -> ProgrammeChange:
    """Set an exercise's dose (sets, reps, hold in seconds) inside its envelope. A value outside it raises
    ``ClinicError`` naming the allowed range; nothing is saved then."""
    why = clean_why(why)
    with transaction.atomic():
        person = _locked_person(person)
        programme = current_programme(person)
        item = _item(programme, exercise_id)
        assert programme is not None
        if item.suspended:
            raise ClinicError(
                "exercise", "This exercise is stopped. Put it back first, then change its dose."
            )
        exercise = default_library()[item.exercise_id]
        envelope = exercise.envelope
        dose = Dose(sets, reps, hold_s, envelope.per_side, item.dose.mode)
        if not envelope.contains(dose):
            for field, label, allowed, unit, value in (
                ("sets", "Sets", envelope.sets, "", sets),
                ("reps", "Repetitions", envelope.reps, "", reps),
                ("hold_s", "Hold", envelope.hold_s, " seconds", hold_s),
            ):
                if not allowed.contains(value):
                    raise ClinicError(field, f"{_range_words(label, allowed, unit)} for {exercise.name}.")
            raise ClinicError("exercise", f"This dose is outside the safe range of {exercise.name}.")
        if dose == item.dose:
            raise ClinicError("hold_s", "This is the dose the patient has now: change a number first.")
        _dose_change(
            person=person,
            programme=programme,
            item=item,
            dose=dose,
            action=DoseChange.Action.HOLD,
            why=why,
            today=today or timezone.localdate(),
        )
        return _record(
            membership=membership,
            person=person,
            kind=ProgrammeChange.Kind.DOSE,
            exercise_id=item.exercise_id,
            before=_change_json(item.exercise_id, item.dose),
            after=_change_json(item.exercise_id, dose),
            why=why,
            what=f"programme: dose of {item.exercise_id}",
        )


def programme_exercise_remove(
    *, membership: Membership, person: Person, exercise_id: str, why: str, today: dt.date | None = None
) -> ProgrammeChange:
    """Stop an exercise of the programme (a ``suspend`` dose change; "put back" undoes it)."""
    why = clean_why(why)
    with transaction.atomic():
        person = _locked_person(person)
        programme = current_programme(person)
        item = _item(programme, exercise_id)
        assert programme is not None
        if item.suspended:
            raise ClinicError("exercise", "This exercise is already stopped.")
        _dose_change(
            person=person,
            programme=programme,
            item=item,
            dose=item.dose,
            action=DoseChange.Action.SUSPEND,
            why=why,
            today=today or timezone.localdate(),
        )
        return _record(
            membership=membership,
            person=person,
            kind=ProgrammeChange.Kind.REMOVE,
            exercise_id=item.exercise_id,
            before=_change_json(item.exercise_id, item.dose),
            after=None,
            why=why,
            what=f"programme: removed {item.exercise_id}",
        )


def programme_exercise_add(
    *, membership: Membership, person: Person, exercise_id: str, why: str, today: dt.date | None = None
) -> ProgrammeChange:
    """Add an exercise the current decision does not block (at the library's starting dose), or put back
    a stopped one at its dose. A blocked exercise raises ``ClinicError`` with the block's reason."""
    why = clean_why(why)
    exercise = default_library().get(str(exercise_id))
    if exercise is None:
        raise ClinicError("exercise", "Choose an exercise of the library.")
    with transaction.atomic():
        person = _locked_person(person)
        programme = current_programme(person)
        if programme is None or not programme.items:
            raise ClinicError(
                "exercise",
                "This patient's result gives no exercises now, so none can be added. A clearance may change "
                "that.",
            )
        in_programme = next(
            (i for i in programme.items if exercise.id in (i.plan_exercise_id, i.exercise_id)), None
        )
        if in_programme is not None:
            if not in_programme.suspended:
                raise ClinicError("exercise", f"{exercise.name} is already in the programme.")
            for stopped in {
                in_programme.plan_exercise_id,
                in_programme.exercise_id,
            }:  # B30/B26: clears a red stop
                stop_clear(person_id=person.pk, exercise_id=stopped, cleared_by=membership.user, note=why)
            _dose_change(
                person=person,
                programme=programme,
                item=in_programme,
                dose=in_programme.dose,
                action=DoseChange.Action.HOLD,
                why=why,
                today=today or timezone.localdate(),
            )
            return _record(
                membership=membership,
                person=person,
                kind=ProgrammeChange.Kind.ADD,
                exercise_id=in_programme.exercise_id,
                before={**_change_json(in_programme.exercise_id, in_programme.dose), "suspended": True},
                after=_change_json(in_programme.exercise_id, in_programme.dose),
                why=why,
                what=f"programme: put back {in_programme.exercise_id}",
            )
        block = held_back(programme.screening).get(exercise.id)
        if block is not None:
            rules = ", ".join(block.get("rules", []))
            raise ClinicError(
                "exercise", f"{exercise.name} is held back ({rules}): {block.get('reason', '')}"
            )
        dose = starting_dose(exercise)
        position = max(i.position for i in programme.items) + 1
        PlanItem.objects.create(
            screening=programme.screening,
            position=position,
            exercise_id=exercise.id,
            sets=dose.sets,
            reps=dose.reps,
            hold_s=dose.hold_s,
            per_side=dose.per_side,
            mode=dose.mode or "",
            rules=[CLINICIAN],
        )
        return _record(
            membership=membership,
            person=person,
            kind=ProgrammeChange.Kind.ADD,
            exercise_id=exercise.id,
            before=None,
            after=_change_json(exercise.id, dose),
            why=why,
            what=f"programme: added {exercise.id}",
        )


def _care(person: Person) -> CareSettings:
    care, _ = CareSettings.objects.get_or_create(person=person)
    return care


def care_monitoring_set(
    *, membership: Membership, person: Person, monitoring: str, why: str
) -> ProgrammeChange:
    """Switch the person's monitoring mode (PM-00, B7) and decide the programme again with it."""
    why = clean_why(why)
    if monitoring not in Monitoring.values:
        raise ClinicError("monitoring", "Choose strict or monitored.")
    with transaction.atomic():
        person = _locked_person(person)
        care = _care(person)
        before = care.monitoring
        if before == monitoring:
            raise ClinicError("monitoring", f"Monitoring is already {monitoring}.")
        care.monitoring = monitoring
        care.save(update_fields=["monitoring", "updated_at"])
        _redecide(person)
        return _record(
            membership=membership,
            person=person,
            kind=ProgrammeChange.Kind.MONITORING,
            before=before,
            after=monitoring,
            why=why,
            what=f"care: monitoring {before} -> {monitoring}",
        )


def care_clearance_set(
    *, membership: Membership, person: Person, rule: str, cleared: bool, why: str
) -> ProgrammeChange:
    """Give (``cleared``) or withdraw a clearance (EL-02...EL-05) and decide the programme again: the core
    decides what it unlocks. A clearance is given only for a rule the person's current decision names."""
    why = clean_why(why)
    if rule not in CLEARABLE:
        raise ClinicError("rule", "Choose one of the clearances: EL-02, EL-03, EL-04 or EL-05.")
    with transaction.atomic():
        person = _locked_person(person)
        care = _care(person)
        before = sorted(set(care.clearances))
        if cleared:
            if rule in before:
                raise ClinicError("rule", f"{rule} is already cleared.")
            screening = screening_latest_decided(person)
            fired = (screening.decision or {}).get("rules", []) if screening is not None else []
            if rule not in fired:
                raise ClinicError("rule", f"{rule} does not apply to this patient's current result.")
            after = sorted({*before, rule})
        else:
            if rule not in before:
                raise ClinicError("rule", f"{rule} is not cleared.")
            after = [r for r in before if r != rule]
        care.clearances = after
        care.save(update_fields=["clearances", "updated_at"])
        _redecide(person)
        return _record(
            membership=membership,
            person=person,
            kind=ProgrammeChange.Kind.CLEARANCE,
            before=before,
            after=after,
            why=why,
            what=f"care: clearance {rule} {'given' if cleared else 'withdrawn'}",
        )


def person_lock_lift(*, membership: Membership, person: Person, why: str) -> ProgrammeChange:
    """Lift an emergency lock after checking the person (``person_clear_emergency_lock``, with the why as
    its note)."""
    why = clean_why(why)
    with transaction.atomic():
        try:
            patient_services.person_clear_emergency_lock(person=person, cleared_by=membership.user, note=why)
        except patient_services.LockError:
            raise ClinicError("why", "This patient's programme is not locked.") from None
        return _record(
            membership=membership,
            person=person,
            kind=ProgrammeChange.Kind.UNLOCK,
            before="locked",
            after="unlocked",
            why=why,
            what="care: emergency lock lifted",
        )


def changes_mark_seen(*, person: Person, now: dt.datetime | None = None) -> int:
    """The patient has seen the changes shown to them: they are not shown again. Returns how many."""
    with transaction.atomic():
        return ProgrammeChange.objects.filter(person=person, seen_at__isnull=True).update(
            seen_at=now or timezone.now()
        )
