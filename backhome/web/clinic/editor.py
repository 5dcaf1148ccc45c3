"""The programme editor (issue 5): a clinician adjusts a patient's programme within safe bounds, gives or
withdraws clearances, switches the monitoring mode and lifts an emergency lock. Services (writes) and
selectors (reads) of those pages, and what the patient is shown afterwards.

How a change is stored, so that ``progress.selectors.current_programme`` stays the one source of the
programme (docs/clinic-actions.md):

- **Dose** (sets, reps, hold, only inside the exercise's envelope: the core's ``Envelope.contains``): a
  ``DoseChange`` with action ``hold`` at the new dose, ``rules=["clinician"]`` and the clinician's "why"
  as its reason, starting today; the ladder (DS-02...) carries on from it.
- **Remove**: a ``DoseChange`` with action ``suspend`` (the exercise stays on the list as stopped, as a
  PM-41 suspension does; no later check-in resumes it).
- **Add**: an exercise the person's current decision does not block and that is not in the programme gets
  a new ``PlanItem`` of the current screening at the library's starting dose (the glide as a slider,
  ND-02); a stopped exercise of the programme is put back with a ``hold`` ``DoseChange`` at its dose.
- **Clearances and monitoring** are ``CareSettings`` (the core's ``Context``): changing one decides the
  programme again through the core from the same answers (a new decided ``Screening``), so the core, not
  the editor, decides what a clearance unlocks. Every later decision (a new screening, a self-check) uses
  them too (``patient.services.care_context``). A new decision starts from its own doses.
- **Unlock**: ``patient.services.person_clear_emergency_lock``.

Each change is one ``ProgrammeChange`` (who, when, before, after, why) and one ``AuditEvent``. The patient
sees the changes they have not seen yet (``changes_unseen``, template ``clinic/_changes_for_patient.html``)
until ``changes_mark_seen``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from backhome.core.library.load import default_library
from backhome.core.model import Dose, Exercise, Mode, Range, Tier
from backhome.core.words import MODE_NAMES, describe_dose, tier_text
from backhome.web.clinic.models import CareSettings, Enrolment, Membership, Monitoring, ProgrammeChange
from backhome.web.clinic.permissions import audit
from backhome.web.clinic.services import ClinicError
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person, PlanItem, Screening
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.progress.models import DoseChange
from backhome.web.progress.selectors import Programme, ProgrammeItem, current_programme

#: The rule id stored with a clinician's dose change (not a rule of the spec: the clinician's decision).
CLINICIAN = "clinician"
WHY_MAX = 1000


@dataclass(frozen=True)
class Clearable:
    """A block the spec reserves to a clinician: its rule, what it is called, and what a clearance
    means in the patient's words."""

    rule: str
    title: str
    patient_words: str


#: The clearances a clinician may give (B12, B13): EL-02 pregnancy, EL-03 the nerve glide after
#: surgery, EL-04 a vertebral fracture, EL-05 osteoporosis or long-term steroids.
CLEARABLE: Mapping[str, Clearable] = {
    c.rule: c
    for c in (
        Clearable("EL-02", "Pregnancy: the programme during pregnancy", "exercising during your pregnancy"),
        Clearable(
            "EL-03", "Lumbar surgery: the sciatic nerve glide", "the nerve glide after your back surgery"
        ),
        Clearable(
            "EL-04",
            "Known vertebral fracture: extension and flexion exercises",
            "exercises that bend your back after your spinal fracture",
        ),
        Clearable(
            "EL-05",
            "Osteoporosis or long-term oral steroids: flexion stretches",
            "forward-bending stretches",
        ),
    )
}

MONITORING_WORDS = {
    Monitoring.STRICT: "Strict (PM-00, the default): stop an exercise at any rise in back or leg pain.",
    Monitoring.MONITORED: "Monitored (pain-monitoring model, PM-12/PM-13/PM-20): a small rise in back pain "
    "that settles is allowed; leg pain rising by 2 or going above 5 still stops the exercise.",
}
MONITORING_PATIENT_WORDS = {
    Monitoring.STRICT: "your exercises now use the careful setting: stop an exercise at any rise in your back "
    "or leg pain",
    Monitoring.MONITORED: "your exercises now use the pain-monitoring setting: a small rise in back pain that "
    "settles soon afterwards is all right, but stop if pain spreads down your leg or keeps rising",
}


# --------------------------------------------------------------------------- small helpers


def exercise_name(exercise_id: str) -> str:
    exercise = default_library().get(exercise_id)
    return exercise.name if exercise is not None else exercise_id


def dose_text(dose: Dose) -> str:
    text = describe_dose(dose)
    return f"{text} ({MODE_NAMES.get(dose.mode, dose.mode)})" if dose.mode else text


def dose_json(exercise_id: str, dose: Dose) -> dict[str, Any]:
    return {
        "exercise_id": exercise_id,
        "sets": dose.sets,
        "reps": dose.reps,
        "hold_s": dose.hold_s,
        "per_side": dose.per_side,
        "mode": dose.mode,
    }


def _dose_from_json(doc: Mapping[str, Any]) -> Dose:
    mode = cast(Mode | None, doc.get("mode") or None)
    return Dose(int(doc["sets"]), int(doc["reps"]), int(doc["hold_s"]), bool(doc.get("per_side")), mode)


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


def _whole(value: object, field: str, label: str) -> int:
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 4:  # "²" is a digit to isdigit(), not int()
        raise ClinicError(field, f"{label}: give a whole number.")
    return int(text)


def _range_words(label: str, allowed: Range, unit: str = "") -> str:
    return f"{label}: choose from {allowed.min} to {allowed.max}{unit}"


def starting_dose(exercise: Exercise) -> Dose:
    """The library's starting dose of an exercise added by a clinician; the nerve glide starts as a
    slider (ND-02, B8), the way the core starts it."""
    mode: Mode | None = "slider" if any(m.id == "slider" for m in exercise.modes) else None
    return exercise.envelope.start_dose(mode)


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


def _blocked(screening: Screening | None) -> dict[str, dict[str, Any]]:
    """The decision's held-back exercises by id (``{"id", "rules", "reason"}``)."""
    decision = (screening.decision if screening is not None else None) or {}
    return {str(b["id"]): b for b in decision.get("blocked", []) or () if isinstance(b, dict) and "id" in b}


def _can_redecide(person: Person, screening: Screening | None) -> bool:
    """Whether a clearance or monitoring change can be applied now by deciding again: an unlocked person
    whose latest result, with its intake, is one that prescribes (refer or proceed, B2). Emergency, urgent
    and soon results give no exercise whatever the clearances; the settings then apply to the next
    screening (``patient.services.care_context``)."""
    return (
        not person.locked
        and screening is not None
        and isinstance(screening.intake, dict)
        and screening.tier in (Tier.REFER.value, Tier.PROCEED.value)
    )


def _redecide(person: Person) -> Screening | None:
    """Decide the programme again with the person's care settings (None when it cannot be now)."""
    if not _can_redecide(person, screening_latest_decided(person)):
        return None
    screening, _ = patient_services.screening_redecide_with_context(
        person=person, context=patient_services.care_context(person)
    )
    return screening


# --------------------------------------------------------------------------- services


def programme_dose_change(
    *,
    membership: Membership,
    person: Person,
    exercise_id: str,
    sets: object,
    reps: object,
    hold_s: object,
    why: str,
    today: dt.date | None = None,
) -> ProgrammeChange:
    """Set an exercise's dose (sets, reps, hold in seconds) inside its envelope. A value outside it raises
    ``ClinicError`` naming the allowed range; nothing is saved then."""
    why = clean_why(why)
    new_sets = _whole(sets, "sets", "Sets")
    new_reps = _whole(reps, "reps", "Repetitions")
    new_hold = _whole(hold_s, "hold_s", "Hold")
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
        dose = Dose(new_sets, new_reps, new_hold, envelope.per_side, item.dose.mode)
        if not envelope.contains(dose):
            for field, label, allowed, unit, value in (
                ("sets", "Sets", envelope.sets, "", new_sets),
                ("reps", "Repetitions", envelope.reps, "", new_reps),
                ("hold_s", "Hold", envelope.hold_s, " seconds", new_hold),
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
            before=dose_json(item.exercise_id, item.dose),
            after=dose_json(item.exercise_id, dose),
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
            before=dose_json(item.exercise_id, item.dose),
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
                before={**dose_json(in_programme.exercise_id, in_programme.dose), "suspended": True},
                after=dose_json(in_programme.exercise_id, in_programme.dose),
                why=why,
                what=f"programme: put back {in_programme.exercise_id}",
            )
        block = _blocked(programme.screening).get(exercise.id)
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
            after=dose_json(exercise.id, dose),
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


# --------------------------------------------------------------------------- the patient's side


@dataclass(frozen=True)
class PatientChange:
    """One change in the patient's words: what changed, and the clinician's reason."""

    text: str
    why: str
    at: dt.datetime


def change_text(change: ProgrammeChange) -> str:
    """What a change did, in the patient's words (no rule ids, no jargon)."""
    name = exercise_name(change.exercise_id) if change.exercise_id else ""
    after, before = change.after, change.before
    if change.kind == ProgrammeChange.Kind.DOSE and isinstance(after, dict) and isinstance(before, dict):
        return (
            f"{name}: now {dose_text(_dose_from_json(after)).lower()}"
            f" (before: {dose_text(_dose_from_json(before)).lower()})"
        )
    if change.kind == ProgrammeChange.Kind.ADD and isinstance(after, dict):
        verb = "Put back" if isinstance(before, dict) else "Added"
        return f"{verb} {name}: {dose_text(_dose_from_json(after)).lower()}"
    if change.kind == ProgrammeChange.Kind.REMOVE:
        return f"Stopped {name} for now: do not do it until you are told"
    if change.kind == ProgrammeChange.Kind.MONITORING and after in Monitoring.values:
        words = MONITORING_PATIENT_WORDS[Monitoring(after)]
        return words[0].upper() + words[1:]
    if change.kind == ProgrammeChange.Kind.CLEARANCE:
        given = sorted(set(after or ()) - set(before or ()))
        taken = sorted(set(before or ()) - set(after or ()))
        if given:
            return "Gave you the go-ahead for " + " and ".join(CLEARABLE[r].patient_words for r in given)
        if taken:
            return "Withdrew the go-ahead for " + " and ".join(CLEARABLE[r].patient_words for r in taken)
    if change.kind == ProgrammeChange.Kind.UNLOCK:
        return "Checked you and lifted the stop on your exercises"
    return "Changed your programme"


def changes_unseen(person: Person | None) -> list[PatientChange]:
    """The clinicians' changes this person has not seen yet, oldest first (one query)."""
    if person is None:
        return []
    return [
        PatientChange(change_text(c), c.why, c.created_at)
        for c in ProgrammeChange.objects.filter(person=person, seen_at__isnull=True).order_by(
            "created_at", "pk"
        )
    ]


def changes_seen(person: Person, *, limit: int = 20) -> list[PatientChange]:
    """The latest clinicians' changes this person has already seen, newest first."""
    return [
        PatientChange(change_text(c), c.why, c.created_at)
        for c in ProgrammeChange.objects.filter(person=person, seen_at__isnull=False).order_by(
            "-created_at", "-pk"
        )[:limit]
    ]


# --------------------------------------------------------------------------- the editor page


@dataclass(frozen=True)
class EditorItem:
    plan_exercise_id: str
    exercise_id: str
    name: str
    dose: Dose
    dose_words: str
    suspended: bool
    since: str
    reasons: tuple[str, ...]
    sets: Range
    reps: Range
    hold_s: Range
    by_clinician: bool


@dataclass(frozen=True)
class Addable:
    exercise_id: str
    name: str
    summary: str
    dose_words: str


@dataclass(frozen=True)
class ClearanceView:
    rule: str
    title: str
    cleared: bool
    #: The rule fired in the person's current decision (it applies to their answers).
    applies: bool

    @property
    def can_give(self) -> bool:
        return self.applies and not self.cleared


@dataclass(frozen=True)
class BlockedGroup:
    """Exercises held back for the same reason, and the clearances that could lift the block."""

    names: tuple[str, ...]
    rules: tuple[str, ...]
    reason: str
    #: The clearances (reserved to a clinician, not given yet) whose control is shown with this group.
    give: tuple[ClearanceView, ...]
    #: The same, whose control is shown with an earlier group (a link to it).
    give_elsewhere: tuple[ClearanceView, ...]
    #: Clearances given already that these exercises are still held back by other rules despite.
    cleared: tuple[ClearanceView, ...]


@dataclass(frozen=True)
class ChangeLine:
    at: dt.datetime
    who: str
    kind: str
    text: str
    why: str


@dataclass(frozen=True)
class EditorPage:
    person: Person
    label: str
    locked: bool
    tier: str
    tier_title: str
    has_programme: bool
    items: tuple[EditorItem, ...]
    addable: tuple[Addable, ...]
    blocked: tuple[BlockedGroup, ...]
    monitoring: str
    monitoring_words: Mapping[str, str]
    decision_monitoring: str
    clearances: tuple[ClearanceView, ...]
    #: The rules whose "give" control is shown with the exercises they hold back.
    give_with_blocks: frozenset[str]
    can_redecide: bool
    history: tuple[ChangeLine, ...]

    @property
    def active_items(self) -> tuple[EditorItem, ...]:
        return tuple(i for i in self.items if not i.suspended)

    @property
    def stopped_items(self) -> tuple[EditorItem, ...]:
        return tuple(i for i in self.items if i.suspended)


def _since(item: ProgrammeItem) -> str:
    change = item.change
    if change is None:
        return "starting dose"
    day = change.starts_on or timezone.localdate(change.created_at)
    who = "by a clinician" if CLINICIAN in (change.rules or []) else "by the programme's rules"
    return f"since {day.day} {day:%b}, {who}"


def _editor_items(programme: Programme | None) -> tuple[EditorItem, ...]:
    library = default_library()
    out = []
    for item in programme.items if programme is not None else ():
        exercise = library[item.exercise_id]
        reasons: Iterable[Any] = item.change.reasons if item.change is not None else ()
        out.append(
            EditorItem(
                plan_exercise_id=item.plan_exercise_id,
                exercise_id=item.exercise_id,
                name=exercise.name,
                dose=item.dose,
                dose_words=dose_text(item.dose),
                suspended=item.suspended,
                since=_since(item),
                reasons=tuple(str(r.get("text", "")) for r in reasons or () if isinstance(r, dict)),
                sets=exercise.envelope.sets,
                reps=exercise.envelope.reps,
                hold_s=exercise.envelope.hold_s,
                by_clinician=CLINICIAN in item.rules,
            )
        )
    return tuple(out)


def editor_page(membership: Membership, person: Person) -> EditorPage:
    """Everything the programme editor shows for one patient of the membership's clinic."""
    library = default_library()
    programme = current_programme(person)
    screening = programme.screening if programme is not None else screening_latest_decided(person)
    decision = (screening.decision if screening is not None else None) or {}
    care = CareSettings.objects.filter(person=person).first()
    cleared = set(care.clearances) if care is not None else set()
    fired = set(decision.get("rules", []) or ())
    clearances = tuple(
        ClearanceView(c.rule, c.title, c.rule in cleared, c.rule in fired) for c in CLEARABLE.values()
    )
    by_rule = {c.rule: c for c in clearances}

    blocked = _blocked(screening)
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for exercise_id, block in blocked.items():
        key = (str(block.get("reason", "")), tuple(block.get("rules", [])))
        groups.setdefault(key, []).append(exercise_id)
    shown: set[str] = set()
    blocked_list = []
    for (reason, rules), ids in groups.items():
        reserved = [by_rule[r] for r in rules if r in by_rule]
        give = tuple(c for c in reserved if c.can_give and c.rule not in shown)
        shown.update(c.rule for c in give)
        blocked_list.append(
            BlockedGroup(
                names=tuple(exercise_name(i) for i in ids),
                rules=rules,
                reason=reason,
                give=give,
                give_elsewhere=tuple(c for c in reserved if c.can_give and c not in give),
                cleared=tuple(c for c in reserved if c.cleared),
            )
        )
    blocked_groups = tuple(blocked_list)

    items = _editor_items(programme)
    taken = {i.plan_exercise_id for i in items} | {i.exercise_id for i in items}
    addable: tuple[Addable, ...] = ()
    if programme is not None:
        addable = tuple(
            Addable(e.id, e.name, e.summary, dose_text(starting_dose(e)))
            for e in library.exercises
            if e.id not in taken and e.id not in blocked
        )

    tier = ""
    tier_title = ""
    if person.locked:
        tier, tier_title = Tier.EMERGENCY.value, tier_text(Tier.EMERGENCY).title
    elif screening is not None and screening.tier:
        tier = screening.tier
        tier_title = tier_text(Tier(tier)).title

    history = tuple(
        ChangeLine(
            at=c.created_at,
            who=c.changed_by.get_username(),
            kind=c.get_kind_display(),
            text=change_text(c),
            why=c.why,
        )
        for c in ProgrammeChange.objects.filter(person=person).select_related("changed_by")[:10]
    )
    enrolment = Enrolment.objects.filter(person=person).only("label").first()
    return EditorPage(
        person=person,
        label=(enrolment.label if enrolment is not None else "") or f"Patient {person.pk}",
        locked=person.locked,
        tier=tier,
        tier_title=tier_title,
        has_programme=programme is not None,
        items=items,
        addable=addable,
        blocked=blocked_groups,
        monitoring=care.monitoring if care is not None else Monitoring.STRICT.value,
        monitoring_words={m.value: MONITORING_WORDS[m] for m in Monitoring},
        decision_monitoring=str(decision.get("monitoring", "")),
        clearances=clearances,
        give_with_blocks=frozenset(shown),
        can_redecide=_can_redecide(person, screening),
        history=history,
    )
