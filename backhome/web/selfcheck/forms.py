"""The self-check's measurements (DPT-03) as forms, drawn like the screening's questions.

The questions are the screening's own (``pain.back``, ``pain.leg``, ``distal_zone`` with its plain zone
labels, ``numbness``), so the scales and the body diagram look and read the same, and the patient app's
``StepForm`` checks types and ranges. Only the wording of the question changes with the moment.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from backhome.core.model import PainCheck
from backhome.web.patient import questions
from backhome.web.patient.forms import StepForm

#: The words of each moment, in the question texts ("... right now?", "... this morning?").
MOMENTS = {
    "before": "right now, before you start",
    "after": "right now, straight after the movements",
    "recheck": "now, after your rest",
    "during": "right now",
    "morning": "this morning",
}
_FIELDS = ("pain.back", "pain.leg", "distal_zone", "numbness")
_MORNING_FIELDS = ("pain.back", "pain.leg", "distal_zone")


def _screening_question(field: str) -> questions.Question:
    for step in questions.screening().steps:
        for question in step.questions:
            if question.field == field:
                return question
    raise LookupError(f"the screening does not ask {field}")


@cache
def measurement_step(moment: str) -> questions.Step:
    """A form step with the screening's questions for one moment of the check."""
    when = MOMENTS[moment]
    texts = {
        "pain.back": f"How bad is the pain in your lower back {when}?",
        "pain.leg": f"How bad is the pain in your leg {when}?",
        "distal_zone": f"How far down does your pain, tingling or numbness reach {when}?",
        "numbness": f"Do you have numbness, or pins and needles, in your leg {when}?",
    }
    fields = _MORNING_FIELDS if moment == "morning" else _FIELDS
    asked = [_screening_question(f).model_copy(update={"text": texts[f]}) for f in fields]
    return questions.Step(id=f"self-check-{moment}", title=moment, questions=asked)


class MeasurementForm(StepForm):
    """Back pain 0-10, leg pain 0-10, zone 0-5 and numbness yes/no (DPT-03); the morning form has no
    numbness question (DPT-12 compares back, leg and zone)."""

    def __init__(self, moment: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(measurement_step(moment), *args, **kwargs)
        self.moment = moment

    def values(self) -> dict[str, Any]:
        """``{"back", "leg", "zone"[, "numbness"]}`` (only after ``is_valid()``)."""
        answers = self.answers()
        values = {"back": answers["pain.back"], "leg": answers["pain.leg"], "zone": answers["distal_zone"]}
        if "numbness" in answers:
            values["numbness"] = answers["numbness"]
        return values

    def pain_check(self) -> PainCheck:
        values = self.values()
        return PainCheck(values["back"], values["leg"], values["zone"], values["numbness"])


def client_uuid(data: Any, name: str) -> uuid.UUID:
    """The hidden client UUID of a form. Raises ``ValueError`` naming the field."""
    raw = data.get(name, "")
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise ValueError(f"{name} must be a UUID, got {raw!r}") from None
