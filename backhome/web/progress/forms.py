"""The morning check-in form. It checks types and ranges only: what the answers mean is the core's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django import forms

from backhome.web.patient.forms import Choice
from backhome.web.progress.models import Stiffness
from backhome.web.progress.selectors import STIFFNESS_WORDS, zone_words

SCALE = tuple((str(n), str(n)) for n in range(11))


@dataclass(frozen=True)
class Ask:
    """What ``patient/_question.html`` reads of a question."""

    kind: str  # scale, zone or choice
    text: str
    hint: str = ""
    emergency: bool = False


@dataclass(frozen=True)
class Row:
    """A question as ``patient/_question.html`` draws it (the screening's look and markup)."""

    question: Ask
    name: str
    input_id: str
    choices: tuple[Choice, ...]
    value: str
    errors: tuple[str, ...]


ASK = {
    "back": Ask(
        "scale",
        "How bad is the pain in your lower back this morning?",
        "0 means no pain at all. 10 means the worst pain you can imagine.",
    ),
    "leg": Ask(
        "scale",
        "How bad is the pain in your leg this morning?",
        "If both legs hurt, think of the worse one. 0 means no pain at all.",
    ),
    "zone": Ask(
        "zone",
        "How far down does your pain, tingling or numbness reach this morning?",
        "Choose the lowest place where you feel it.",
    ),
    "stiffness": Ask("choice", "How long did your back stay stiff after you got up?"),
}
MESSAGES = {
    "back": "Please choose how bad your back pain is, from 0 to 10.",
    "leg": "Please choose how bad your leg pain is, from 0 to 10 (0 if your leg does not hurt).",
    "zone": "Please choose how far down your pain, tingling or numbness reaches.",
    "stiffness": "Please choose how long your back stayed stiff.",
    "id": "This form could not be matched to your check-in. Please answer the questions again.",
}


def _choice_field(
    name: str, choices: tuple[tuple[str, str], ...], coerce: Any = str
) -> forms.TypedChoiceField:
    message = MESSAGES[name]
    return forms.TypedChoiceField(
        choices=choices, coerce=coerce, error_messages={"required": message, "invalid_choice": message}
    )


class CheckInForm(forms.Form):
    back = _choice_field("back", SCALE, int)
    leg = _choice_field("leg", SCALE, int)
    zone = _choice_field("zone", tuple((str(k), v) for k, v in zone_words().items()), int)
    stiffness = _choice_field("stiffness", tuple((s, STIFFNESS_WORDS[s]) for s in Stiffness.values))
    id = forms.UUIDField(error_messages={"required": MESSAGES["id"], "invalid": MESSAGES["id"]})

    def rows(self) -> list[Row]:
        rows = []
        for name, ask in ASK.items():
            bound = self[name]
            value = bound.value()
            current = "" if value is None else str(value)
            input_id = f"q-{name}"
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            choices = tuple(
                Choice(str(key), str(text), str(key) == current, f"{input_id}-{n}")
                for n, (key, text) in enumerate(cast(Sequence[tuple[object, object]], field.choices))
            )
            rows.append(Row(ask, name, input_id, choices, current, tuple(str(e) for e in bound.errors)))
        return rows
