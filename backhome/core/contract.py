"""The machine contract: ``backhome.intake/1`` in, ``backhome.decision/1`` out.

The intake is checked strictly (B15, fail closed): every red-flag and history answer is required,
types are not coerced (``"yes"`` is not ``true``, ``5.0`` is not ``5``), unknown fields and
out-of-range values are errors. A bad intake raises :class:`IntakeError` with one
:class:`FieldProblem` per wrong field, and no decision is made.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backhome.core.dose import dose_json
from backhome.core.model import (
    Decision,
    DirectionalResults,
    History,
    Intake,
    Pain,
    Response,
    StartBackAnswers,
    Symptoms,
)

INTAKE_SCHEMA = "backhome.intake/1"
DECISION_SCHEMA = "backhome.decision/1"

#: The deepest nesting an intake may have. A valid intake is 3 levels deep (the document, an object
#: such as ``startback``, its list of answers); anything far deeper is refused before it is checked,
#: so that a hostile document cannot exhaust the stack of the JSON decoder or of the checks.
MAX_DEPTH = 32
_TOO_DEEP = f"is nested too deeply (more than {MAX_DEPTH} levels of objects or lists)"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str  # dotted path, e.g. "history.cancer" or "startback.agree.3"
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class IntakeError(ValueError):
    """The intake is not a valid ``backhome.intake/1`` document; ``problems`` says why."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


# --------------------------------------------------------------------------- strict input models

# Each field's docstring is its description in the generated JSON Schema (backhome.core.schemas).
_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True)
Nprs = Annotated[int, Field(ge=0, le=10)]


class _Pain(BaseModel):
    model_config = _STRICT
    back: Nprs
    """Low back pain now, 0-10 numeric rating."""
    leg: Nprs
    """Leg pain now, 0-10 numeric rating."""


class _History(BaseModel):
    model_config = _STRICT
    cancer: bool
    """Has had cancer at any time."""
    osteoporosis: bool
    """Osteoporosis or fragile bones, as a clinician has said."""
    long_term_steroids: bool
    """Has taken steroid tablets for 3 months or longer."""
    vertebral_fracture: bool
    """A known broken bone of the spine."""
    spinal_stenosis: bool
    """A narrowed spinal canal in the low back (lumbar spinal stenosis), as a clinician or a scan has said."""
    disc_herniation: bool
    """A slipped or bulging disc, as a clinician or a scan has said."""
    immunosuppression: bool
    """Medicines or an illness that weaken the body's defences (chemotherapy, transplant drugs, HIV, biologic drugs)."""
    iv_drug_use: bool
    """Injects drugs into a vein."""
    lumbar_surgery: Literal["none", "recent", "past"]
    """Operation on the low back: none, recent (in the last 12 months) or past (longer ago)."""


class _Symptoms(BaseModel):
    model_config = _STRICT
    bladder_change: bool
    """Something new when passing urine: hard to start, a weak stream, not feeling it pass, not knowing when the bladder is full or empty, or new leaking."""
    bowel_change: bool
    """New loss of control of the bowels, or no longer feeling that the back passage is full."""
    saddle_numbness: bool
    """New numbness or tingling between the legs, around the back passage or the genitals."""
    sexual_dysfunction: bool
    """A new change in sexual function (erection, ejaculation, feeling in the vagina) with the back or leg pain."""
    both_legs: bool
    """Pain, numbness or weakness in both legs."""
    major_trauma: bool
    """The pain began after a major injury, such as a road collision or a fall from a height."""
    minor_trauma: bool
    """The pain began suddenly after a small fall or a lift."""
    fever: bool
    """Fever, chills or shivering together with the back pain."""
    unwell: bool
    """Feeling unwell in general."""
    weight_loss: bool
    """Losing weight without trying to."""
    night_pain: bool
    """Constant pain at night that does not ease when changing position."""
    thoracic_pain: bool
    """Pain in the middle of the back or in the neck as well."""
    worse_straining: bool
    """The pain is worse when coughing, sneezing or straining."""
    progressive_pain: bool
    """The pain is getting steadily worse from week to week."""
    lateral_shift: bool
    """The body is visibly shifted to one side and standing up straight is not possible."""
    eased_by_bending_forward: bool
    """Sitting down or bending forward eases the leg symptoms."""
    leg_weakness: Literal["none", "stable", "worsening"]
    """New weakness of one leg or foot (the foot drops, the knee gives way): none, stable, or worsening."""
    both_legs_new_or_worse: bool | None = None
    """B23: asked after a yes to both_legs: are the symptoms in both legs new, or getting worse? Optional;
    leaving it out never counts as "no"."""


class _StartBack(BaseModel):
    """The answers to the nine STarT Back topics (B6). Optional: without them the decision has no risk result."""

    model_config = _STRICT
    agree: Annotated[list[bool], Field(min_length=8, max_length=8)]
    """Topics 1-8 in order; true means agree."""
    bothersome: Literal["not_at_all", "slightly", "moderately", "very_much", "extremely"]
    """Topic 9: how bothersome the back pain has been over the last 2 weeks."""


class _Directional(BaseModel):
    """The results of the directional self-check (DPT), if it was done; each direction is optional."""

    model_config = _STRICT
    extension: Literal["favourable", "no_effect", "worse"] | None = None
    flexion: Literal["favourable", "no_effect", "worse"] | None = None


class _Intake(BaseModel):
    """One person's screening answers. Every red-flag and history answer is required, and a field the contract does not name is an error (B15: no decision from an incomplete or wrong intake)."""

    model_config = _STRICT
    schema_: Literal["backhome.intake/1"] = Field(alias="schema")
    age: Annotated[int, Field(ge=0, le=120)]
    """Age in whole years."""
    pregnant: bool
    weeks: Annotated[int | float, Field(ge=0, le=2600, allow_inf_nan=False)]
    """How many weeks this episode of back pain has lasted."""
    pain: _Pain
    distal_zone: Annotated[int, Field(ge=0, le=5)]
    """How far the symptoms reach (DPT-03): 0 nowhere, 1 the middle of the low back, 2 one side of the back or the buttock, 3 the thigh, 4 below the knee, 5 the foot or toes."""
    numbness: bool
    """Numbness or pins and needles in one leg."""
    history: _History
    symptoms: _Symptoms
    startback: _StartBack | None = None
    directional: _Directional | None = None


# --------------------------------------------------------------------------- decision document model

#: The exercise ids of B11 (``model.EXERCISE_IDS``; a test keeps the two the same).
ExerciseId = Literal[
    "prone-lying",
    "prone-on-elbows",
    "prone-press-up",
    "single-knee-to-chest",
    "double-knee-to-chest",
    "childs-pose",
    "childs-pose-side-reach",
    "cat-camel",
    "sciatic-nerve-glide",
]
#: The nerve glide's mode or cat-camel's one phase; ``model.Mode`` may name only these (a test checks).
DoseMode = Literal[None, "slider", "tensioner", "extension_only", "flexion_only"]
# The decision is what the engine writes, not what it reads: the model describes the document
# ``decision_to_json`` builds, so that its JSON Schema is generated like the intake's.
_OUT = ConfigDict(strict=True, frozen=True, use_attribute_docstrings=True)


class _Reason(BaseModel):
    model_config = _OUT
    rule: str
    text: Annotated[str, Field(min_length=1)]


class _Prescribed(BaseModel):
    model_config = _OUT
    id: ExerciseId
    sets: Annotated[int, Field(ge=1)]
    reps: Annotated[int, Field(ge=1)]
    hold_s: Annotated[int, Field(ge=0)]
    """Seconds each repetition is held (0 for an exercise that keeps moving)."""
    per_side: bool
    mode: DoseMode
    """The nerve glide's mode (ND-02, ND-03), or cat-camel kept to one phase (B29); null for every other exercise."""


class _Blocked(BaseModel):
    model_config = _OUT
    id: ExerciseId
    rules: Annotated[list[str], Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]


class _Risk(BaseModel):
    model_config = _OUT
    tool: Literal["startback"]
    total: Annotated[int, Field(ge=0, le=9)]
    psychosocial: Annotated[int, Field(ge=0, le=5)]
    category: Literal["low", "medium", "high"]


class _Decision(BaseModel):
    """What the engine decided for one intake, and every rule that shaped it (B14)."""

    model_config = _OUT
    schema_: Literal["backhome.decision/1"] = Field(alias="schema")
    tier: Literal["emergency", "urgent", "soon", "refer", "proceed"]
    """The tier of B1."""
    rules: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Z]{1,4}-[0-9]{2}[a-z]?$")]],
        Field(json_schema_extra={"uniqueItems": True}),
    ]
    """The id of every rule that fired, sorted."""
    reasons: list[_Reason]
    """For each rule that fired, a reason a patient can read."""
    exercises: list[_Prescribed]
    """The programme in the order it is done; empty for emergency, urgent and soon (B2)."""
    blocked: list[_Blocked]
    """The exercises held back, each with its rules and a plain reason."""
    risk: _Risk | None
    """The STarT Back result, or null without STarT Back answers (SB-05)."""
    monitoring: Literal["strict", "monitored"]
    """How strictly pain is checked during sessions (PM-00, B7)."""


#: The models the contract's JSON Schemas are generated from (``python -m backhome.core.schemas``).
INTAKE_MODEL: type[BaseModel] = _Intake
DECISION_MODEL: type[BaseModel] = _Decision


# --------------------------------------------------------------------------- parsing


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the field {key!r} is given twice")
        seen[key] = value
    return seen


def load_json(text: str | bytes) -> Any:
    """Parse JSON text strictly (no NaN/Infinity, no repeated keys); raise IntakeError if it is not JSON."""
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except UnicodeDecodeError:
        raise IntakeError([FieldProblem("(document)", "is not UTF-8 text")]) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise IntakeError(
            [FieldProblem("(document)", f"is not valid JSON ({error.msg} at {where})")]
        ) from None
    except RecursionError:
        # The C decoder guards its own recursion and unwinds cleanly; the document is far too deep.
        raise IntakeError([FieldProblem("(document)", _TOO_DEEP)]) from None
    except ValueError as error:
        raise IntakeError([FieldProblem("(document)", f"is not valid JSON: {error}")]) from None


def parse_intake_json(text: str | bytes) -> Intake:
    """Parse and check a ``backhome.intake/1`` JSON document."""
    return parse_intake(load_json(text))


def parse_intake(data: Any) -> Intake:
    """Check a decoded ``backhome.intake/1`` document and turn it into an :class:`Intake`."""
    if not isinstance(data, dict):
        kind = _json_kind(data)
        raise IntakeError([FieldProblem("(document)", f"must be a JSON object, not {kind}")])
    if _depth_exceeds(data, MAX_DEPTH):
        raise IntakeError([FieldProblem("(document)", _TOO_DEEP)])
    try:
        model = _Intake.model_validate(data)
    except ValidationError as error:
        raise IntakeError(_problems(error)) from None
    return _to_intake(model)


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether objects and lists nest more than ``limit`` levels; iterative, so any depth is safe."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values() if isinstance(item, dict | list))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return False


def _to_intake(m: _Intake) -> Intake:
    startback = None
    if m.startback is not None:
        startback = StartBackAnswers(agree=tuple(m.startback.agree), bothersome=m.startback.bothersome)
    directional = None
    if m.directional is not None and (m.directional.extension or m.directional.flexion):
        directional = DirectionalResults(
            extension=Response(m.directional.extension) if m.directional.extension else None,
            flexion=Response(m.directional.flexion) if m.directional.flexion else None,
        )
    return Intake(
        age=m.age,
        pregnant=m.pregnant,
        weeks=m.weeks,
        pain=Pain(back=m.pain.back, leg=m.pain.leg),
        distal_zone=m.distal_zone,
        numbness=m.numbness,
        history=History(**m.history.model_dump()),
        symptoms=Symptoms(**m.symptoms.model_dump()),
        startback=startback,
        directional=directional,
    )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _problems(error: ValidationError) -> list[FieldProblem]:
    problems: dict[str, FieldProblem] = {}
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        # pydantic reports a failing union once per member ("int", "float"); name the field once.
        loc = [p for p in loc if p not in {"int", "float", "bool", "str", "list[bool]", "_StartBack"}]
        loc = [p for p in loc if not p.startswith("constrained-")]
        path = ".".join("schema" if p == "schema_" else p for p in loc) or "(document)"
        if path in problems:
            continue
        problems[path] = FieldProblem(path, _message(item))
    return list(problems.values())


def _message(item: Any) -> str:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    got = item.get("input")
    shown = _show(got)
    if kind == "missing":
        return "is missing; every screening answer is required"
    if kind == "extra_forbidden":
        return "is not a field of backhome.intake/1"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')} (got {shown})"
    if kind in {"bool_type"}:
        return f"must be true or false (got {shown})"
    if kind in {"int_type", "int_from_float"}:
        return f"must be a whole number (got {shown})"
    if kind in {"float_type", "finite_number"}:
        return f"must be a number (got {shown})"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"must be at least {ctx.get('ge', ctx.get('gt'))} (got {shown})"
    if kind in {"less_than_equal", "less_than"}:
        return f"must be at most {ctx.get('le', ctx.get('lt'))} (got {shown})"
    if kind in {"too_short", "too_long"}:
        return f"must have exactly 8 answers (got {ctx.get('actual_length', '?')})"
    if kind in {"list_type"}:
        return f"must be a list of true/false answers (got {shown})"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"must be an object (got {shown})"
    return str(item.get("msg", "is not valid"))


def _show(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --------------------------------------------------------------------------- decision out


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The ``backhome.decision/1`` document for a decision."""
    risk = decision.risk
    return {
        "schema": DECISION_SCHEMA,
        "tier": decision.tier.value,
        "rules": list(decision.rules),
        "reasons": [{"rule": r.rule, "text": r.text} for r in decision.reasons],
        "exercises": [{"id": p.exercise_id, **dose_json(p.dose)} for p in decision.exercises],
        "blocked": [
            {"id": b.exercise_id, "rules": list(b.rules), "reason": b.reason} for b in decision.blocked
        ],
        "risk": None
        if risk is None
        else {
            "tool": "startback",
            "total": risk.total,
            "psychosocial": risk.psychosocial,
            "category": risk.category,
        },
        "monitoring": decision.monitoring.value,
    }


def dump_decision(decision: Decision) -> str:
    return json.dumps(decision_to_json(decision), indent=2, ensure_ascii=False)
