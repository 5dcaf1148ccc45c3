"""What the programme editor offers and checks against: the clearances reserved to a clinician, the
monitoring modes in the clinician's and the patient's words, the dose an added exercise starts at, what
the person's decision holds back, and whether a clearance can be applied now by deciding again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backhome.core.model import Dose, Exercise, Mode, Tier
from backhome.web.clinic.models import Monitoring
from backhome.web.patient.models import Person, Screening

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


def starting_dose(exercise: Exercise) -> Dose:
    """The library's starting dose of an exercise added by a clinician; the nerve glide starts as a
    slider (ND-02, B8), the way the core starts it."""
    mode: Mode | None = "slider" if any(m.id == "slider" for m in exercise.modes) else None
    return exercise.envelope.start_dose(mode)


def held_back(screening: Screening | None) -> dict[str, dict[str, Any]]:
    """The decision's held-back exercises by id (``{"id", "rules", "reason"}``)."""
    decision = (screening.decision if screening is not None else None) or {}
    return {str(b["id"]): b for b in decision.get("blocked", []) or () if isinstance(b, dict) and "id" in b}


def can_redecide(person: Person, screening: Screening | None) -> bool:
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
