"""Reads of check-ins and doses. ``current_programme`` is what a session follows today."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from backhome.core.model import Dose, Mode
from backhome.web.patient.models import Person, PlanItem, Screening
from backhome.web.patient.selectors import screening_latest_decided
from backhome.web.progress.models import DoseChange


@dataclass(frozen=True)
class ProgrammeItem:
    """One exercise of the current programme at its current dose.

    ``change`` is the latest dose change behind the dose (None: the screening's starting dose);
    a suspended exercise stays in the list with ``suspended`` set, so a page can say why it is missing.
    """

    position: int
    exercise_id: str
    dose: Dose
    rules: tuple[str, ...]
    change: DoseChange | None = None

    @property
    def suspended(self) -> bool:
        return self.change is not None and self.change.action == DoseChange.Action.SUSPEND


@dataclass(frozen=True)
class Programme:
    screening: Screening
    items: tuple[ProgrammeItem, ...]

    @property
    def active(self) -> tuple[ProgrammeItem, ...]:
        return tuple(i for i in self.items if not i.suspended)


def _dose(row: PlanItem | DoseChange) -> Dose:
    mode = cast(Mode | None, row.mode or None)
    return Dose(int(row.sets), int(row.reps), int(row.hold_s), bool(row.per_side), mode)


def current_programme(person: Person) -> Programme | None:
    """The programme of the person's latest decided screening, each exercise at its current dose.

    None when there is no programme: no result yet, a locked person, or a tier that prescribes nothing.
    Two queries: the screening with its items, and the dose changes of that screening.
    """
    if person.locked:
        return None
    screening = screening_latest_decided(person)
    if screening is None:
        return None
    items = list(screening.items.all())
    if not items:
        return None
    latest: dict[str, DoseChange] = {}
    for change in DoseChange.objects.filter(screening=screening).order_by("created_at", "pk"):
        latest[change.exercise_id] = change
    return Programme(
        screening=screening,
        items=tuple(
            ProgrammeItem(
                position=item.position,
                exercise_id=item.exercise_id,
                dose=_dose(latest.get(item.exercise_id) or item),
                rules=tuple(item.rules),
                change=latest.get(item.exercise_id),
            )
            for item in items
        ),
    )
