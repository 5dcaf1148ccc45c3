"""One form per screening step, built from the questions file. Checks types and ranges only: what an
answer means is the core's business."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from backhome.web.patient.questions import Question, Step, Value

YES_NO = (("yes", "Yes"), ("no", "No"))
AGREE = (("agree", "Agree"), ("disagree", "Disagree"))
SCALE = tuple((str(n), str(n)) for n in range(11))


@dataclass(frozen=True)
class Choice:
    value: str
    text: str
    checked: bool
    input_id: str


@dataclass(frozen=True)
class Row:
    """A question as its template draws it."""

    question: Question
    name: str
    input_id: str
    choices: tuple[Choice, ...]
    value: str
    errors: tuple[str, ...]


def _choices(question: Question) -> tuple[tuple[str, str], ...]:
    if question.kind == "yes_no":
        return YES_NO
    if question.kind == "agree":
        return AGREE
    if question.kind == "scale":
        return SCALE
    return tuple((_key(o.value), o.text) for o in question.options)


def _key(value: Value) -> str:
    """An answer as the form posts it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _coerce(question: Question) -> dict[str, Value]:
    if question.kind == "yes_no":
        return {"yes": True, "no": False}
    if question.kind == "agree":
        return {"agree": True, "disagree": False}
    if question.kind == "scale":
        return {str(n): n for n in range(11)}
    return {_key(o.value): o.value for o in question.options}


class _WholeNumberField(forms.IntegerField):
    """Digits 0-9 only: Python's ``int`` also reads other scripts' digits ("３" is 3), which nobody
    typing an age means and which would be stored unseen."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip() and not value.strip().isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _field(question: Question) -> forms.Field:
    if question.kind == "number":
        assert question.min is not None and question.max is not None
        message = f"Please type a whole number from {question.min} to {question.max}."
        return _WholeNumberField(
            min_value=question.min,
            max_value=question.max,
            error_messages={
                "required": "Please answer this question.",
                "invalid": message,
                "min_value": message,
                "max_value": message,
            },
        )
    table = _coerce(question)
    pick = {
        "yes_no": "Please choose Yes or No.",
        "agree": "Please choose Agree or Disagree.",
        "scale": "Please choose a number from 0 to 10.",
    }.get(question.kind, "Please choose one of the answers.")
    return forms.TypedChoiceField(
        choices=_choices(question),
        coerce=table.__getitem__,
        error_messages={"required": pick, "invalid_choice": pick},
    )


class StepForm(forms.Form):
    def __init__(
        self, step: Step, *args: Any, answers: dict[str, Value] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        answers = answers or {}
        for question in step.questions:
            self.fields[question.name] = _field(question)
            if question.field in answers:
                self.initial[question.name] = _key(answers[question.field])

    def answers(self) -> dict[str, Value]:
        """The step's answers as intake paths and values (only after ``is_valid()``)."""
        return {q.field: self.cleaned_data[q.name] for q in self.step.questions}

    def emergency_yes(self) -> dict[str, Value]:
        """Emergency questions answered Yes in this post, whatever else is missing or wrong."""
        found: dict[str, Value] = {}
        for question in self.step.questions:
            if question.emergency and self.data.get(question.name) == "yes":
                found[question.field] = True
        return found

    def rows(self) -> list[Row]:
        rows = []
        for question in self.step.questions:
            bound = self[question.name]
            value = bound.value()
            current = "" if value is None else str(value)
            input_id = f"q-{question.name}"
            choices = tuple(
                Choice(key, text, key == current, f"{input_id}-{n}")
                for n, (key, text) in enumerate(_choices(question))
            )
            rows.append(
                Row(
                    question,
                    question.name,
                    input_id,
                    choices if question.kind != "number" else (),
                    current,
                    tuple(str(e) for e in bound.errors),
                )
            )
        return rows
