"""The programme editor's page (``/clinic/patients/<id>/programme/``): the programme with each exercise's
safe range, what can be added, what is held back and which clearance could lift it, the monitoring mode,
and the latest changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from backhome.core.dose import describe_dose
from backhome.core.library.load import default_library
from backhome.core.model import Dose, Range, Tier
from backhome.core.words import tier_text
from backhome.web.clinic.editor.changes import change_text
from backhome.web.clinic.editor.choices import (
    CLEARABLE,
    CLINICIAN,
    MONITORING_WORDS,
    can_redecide,
    held_back,
    starting_dose,
)
from backhome.web.clinic.models import CareSettings, Enrolment, Membership, Monitoring, ProgrammeChange
from backhome.web.clinic.selectors.timeline import ANOTHER_CLINIC
from backhome.web.clinic.words import exercise_name
from backhome.web.patient.models import Person
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.progress.selectors import Programme, ProgrammeItem, current_programme


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
                dose_words=describe_dose(item.dose, with_mode=True),
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

    blocked = held_back(screening)
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
            Addable(e.id, e.name, e.summary, describe_dose(starting_dose(e), with_mode=True))
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

    # A clinic reads who made a change and why only for its own clinicians' changes.
    history = tuple(
        ChangeLine(
            at=c.created_at,
            who=c.changed_by.get_username() if c.clinic_id == membership.clinic_id else ANOTHER_CLINIC,
            kind=c.get_kind_display(),
            text=change_text(c),
            why=c.why if c.clinic_id == membership.clinic_id else "",
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
        can_redecide=can_redecide(person, screening),
        history=history,
    )
