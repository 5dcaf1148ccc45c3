"""The screening questions (content/questionnaires/screening.toml), strictly checked, and the mapping
from answers to a ``backhome.intake/1`` document.

Each question names the intake field it fills as a dotted path (``symptoms.saddle_numbness``,
``startback.agree.3``). The nine "how back pain affects you" topics are worded in startback.toml (B6);
a step lists them by item number (0-7 agree/disagree, 8 the bothersome question) and they are expanded
here, so the wording lives in one place.
"""

from __future__ import annotations

import dataclasses
import tomllib
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backhome.core.contract import INTAKE_SCHEMA
from backhome.core.model import History, Intake, Pain, Symptoms
from backhome.core.questionnaires import startback_topics
from backhome.core.rules.triage import EMERGENCY_QUESTIONS

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)

Kind = Literal["yes_no", "choice", "number", "scale", "zone", "agree"]
Value = bool | int | float | str

_NESTED = {"pain": Pain, "history": History, "symptoms": Symptoms}
_OPTIONAL = {"startback", "directional"}


def required_intake_fields() -> tuple[str, ...]:
    """Every answer a ``backhome.intake/1`` document must hold, as dotted paths (from the core's model)."""
    found: list[str] = []
    for item in dataclasses.fields(Intake):
        if item.name in _OPTIONAL:
            continue
        if item.name in _NESTED:
            # A sub-answer with a default is optional in the contract (B23's both_legs_new_or_worse).
            found.extend(
                f"{item.name}.{sub.name}"
                for sub in dataclasses.fields(_NESTED[item.name])
                if sub.default is dataclasses.MISSING
            )
        else:
            found.append(item.name)
    return tuple(found)


STARTBACK_FIELDS: tuple[str, ...] = (*(f"startback.agree.{i}" for i in range(8)), "startback.bothersome")
KNOWN_FIELDS = frozenset(required_intake_fields()) | frozenset(STARTBACK_FIELDS)
#: The answers that decide an emergency on their own (the core's list), as intake paths.
EMERGENCY_FIELDS = {f"symptoms.{name}": name for name in EMERGENCY_QUESTIONS}


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str | int | float
    text: Annotated[str, Field(min_length=1)]


class Question(BaseModel):
    model_config = _STRICT
    field: str
    kind: Kind
    text: Annotated[str, Field(min_length=5)]
    hint: str = ""
    options: list[Option] = []
    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.field not in KNOWN_FIELDS:
            raise ValueError(f"{self.field!r} is not a field of {INTAKE_SCHEMA}")
        wants_options = self.kind in {"choice", "zone"}
        if wants_options != bool(self.options):
            raise ValueError(f"{self.field}: options are for choice and zone questions, and they need them")
        if (self.kind == "number") != (self.min is not None and self.max is not None):
            raise ValueError(f"{self.field}: min and max are for number questions, and they need both")
        if self.kind == "zone" and [o.value for o in self.options] != list(range(6)):
            raise ValueError(f"{self.field}: a zone question has the options 0-5 in order")
        return self

    @property
    def name(self) -> str:
        """The form field's name: the dotted path with underscores."""
        return self.field.replace(".", "__")

    @property
    def emergency(self) -> bool:
        return self.field in EMERGENCY_FIELDS


class Step(BaseModel):
    model_config = _STRICT
    id: Annotated[str, Field(pattern=r"^[a-z][a-z-]*$")]
    title: str
    intro: str = ""
    warning_signs: bool = False
    questions: list[Question] = []
    startback: list[Annotated[int, Field(ge=0, le=8)]] = []

    @model_validator(mode="after")
    def _has_questions(self) -> Step:
        if bool(self.questions) == bool(self.startback):
            raise ValueError(f"step {self.id}: give either questions or startback items")
        return self


class Screening(BaseModel):
    model_config = _STRICT
    id: Literal["screening"]
    title: str
    steps: Annotated[list[Step], Field(min_length=1)]

    @model_validator(mode="after")
    def _each_field_once(self) -> Screening:
        ids = [step.id for step in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError("step ids must be unique")
        fields = [q.field for step in self.steps for q in step.questions]
        doubled = sorted({f for f in fields if fields.count(f) > 1})
        if doubled:
            raise ValueError(f"asked more than once: {doubled}")
        return self


def _expand_startback(step: Step) -> Step:
    if not step.startback:
        return step
    topics = startback_topics()
    questions = []
    for item in step.startback:
        if item < 8:
            questions.append(
                Question(field=f"startback.agree.{item}", kind="agree", text=topics.agree[item].text)
            )
        else:
            options = [Option(value=o.value, text=o.text) for o in topics.bothersome.options]
            questions.append(
                Question(
                    field="startback.bothersome", kind="choice", text=topics.bothersome.text, options=options
                )
            )
    intro = f"{topics.recall} {step.intro}".strip()
    return step.model_copy(update={"questions": questions, "startback": [], "intro": intro})


def load_screening(text: str) -> Screening:
    raw = Screening.model_validate(tomllib.loads(text))
    expanded = raw.model_copy(update={"steps": [_expand_startback(s) for s in raw.steps]})
    return Screening.model_validate(expanded.model_dump())


@cache
def screening() -> Screening:
    text = (
        resources.files("backhome.core.content")
        .joinpath("questionnaires")
        .joinpath("screening.toml")
        .read_text("utf-8")
    )
    return load_screening(text)


def step_ids() -> tuple[str, ...]:
    return tuple(step.id for step in screening().steps)


def get_step(step_id: str) -> Step | None:
    return next((step for step in screening().steps if step.id == step_id), None)


def step_number(step_id: str) -> int:
    """1-based position of a step."""
    return step_ids().index(step_id) + 1


def asked_fields() -> tuple[str, ...]:
    return tuple(q.field for step in screening().steps for q in step.questions)


def intake_document(answers: dict[str, Value]) -> dict[str, Any]:
    """The ``backhome.intake/1`` document for a complete set of flat answers (``{"pain.back": 5, ...}``).

    A pure re-shaping: no answer is changed, added or inferred. Missing answers stay missing, so the
    core's strict parser (B15) reports them.
    """
    doc: dict[str, Any] = {"schema": INTAKE_SCHEMA}
    agree: dict[int, Value] = {}
    for path, value in answers.items():
        parts = path.split(".")
        if parts[:2] == ["startback", "agree"]:
            agree[int(parts[2])] = value
            continue
        target = doc
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    if agree:
        doc.setdefault("startback", {})["agree"] = [agree.get(i) for i in range(8)]
    return doc
