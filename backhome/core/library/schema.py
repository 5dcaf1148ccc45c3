"""The strict shape of one exercise file (``content/exercises/<id>.toml``).

Strict pydantic models: unknown fields are refused, no type is coerced (a quoted number is an
error), and every model is frozen. What can be said about one field alone lives here; what needs the
whole file or several files (links, envelopes, rule ids) lives in ``check.py``. ``docs/library.md``
documents every field.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: Words a person reads: one line, no padding, short enough for a tablet.
Line = Annotated[str, StringConstraints(min_length=3, max_length=200, pattern=r"^\S(.*\S)?$")]
Name = Annotated[str, StringConstraints(min_length=2, max_length=60, pattern=r"^\S(.*\S)?$")]
ExerciseId = Annotated[str, StringConstraints(pattern=r"^[a-z]+(-[a-z]+)*$", max_length=40)]
RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}-\d{2}$")]
SourceId = Annotated[str, StringConstraints(pattern=r"^S\d{1,3}$")]
Steps = Annotated[list[Line], Field(min_length=3, max_length=7)]

DirectionName = Literal["extension", "flexion", "both", "neural"]
ModeId = Literal["slider", "tensioner", "extension_only", "flexion_only"]

#: The closed set of contraindication tags. Each is governed by one rule of the clinical spec
#: (``check.GOVERNING_RULE``); a file must cite that rule with the tag.
ContraindicationTag = Literal[
    "spinal_stenosis",
    "vertebral_fracture",
    "osteoporosis",
    "long_term_steroids",
    "pregnancy",
    "lumbar_surgery",
    "worse_in_self_check",
]
CONTRAINDICATION_TAGS: tuple[str, ...] = get_args(ContraindicationTag)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class RangeDoc(_Strict):
    """One dimension of the dose envelope: lowest, starting, step and highest value."""

    min: Annotated[int, Field(ge=0, le=3600)]
    start: Annotated[int, Field(ge=0, le=3600)]
    step: Annotated[int, Field(ge=0, le=3600)]
    max: Annotated[int, Field(ge=0, le=3600)]


class DoseDoc(_Strict):
    """The dose envelope: sets, repeats and hold (seconds), and whether repeats are per side."""

    per_side: bool
    sets: RangeDoc
    reps: RangeDoc
    hold_s: RangeDoc

    @model_validator(mode="after")
    def _at_least_once(self) -> DoseDoc:
        if self.sets.min < 1 or self.reps.min < 1:
            raise ValueError("sets.min and reps.min must be at least 1")
        return self


class ModeDoc(_Strict):
    """A way of doing the exercise with its own, complete steps (ND-02/ND-03 glide modes, B29 cat-camel)."""

    id: ModeId
    name: Name
    rules: Annotated[list[RuleId], Field(min_length=1)]
    steps: Steps


class ContraindicationDoc(_Strict):
    """A condition that blocks the exercise, or limits it to one of its modes, until a clinician clears it."""

    tag: ContraindicationTag
    effect: Literal["block", "limit_to_mode"] = "block"
    mode: ModeId | None = None
    rules: Annotated[list[RuleId], Field(min_length=1)]
    note: Line | None = None

    @model_validator(mode="after")
    def _mode_goes_with_limit(self) -> ContraindicationDoc:
        if self.effect == "limit_to_mode" and self.mode is None:
            raise ValueError("effect 'limit_to_mode' needs a mode")
        if self.effect == "block" and self.mode is not None:
            raise ValueError("effect 'block' takes no mode")
        return self


class SourceDoc(_Strict):
    """A source id of the clinical spec's source list (S0 is the clinic's article)."""

    ref: SourceId
    note: Line | None = None


class ModeWordsDoc(_Strict):
    """A mode's words in another language: the same mode id, its name and as many steps as the English."""

    id: ModeId
    name: Name
    steps: Steps


class ExerciseWordsDoc(_Strict):
    """Every patient text of an exercise in one more language (``[translations.<code>]``)."""

    name: Name
    summary: Line
    start_position: Line
    steps: Steps
    may_feel: Annotated[list[Line], Field(min_length=1, max_length=5)]
    must_not: Annotated[list[Line], Field(min_length=1, max_length=6)]
    modes: Annotated[list[ModeWordsDoc], Field(max_length=3)] = []


class ExerciseDoc(_Strict):
    """One exercise file. English at the top level; every other language under ``translations``."""

    id: ExerciseId
    name: Name
    other_names: Annotated[list[Name], Field(max_length=6)] = []
    direction: DirectionName
    sequence: Annotated[int, Field(ge=1, le=999)]
    summary: Line
    start_position: Line
    steps: Steps
    may_feel: Annotated[list[Line], Field(min_length=1, max_length=5)]
    must_not: Annotated[list[Line], Field(min_length=1, max_length=6)]
    dose: DoseDoc
    progresses_to: ExerciseId | None = None
    regresses_to: ExerciseId | None = None
    modes: Annotated[list[ModeDoc], Field(max_length=3)] = []
    contraindications: list[ContraindicationDoc] = []
    rules: Annotated[list[RuleId], Field(min_length=1)]
    sources: Annotated[list[SourceDoc], Field(min_length=1)]
    translations: dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")], ExerciseWordsDoc] = {}

    def all_rule_ids(self) -> tuple[str, ...]:
        """Every rule id the file cites, in the order they first appear."""
        cited = [*self.rules]
        for mode in self.modes:
            cited.extend(mode.rules)
        for item in self.contraindications:
            cited.extend(item.rules)
        return tuple(dict.fromkeys(cited))
