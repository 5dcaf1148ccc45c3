"""B26 overrides in the editor: a clinician overrides one exercise block (an EL, DPT, TBC or ND rule
on a named exercise) with a written reason. The core decides what an override does
(``backhome.core.rules.safety.apply_override``: the exercise comes back at its starting dose once no
other rule holds it; no override changes an emergency, urgent or soon tier).

The overrides are kept in ``CareSettings.overrides`` and applied after the core decides, each time the
editor decides again (a clearance, the monitoring mode, an override) and at every decision of the patient
app (``person_overrides_apply``: a new screening, a self-check), so none is lost then; an override whose
block the new decision no longer has is kept and applies again when the block comes back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from backhome.core.contract import decision_to_json, parse_intake
from backhome.core.engine import decide
from backhome.core.library.load import default_library
from backhome.core.model import Decision
from backhome.core.rules.safety import Override, OverrideRefused, apply_override
from backhome.web.patient import services as patient_services
from backhome.web.patient.models import Person, PlanItem, Screening

#: Who an override names in the reasons the patient may read (never the clinician's login).
CLINICIAN_WORDS = "Your clinician"


def override_of(stored: Mapping[str, Any]) -> Override:
    return Override(
        exercise_id=str(stored["exercise_id"]),
        rule=str(stored["rule"]),
        reason=str(stored["why"]),
        clinician=CLINICIAN_WORDS,
        at=dt.datetime.fromisoformat(str(stored["at"])),
    )


def overrides_apply(decision: Decision, stored: Iterable[Mapping[str, Any]]) -> Decision:
    """The decision with every stored override that still applies (its block is in the decision)."""
    library = default_library()
    for entry in stored:
        try:
            decision = apply_override(decision, override_of(entry), library)
        except (OverrideRefused, KeyError, ValueError):
            continue  # the block is not in this decision (or a tier that prescribes nothing): kept for later
    return decision


def person_overrides_apply(person: Person, decision: Decision) -> Decision:
    """The decision with the person's stored overrides applied (``patient.services`` calls this after
    every decision of the core, so a new screening or self-check keeps them while their blocks hold)."""
    from backhome.web.clinic.models import CareSettings

    care = CareSettings.objects.filter(person_id=person.pk).only("overrides").first()
    if care is None or not care.overrides:
        return decision
    return overrides_apply(decision, care.overrides)


def decide_again(person: Person, latest: Screening, stored: Iterable[Mapping[str, Any]]) -> Screening:
    """A new decided screening from ``latest``'s answers and intake: the core decides with the person's
    care settings, then the overrides apply (the patient app's ``screening_redecide_with_context``, with
    the overrides after the core)."""
    assert isinstance(latest.intake, dict)
    decision = overrides_apply(
        decide(parse_intake(latest.intake), patient_services.care_context(person)), stored
    )
    screening = Screening.objects.create(
        person=person,
        answers=dict(latest.answers),
        intake=dict(latest.intake),
        decision=decision_to_json(decision),
        tier=decision.tier.value,
        decided_at=timezone.now(),
    )
    PlanItem.objects.bulk_create(
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
    )
    return screening
