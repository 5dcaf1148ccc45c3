"""The programme editor's writes (house style: ``<entity>_<action>``, keyword-only, atomic). Each change
is one ``ProgrammeChange`` (who, when, before, after, why) and one ``AuditEvent``; a refusal raises
``ClinicError`` naming the field at fault, and nothing is written then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from backhome.core.dose import dose_json
from backhome.core.library.load import default_library
from backhome.core.model import Dose, Range
from backhome.web.clinic.editor.changes import change_text
from backhome.web.clinic.editor.choices import (
    CLEARABLE,
    CLINICIAN,
    WHY_MAX,
    can_redecide,
    held_back,
    starting_dose,
)
from backhome.web.clinic.editor.overrides import decide_again
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.models import CareSettings, Membership, Monitoring, ProgrammeChange
from backhome.web.clinic.permissions import audit
from backhome.web.clinic.selectors.timeline import ANOTHER_CLINIC
from backhome.web.errors import StaleVersion, VersionRequired
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


class ProgrammeChanged(StaleVersion):
    """The programme changed since the form (or the API's ``If-Match``) was read; nothing was written.
    ``since`` says what changed, in the clinician's words, oldest first."""

    def __init__(self, since: list[str]) -> None:
        super().__init__(
            "This programme was changed since you opened it, so nothing was saved: "
            + " ".join(since)
            + " Look at the programme as it is now and make your change again if it still applies."
        )
        self.since = since


def programme_version(person: Person) -> str:
    """The programme's version: the latest clinician's change, dose change (ladder or clinician) and
    screening of the person. Anything that changes what the editor shows changes one of them."""
    change = ProgrammeChange.objects.filter(person=person).aggregate(m=Max("pk"))["m"] or 0
    dose = DoseChange.objects.filter(person=person).aggregate(m=Max("pk"))["m"] or 0
    screening = Screening.objects.filter(person=person).aggregate(m=Max("pk"))["m"] or 0
    return f"{change}.{dose}.{screening}"


def _parts(version: str) -> tuple[int, int, int] | None:
    bits = str(version).strip().split(".")
    if len(bits) != 3 or not all(b.isdigit() for b in bits):
        return None
    return int(bits[0]), int(bits[1]), int(bits[2])


def programme_changes_since(person: Person, version: str, *, clinic_id: int) -> list[str]:
    """What changed since ``version``, in the clinician's words, oldest first; a change made at another
    clinic (the patient moved) says neither who made it nor why."""
    now = _parts(programme_version(person))
    then = _parts(version)
    if then is None or now is None:
        return ["The form does not say which version of the programme it changes."]
    lines = []
    for c in (
        ProgrammeChange.objects.filter(person=person, pk__gt=then[0])
        .select_related("changed_by")
        .order_by("created_at", "pk")
    ):
        ours = c.clinic_id == clinic_id
        who = c.changed_by.get_username() if ours else ANOTHER_CLINIC
        line = f"{who} at {timezone.localtime(c.created_at):%H:%M}: {change_text(c)}."
        lines.append(line + (f" Why: {c.why.rstrip('.')}." if ours else ""))
    if now[2] != then[2]:
        lines.append("The programme was decided again from a new screening or check.")
    elif now[1] != then[1] and not lines:
        lines.append("The programme's rules changed a dose (a step of the progression ladder).")
    return lines or ["The programme changed."]


def version_check(person: Person, version: str | None, *, clinic_id: int) -> None:
    """Refuse (``ProgrammeChanged``) a change made from a version of the programme that is not the
    current one; ``None`` (an older page without the field) is not checked."""
    if version is None:
        return
    if str(version).strip() != programme_version(person):
        raise ProgrammeChanged(programme_changes_since(person, str(version), clinic_id=clinic_id))


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
    """Decide the programme again with the person's care settings and overrides (None when it cannot be
    now: ``can_redecide``)."""
    latest = screening_latest_decided(person)
    if latest is None or not can_redecide(person, latest):
        return None
    return decide_again(person, latest, _care(person).overrides)


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
    version: str | None = None,
) -> ProgrammeChange:
    """Set an exercise's dose (sets, reps, hold in seconds) inside its envelope. A value outside it raises
    ``ClinicError`` naming the allowed range; nothing is saved then."""
    why = clean_why(why)
    with transaction.atomic():
        person = _locked_person(person)
        version_check(person, version, clinic_id=membership.clinic_id)
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
    *,
    membership: Membership,
    person: Person,
    exercise_id: str,
    why: str,
    today: dt.date | None = None,
    version: str | None = None,
) -> ProgrammeChange:
    """Stop an exercise of the programme (a ``suspend`` dose change; "put back" undoes it)."""
    why = clean_why(why)
    with transaction.atomic():
        person = _locked_person(person)
        version_check(person, version, clinic_id=membership.clinic_id)
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
    *,
    membership: Membership,
    person: Person,
    exercise_id: str,
    why: str,
    today: dt.date | None = None,
    version: str | None = None,
) -> ProgrammeChange:
    """Add an exercise the current decision does not block (at the library's starting dose), or put back
    a stopped one at its dose. A blocked exercise raises ``ClinicError`` with the block's reason."""
    why = clean_why(why)
    exercise = default_library().get(str(exercise_id))
    if exercise is None:
        raise ClinicError("exercise", "Choose an exercise of the library.")
    with transaction.atomic():
        person = _locked_person(person)
        version_check(person, version, clinic_id=membership.clinic_id)
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
    *, membership: Membership, person: Person, monitoring: str, why: str, version: str | None = None
) -> ProgrammeChange:
    """Switch the person's monitoring mode (PM-00, B7) and decide the programme again with it."""
    why = clean_why(why)
    if monitoring not in Monitoring.values:
        raise ClinicError("monitoring", "Choose strict or monitored.")
    with transaction.atomic():
        person = _locked_person(person)
        version_check(person, version, clinic_id=membership.clinic_id)
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
    *, membership: Membership, person: Person, rule: str, cleared: bool, why: str, version: str | None = None
) -> ProgrammeChange:
    """Give (``cleared``) or withdraw a clearance (EL-02...EL-05) and decide the programme again: the core
    decides what it unlocks. A clearance is given only for a rule the person's current decision names."""
    why = clean_why(why)
    if rule not in CLEARABLE:
        raise ClinicError("rule", "Choose one of the clearances: EL-02, EL-03, EL-04 or EL-05.")
    with transaction.atomic():
        person = _locked_person(person)
        version_check(person, version, clinic_id=membership.clinic_id)
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


def person_lock_lift(
    *, membership: Membership, person: Person, why: str, version: str | None = None
) -> ProgrammeChange:
    """Lift an emergency lock after checking the person (``person_clear_emergency_lock``, with the why as
    its note)."""
    why = clean_why(why)
    with transaction.atomic():
        person = _locked_person(person)
        version_check(person, version, clinic_id=membership.clinic_id)
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


def programme_replace(
    *,
    membership: Membership,
    person: Person,
    version: str | None,
    exercises: list[tuple[str, int, int, int]],
    why: str,
) -> list[ProgrammeChange]:
    """Make the programme's active exercises what is given (``(exercise_id, sets, reps, hold_s)``, in
    any order): an exercise not given is stopped, a new one is added at the library's starting dose and
    every dose is set. One reason for all. The version is required (the API's ``If-Match``); a refusal
    of any one change writes nothing at all. Returns the changes made (none when nothing differs)."""
    if version is None:
        raise VersionRequired(
            "Say which version of the programme you change: send the ETag of your last read in If-Match."
        )
    why = clean_why(why)
    wanted: dict[str, tuple[int, int, int]] = {}
    for exercise_id, sets, reps, hold_s in exercises:
        if exercise_id in wanted:
            raise ClinicError("exercises", f"{exercise_id} is given twice.")
        wanted[exercise_id] = (sets, reps, hold_s)
    made: list[ProgrammeChange] = []
    with transaction.atomic():
        person = _locked_person(person)
        version_check(person, version, clinic_id=membership.clinic_id)
        programme = current_programme(person)
        current = {
            i.plan_exercise_id: i
            for i in (programme.items if programme is not None else ())
            if not i.suspended
        }
        by_variant = {i.exercise_id: i.plan_exercise_id for i in current.values()}
        for plan_id in current:
            if plan_id not in wanted and current[plan_id].exercise_id not in wanted:
                made.append(
                    programme_exercise_remove(
                        membership=membership, person=person, exercise_id=plan_id, why=why
                    )
                )
        for exercise_id in wanted:
            if exercise_id not in current and exercise_id not in by_variant:
                made.append(
                    programme_exercise_add(
                        membership=membership, person=person, exercise_id=exercise_id, why=why
                    )
                )
        after = current_programme(person)
        for exercise_id, (sets, reps, hold_s) in wanted.items():
            item = _item(after, exercise_id)
            if (item.dose.sets, item.dose.reps, item.dose.hold_s) != (sets, reps, hold_s):
                made.append(
                    programme_dose_change(
                        membership=membership,
                        person=person,
                        exercise_id=exercise_id,
                        sets=sets,
                        reps=reps,
                        hold_s=hold_s,
                        why=why,
                    )
                )
    return made


def block_override(
    *,
    membership: Membership,
    person: Person,
    exercise_id: str,
    note: str,
    why: str,
    version: str | None = None,
) -> ProgrammeChange:
    """Override the block of one exercise (B26: every rule that holds it back, e.g. EL-06 and DPT-21 for
    the press-up in stenosis): the core's ``apply_override`` decides what it gives back (the exercise at
    its starting dose) and refuses when the result prescribes nothing (emergency, urgent, soon: only a
    new screen changes that). ``note`` is the clinician's clinical reason, private to the clinic (and
    exported); ``why`` is what the patient reads. Kept in the care settings, so every later decision of
    the editor applies it again."""
    why = clean_why(why)
    note = clean_note(note)
    with transaction.atomic():
        person = _locked_person(person)
        version_check(person, version, clinic_id=membership.clinic_id)
        latest = screening_latest_decided(person)
        if person.locked or latest is None or not can_redecide(person, latest):
            raise ClinicError(
                "exercise",
                "This patient's result prescribes no exercise now (emergency, urgent or soon, or no "
                "screening): no override can change that; only a new screen can.",
            )
        block = held_back(latest).get(str(exercise_id))
        if block is None:
            raise ClinicError("exercise", "Choose an exercise that is held back now.")
        rules = [str(r) for r in block.get("rules", [])]
        care = _care(person)
        at = timezone.now().isoformat()
        stored = [
            o for o in care.overrides if not (o.get("exercise_id") == exercise_id and o.get("rule") in rules)
        ]
        care.overrides = [
            *stored,
            *({"exercise_id": str(exercise_id), "rule": r, "why": why, "at": at} for r in rules),
        ]
        care.save(update_fields=["overrides", "updated_at"])
        screening = _redecide(person)
        assert screening is not None
        given = any(i.exercise_id == exercise_id for i in screening.items.all())
        change = ProgrammeChange.objects.create(
            person=person,
            clinic_id=membership.clinic_id,
            changed_by_id=membership.user_id,
            kind=ProgrammeChange.Kind.OVERRIDE,
            exercise_id=str(exercise_id),
            before={"rules": rules, "reason": str(block.get("reason", ""))},
            after={"rules": rules, "prescribed": given},
            why=why,
            note=note,
        )
        audit(
            membership=membership,
            person=person,
            action="change",
            what=f"override: {', '.join(rules)} on {exercise_id}",
        )
        return change


def clean_note(note: str) -> str:
    """The clinician's private clinical note of an override: required (B26: a written reason)."""
    text = " ".join(str(note or "").split())
    if not text:
        raise ClinicError("note", "Write your clinical reason for the override (only the clinic sees it).")
    if len(text) > WHY_MAX:
        raise ClinicError("note", f"The note can be at most {WHY_MAX} characters long.")
    if "\x00" in text:
        raise ClinicError("note", "The note has a character that cannot be stored (NUL): type it again.")
    return text
