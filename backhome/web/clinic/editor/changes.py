"""A clinician's changes in the patient's words (no rule ids, no jargon): the card on the plan page and
``/clinic/changes/``. Marking them seen is ``services.changes_mark_seen``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backhome.core.dose import describe_dose, dose_from_json
from backhome.web.clinic.editor.choices import CLEARABLE, MONITORING_PATIENT_WORDS
from backhome.web.clinic.models import Monitoring, ProgrammeChange
from backhome.web.clinic.words import exercise_name
from backhome.web.patient.models import Person


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
            f"{name}: now {describe_dose(dose_from_json(after), with_mode=True).lower()}"
            f" (before: {describe_dose(dose_from_json(before), with_mode=True).lower()})"
        )
    if change.kind == ProgrammeChange.Kind.ADD and isinstance(after, dict):
        verb = "Put back" if isinstance(before, dict) else "Added"
        return f"{verb} {name}: {describe_dose(dose_from_json(after), with_mode=True).lower()}"
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
