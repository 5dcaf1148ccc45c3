"""Builders for intakes, and the personas every test uses.

Personas (the same names everywhere): Dana, 38, a bulging disc with pain into the thigh; Walt, 72,
spinal stenosis with leg pain on walking. ``intake_doc`` builds a ``backhome.intake/1`` document
with nothing wrong, changed only where a test says.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from backhome.core.contract import parse_intake
from backhome.core.model import Intake

REPO = Path(__file__).resolve().parent.parent
#: The contract's example intakes, each beside what it must decide (``NAME.expect.txt``).
EXAMPLES = REPO / "examples" / "contract"
#: The project's clinical rules: every rule id, binding decision and source the code cites.
CLINICAL_RULES = REPO / "docs" / "clinical-rules.md"

NO_HISTORY = {
    "cancer": False,
    "osteoporosis": False,
    "long_term_steroids": False,
    "vertebral_fracture": False,
    "spinal_stenosis": False,
    "disc_herniation": False,
    "immunosuppression": False,
    "iv_drug_use": False,
    "lumbar_surgery": "none",
}
NO_SYMPTOMS = {
    "bladder_change": False,
    "bowel_change": False,
    "saddle_numbness": False,
    "sexual_dysfunction": False,
    "both_legs": False,
    "major_trauma": False,
    "minor_trauma": False,
    "fever": False,
    "unwell": False,
    "weight_loss": False,
    "night_pain": False,
    "thoracic_pain": False,
    "worse_straining": False,
    "progressive_pain": False,
    "lateral_shift": False,
    "eased_by_bending_forward": False,
    "leg_weakness": "none",
}
#: The red-flag yes/no questions of the screen (symptoms and history), for property tests.
RED_FLAG_QUESTIONS: tuple[tuple[str, str], ...] = tuple(
    [
        ("symptoms", k)
        for k in NO_SYMPTOMS
        if k not in {"leg_weakness", "eased_by_bending_forward", "lateral_shift"}
    ]
    + [
        ("history", k)
        for k in ("cancer", "osteoporosis", "long_term_steroids", "immunosuppression", "iv_drug_use")
    ]
)

BASE: dict[str, Any] = {
    "schema": "backhome.intake/1",
    "age": 40,
    "pregnant": False,
    "weeks": 3,
    "pain": {"back": 4, "leg": 0},
    "distal_zone": 1,
    "numbness": False,
    "history": NO_HISTORY,
    "symptoms": NO_SYMPTOMS,
}


def intake_doc(base: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A copy of ``base`` (a clean intake by default) with ``changes``; nested dicts are merged."""
    doc = copy.deepcopy(base if base is not None else BASE)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key].update(value)
        else:
            doc[key] = value
    return doc


def make_intake(base: dict[str, Any] | None = None, **changes: Any) -> Intake:
    return parse_intake(intake_doc(base, **changes))


DANA = intake_doc(
    age=38,
    pain={"back": 5, "leg": 4},
    distal_zone=3,
    history={"disc_herniation": True},
)
WALT = intake_doc(
    age=72,
    weeks=30,
    pain={"back": 3, "leg": 4},
    distal_zone=3,
    history={"spinal_stenosis": True},
    symptoms={"eased_by_bending_forward": True},
)


def dana(**changes: Any) -> Intake:
    return make_intake(DANA, **changes)


def walt(**changes: Any) -> Intake:
    return make_intake(WALT, **changes)
