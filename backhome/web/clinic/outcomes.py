"""Outcomes at a glance (B28) on a patient's page and in the exports: pain then and now (OM-01), the
PSFS (OM-05, once the patient app records it), the ODI total a clinician enters (OM-02: the score only),
the STarT Back result in the clinician's words, and OM-08's improvement flag, which the core decides
(``outcomes.improvement_review``). Nothing is judged here; this module stores the ODI and words the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from backhome.core.rules.outcomes import improvement_review, pain_change
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.models import Membership, OutcomeScore
from backhome.web.clinic.permissions import audit
from backhome.web.patient.models import Person

#: STarT Back's categories (SB-06) in a clinician's words.
RISK_WORDS = {
    "low": "Low risk of a poor outcome",
    "medium": "Medium risk of a poor outcome: physical factors",
    "high": "High risk of a poor outcome: psychosocial factors are prominent",
}


def odi_record(
    *, membership: Membership, person: Person, value: str, measured_on: str, today: dt.date
) -> OutcomeScore:
    """Store an ODI total (0-100) a clinician measured (audited); ``ClinicError`` naming the field."""
    text = str(value or "").strip()
    # ASCII digits only: ``isdigit`` is also true of "²" (which ``int`` refuses) and "３" (which it reads)
    if not (text.isascii() and text.isdigit() and len(text) <= 3) or not 0 <= int(text) <= 100:
        raise ClinicError("odi", "The ODI total is a whole number from 0 to 100 (the percentage score).")
    try:
        day = dt.date.fromisoformat(str(measured_on or "").strip()) if measured_on else today
    except ValueError:
        raise ClinicError("odi_on", "Give the day it was measured as a date.") from None
    if day > today:
        raise ClinicError("odi_on", "The day it was measured cannot be in the future.")
    with transaction.atomic():
        score = OutcomeScore.objects.create(
            person=person,
            clinic_id=membership.clinic_id,
            instrument=OutcomeScore.Instrument.ODI,
            value=int(text),
            measured_on=day,
            entered_by_id=membership.user_id,
        )
        audit(membership=membership, person=person, action="change", what=f"ODI total entered: {int(text)}")
    return score


@dataclass(frozen=True)
class Risk:
    category: str
    total: int | None
    psychosocial: int | None

    @property
    def words(self) -> str:
        return RISK_WORDS.get(self.category, self.category)

    @property
    def numbers(self) -> str:
        parts = []
        if self.total is not None:
            parts.append(f"total {self.total} of 9")
        if self.psychosocial is not None:
            parts.append(f"psychosocial {self.psychosocial} of 5")
        return ", ".join(parts)


def risk_of(decision: Any) -> Risk | None:
    """The STarT Back result a screening's decision stored (None without STarT Back answers)."""
    risk = decision.get("risk") if isinstance(decision, dict) else None
    if not isinstance(risk, dict) or not risk.get("category"):
        return None
    total, psychosocial = risk.get("total"), risk.get("psychosocial")
    return Risk(
        category=str(risk["category"]),
        total=total if isinstance(total, int) else None,
        psychosocial=psychosocial if isinstance(psychosocial, int) else None,
    )


@dataclass(frozen=True)
class Improvement:
    """OM-08 as the core decides it, in words."""

    improved: bool
    words: str
    rules: tuple[str, ...]


def improvement_of(
    *, start: dt.date | None, today: dt.date, baseline: int | None, latest: int | None
) -> Improvement:
    """OM-08 (``improvement_review``): meaningful only when pain and one function measure reach their
    minimal important change. No function measure is stored with a minimal change the core judges yet
    (the PSFS is not asked by the web app; the ODI's MIC is not in the core), so the flag says so."""
    if start is None or baseline is None or latest is None or today < start:
        return Improvement(False, "not known yet: no pain score since the screening", ())
    review = improvement_review(start=start, today=today, baseline_pain=baseline, latest_pain=latest)
    if "OM-08" in review.rules:
        return Improvement(True, "meaningful improvement in pain and function (OM-08)", tuple(review.rules))
    lower = pain_change(baseline, latest).meaningful
    pain = "pain meaningfully lower (OM-01)" if lower else "pain not meaningfully lower"
    return Improvement(
        False, f"not shown: {pain}; no function measure the rule can judge yet", tuple(review.rules)
    )
