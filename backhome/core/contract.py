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

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
Nprs = Annotated[int, Field(ge=0, le=10)]


class _Pain(BaseModel):
    model_config = _STRICT
    back: Nprs
    leg: Nprs


class _History(BaseModel):
    model_config = _STRICT
    cancer: bool
    osteoporosis: bool
    long_term_steroids: bool
    vertebral_fracture: bool
    spinal_stenosis: bool
    disc_herniation: bool
    immunosuppression: bool
    iv_drug_use: bool
    lumbar_surgery: Literal["none", "recent", "past"]


class _Symptoms(BaseModel):
    model_config = _STRICT
    bladder_change: bool
    bowel_change: bool
    saddle_numbness: bool
    sexual_dysfunction: bool
    both_legs: bool
    major_trauma: bool
    minor_trauma: bool
    fever: bool
    unwell: bool
    weight_loss: bool
    night_pain: bool
    thoracic_pain: bool
    worse_straining: bool
    progressive_pain: bool
    lateral_shift: bool
    eased_by_bending_forward: bool
    leg_weakness: Literal["none", "stable", "worsening"]
    # B23: asked after a yes to both_legs; optional, and leaving it out never counts as "no".
    both_legs_new_or_worse: bool | None = None


class _StartBack(BaseModel):
    model_config = _STRICT
    agree: Annotated[list[bool], Field(min_length=8, max_length=8)]
    bothersome: Literal["not_at_all", "slightly", "moderately", "very_much", "extremely"]


class _Directional(BaseModel):
    model_config = _STRICT
    extension: Literal["favourable", "no_effect", "worse"] | None = None
    flexion: Literal["favourable", "no_effect", "worse"] | None = None


class _Intake(BaseModel):
    model_config = _STRICT
    schema_: Literal["backhome.intake/1"] = Field(alias="schema")
    age: Annotated[int, Field(ge=0, le=120)]
    pregnant: bool
    weeks: Annotated[int | float, Field(ge=0, le=2600, allow_inf_nan=False)]
    pain: _Pain
    distal_zone: Annotated[int, Field(ge=0, le=5)]
    numbness: bool
    history: _History
    symptoms: _Symptoms
    startback: _StartBack | None = None
    directional: _Directional | None = None


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
        "exercises": [
            {
                "id": p.exercise_id,
                "sets": p.dose.sets,
                "reps": p.dose.reps,
                "hold_s": p.dose.hold_s,
                "per_side": p.dose.per_side,
                "mode": p.dose.mode,
            }
            for p in decision.exercises
        ],
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
