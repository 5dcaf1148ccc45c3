"""The camera coach's thresholds: one TOML file per supported exercise in ``content/coach/<id>.toml``.

The counting itself is JavaScript that runs on the person's device
(``web/practice/static/practice/coach/count.js``); what it counts as "at the start" and "in
position", and what it corrects, is content, validated here by strict pydantic models and checked by
``backhome library check`` (codes ``coach-schema``, ``coach-file``). Every threshold names its source
(``S0``-``S49`` of docs/clinical-rules.md) or says ``{D}``: our design default, for a clinician to sign
off. ``docs/camera-coach.md`` documents every field.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from backhome.core.model import EXERCISE_IDS

#: The packaged coach files.
COACH_ROOT = Path(__file__).resolve().parent.parent / "content" / "coach"

#: The measures the in-browser counter knows (landmarks.js ``FEATURES``), in degrees.
Feature = Literal[
    "trunk_elevation",
    "elbow_angle",
    "hip_lift",
    "hip_flexion_max",
    "hip_flexion_min",
    "hip_flexion_other",
    "knee_flexion",
    "back_curve",
    "shoulder_flexion",
]
Phase = Literal["start", "moving", "in_position", "returning"]
Source = Annotated[str, StringConstraints(pattern=r"^(S([0-9]|[1-4][0-9])|\{D\})$")]
Said = Annotated[str, StringConstraints(min_length=2, max_length=60, pattern=r"^\S(.*\S)?$")]
Why = Annotated[str, StringConstraints(min_length=3, max_length=300, pattern=r"^\S(.*\S)?$")]
PositionName = Annotated[str, StringConstraints(pattern=r"^[a-z]+(_[a-z]+)*$", max_length=30)]

#: Problem codes of the coach files, reported by ``backhome library check``.
COACH_PROBLEM_CODES: tuple[str, ...] = ("coach-schema", "coach-file")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Threshold(_Strict):
    """One measure and the range it must be in; ``source`` says where the number comes from."""

    feature: Feature
    min: float | None = Field(default=None, ge=-180, le=180)
    max: float | None = Field(default=None, ge=-180, le=180)
    source: Source
    why: Why

    @model_validator(mode="after")
    def _a_range(self) -> Threshold:
        if self.min is None and self.max is None:
            raise ValueError("a threshold needs min, max or both")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError("min must be below max")
        return self


def _while_moving_or_held() -> list[Phase]:
    return ["moving", "in_position"]


class Correction(Threshold):
    """Said (at most once every ``speak_gap_s``) while the measure is outside its range."""

    say: Said
    during: list[Phase] = Field(default_factory=_while_moving_or_held, min_length=1)


class Position(_Strict):
    name: PositionName
    reach: list[Threshold] = Field(min_length=1)
    form: list[Threshold] = Field(default_factory=list)


class CoachDoc(_Strict):
    exercise: str
    view: Literal["side"]
    setup: Why  # where to put the phone, in the person's words
    cue: Said = "Hold"
    min_visibility: float = Field(default=0.5, ge=0.2, le=0.95)
    hysteresis: float = Field(default=4, ge=0, le=15)
    speak_gap_s: float = Field(default=4, ge=2, le=30)
    start: list[Threshold] = Field(min_length=1)
    positions: list[Position] = Field(min_length=1)
    cycle: list[PositionName] | None = None
    modes: dict[str, list[PositionName]] = Field(default_factory=dict)
    corrections: list[Correction] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> CoachDoc:
        names = [p.name for p in self.positions]
        if len(set(names)) != len(names):
            raise ValueError("two positions have the same name")
        for where, cycle in [("cycle", self.cycle or [])] + [
            (f"modes.{k}", v) for k, v in self.modes.items()
        ]:
            unknown = set(cycle) - set(names)
            if unknown:
                raise ValueError(f"{where} names unknown positions {sorted(unknown)}")
        return self


def _read(path: Path) -> tuple[CoachDoc | None, list[tuple[str, str, str]]]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return None, [("coach-file", f"coach/{path.name}", f"cannot be read: {error}")]
    try:
        doc = CoachDoc.model_validate(raw)
    except ValidationError as error:
        return None, [
            ("coach-schema", f"coach/{path.name}", f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}")
            for e in error.errors()
        ]
    if doc.exercise != path.stem:
        return None, [("coach-file", f"coach/{path.name}", f"exercise {doc.exercise!r} is not the file name")]
    if doc.exercise not in EXERCISE_IDS:
        return None, [
            ("coach-file", f"coach/{path.name}", f"{doc.exercise!r} is not an exercise of the library")
        ]
    return doc, []


def coach_problems(root: Path | None = None) -> list[tuple[str, str, str]]:
    """(code, file, message) for every problem in the coach files; [] when they are all valid."""
    problems: list[tuple[str, str, str]] = []
    for path in sorted((root or COACH_ROOT).glob("*.toml")):
        problems += _read(path)[1]
    return problems


@functools.cache
def coach_content() -> dict[str, dict[str, Any]]:
    """The valid coach files as the JSON the counter reads, by exercise id."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(COACH_ROOT.glob("*.toml")):
        doc, _ = _read(path)
        if doc is not None:
            out[doc.exercise] = doc.model_dump(mode="json", exclude_none=True)
    return out
