"""Keyframes of every exercise: loaded from ``backhome/core/content/poses/<id>.toml`` and validated.

A poses file names the positions that teach an exercise (``[poses.<name>]``: the pelvis direction and
the joint angles, in degrees), the panels of the printed sheet, the arrows and the place where the
stretch is felt, and one or more timelines: the order of phases (``move`` into position, ``hold``,
``return``, ``rest``) with their duration in seconds. A ``hold`` step without ``seconds`` lasts the
dose's hold time. See ``docs/illustrations.md``.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from backhome.illustrate import body

POSES_DIR = Path(__file__).resolve().parent.parent / "core" / "content" / "poses"

Phase = Literal["move", "hold", "return", "rest"]
PHASES: tuple[Phase, ...] = ("move", "hold", "return", "rest")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PoseSpec(_Strict):
    caption: str = Field(min_length=3)
    view: body.View | None = None
    pelvis: float
    angles: dict[str, float] = Field(default_factory=dict)


class StretchSpec(_Strict):
    """Where the stretch should be felt: an ellipse in a segment's frame."""

    segment: str
    view: body.View = "side"
    x: float
    y: float = 0.0
    rx: float = 10.0
    ry: float = 7.0
    label: str = Field(min_length=3)


class ArrowSpec(_Strict):
    point: str
    offset: float = 12.0  # how far from the body the arrow runs (negative: the other side)


class PanelSpec(_Strict):
    pose: str
    ghost: str | None = None  # an earlier pose drawn faintly behind
    arrows: list[ArrowSpec] = Field(default_factory=list)
    stretch: bool = False
    label: str | None = None  # e.g. "Seen from above"


class StepSpec(_Strict):
    phase: Phase
    to: str | None = None  # the pose reached at the end of this step; None: stay where you are
    seconds: float | None = Field(default=None, gt=0, le=120)
    caption: str | None = None


class PosesFile(_Strict):
    exercise: str
    title: str = Field(min_length=3)
    alt: str = Field(min_length=20)
    anchor: str = "hip"
    per_side: bool = False
    drawn_side: Literal["right", "left"] = "right"
    hold_s: float = Field(gt=0, le=120)
    view: body.View = "side"
    start: str = "start"
    hold_pose: str = "end"
    poses: dict[str, PoseSpec]
    stretch: list[StretchSpec] = Field(default_factory=list)
    panels: list[PanelSpec] = Field(min_length=2)
    #: Panels for one mode (a timeline name), where the mode is drawn differently from ``panels``:
    #: the nerve glide's slider and tensioner, cat-camel's single phases.
    mode_panels: dict[str, list[PanelSpec]] = Field(default_factory=dict)
    #: A moving exercise with no sustained hold (the nerve glide, ND-04): its timelines have no
    #: ``hold`` phase, so that the player never says "Hold" for it.
    moving: bool = False
    timelines: dict[str, list[StepSpec]]

    @field_validator("timelines")
    @classmethod
    def _has_default(cls, value: dict[str, list[StepSpec]]) -> dict[str, list[StepSpec]]:
        if "default" not in value:
            raise ValueError("a 'default' timeline is required")
        return value

    @model_validator(mode="after")
    def _refs(self) -> PosesFile:
        names = set(self.poses)
        every_panel = [*self.panels, *(p for panels in self.mode_panels.values() for p in panels)]
        for ref in [self.start, self.hold_pose] + [p.pose for p in every_panel]:
            if ref not in names:
                raise ValueError(f"pose {ref!r} is not defined")
        for panel in every_panel:
            if panel.ghost is not None and panel.ghost not in names:
                raise ValueError(f"ghost pose {panel.ghost!r} is not defined")
        for mode, panels in self.mode_panels.items():
            if mode not in self.timelines or mode == "default":
                raise ValueError(f"mode_panels {mode!r} is not a mode with a timeline")
            if len(panels) < 2:
                raise ValueError(f"mode_panels {mode!r} needs at least 2 panels")
        for mode, steps in self.timelines.items():
            if not steps:
                raise ValueError(f"timeline {mode!r} is empty")
            for step in steps:
                if step.to is not None and step.to not in names:
                    raise ValueError(f"timeline {mode!r} goes to an unknown pose {step.to!r}")
                if step.seconds is None and not (step.phase == "hold" and step.to is None):
                    raise ValueError(f"timeline {mode!r}: only a plain hold may leave out seconds")
            holds = any(s.phase == "hold" for s in steps)
            if self.moving and holds:
                raise ValueError(f"timeline {mode!r} has a hold phase, but the exercise keeps moving")
            if not self.moving and not holds:
                raise ValueError(f"timeline {mode!r} has no hold phase")
        return self


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a timeline with its pose at the end and its duration."""

    phase: Phase
    pose: str
    seconds: float
    caption: str
    moving: bool  # False for a plain hold or rest


@dataclass(frozen=True, slots=True)
class Illustration:
    """The validated keyframes of one exercise."""

    spec: PosesFile

    @property
    def id(self) -> str:
        return self.spec.exercise

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def alt(self) -> str:
        return self.spec.alt

    @property
    def modes(self) -> tuple[str, ...]:
        """Timeline names other than ``default`` (e.g. ``slider``, ``tensioner``, ``extension_only``)."""
        return tuple(m for m in self.spec.timelines if m != "default")

    def panels(self, mode: str | None = None) -> tuple[PanelSpec, ...]:
        """The teaching panels for a mode: its own where the file gives them, else the default ones."""
        if mode is not None and mode != "default" and mode not in self.spec.timelines:
            raise ValueError(f"{self.id} has no mode {mode!r}; it has {sorted(self.spec.timelines)}")
        return tuple(self.spec.mode_panels.get(mode or "default", self.spec.panels))

    def view_of(self, name: str) -> body.View:
        return self.spec.poses[name].view or self.spec.view

    def raw_pose(self, name: str) -> body.Pose:
        spec = self.spec.poses[name]
        return body.Pose(self.view_of(name), spec.pelvis, expand_angles(spec.angles, self.view_of(name)))

    def pose(self, name: str) -> body.Pose:
        """The pose resting on the floor with the anchor point at x = 0."""
        return body.placed(self.raw_pose(name), self.anchor_for(self.view_of(name)))

    def anchor_for(self, view: body.View) -> str:
        return self.spec.anchor if self.spec.anchor in body.SKELETONS[view].points else "hip"

    def timeline(self, mode: str | None = None, hold_s: float | None = None) -> tuple[Step, ...]:
        """The steps of one cycle; a plain hold lasts ``hold_s`` (default: the file's dose)."""
        steps = self.spec.timelines[mode or "default"]
        hold = hold_s if hold_s is not None else self.spec.hold_s
        out: list[Step] = []
        current = self.spec.start
        for s in steps:
            pose = s.to or current
            seconds = s.seconds if s.seconds is not None else hold
            caption = s.caption or _default_caption(s.phase, seconds)
            out.append(Step(s.phase, pose, float(seconds), caption, s.to is not None and s.to != current))
            current = pose
        return tuple(out)

    def cycle_seconds(self, mode: str | None = None, hold_s: float | None = None) -> float:
        return sum(s.seconds for s in self.timeline(mode, hold_s))

    def phase_seconds(self, mode: str | None = None, hold_s: float | None = None) -> dict[str, float]:
        """How long each phase lasts in one cycle: what a session player needs to time its classes."""
        out: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        for s in self.timeline(mode, hold_s):
            out[s.phase] += s.seconds
        return out


def _default_caption(phase: Phase, seconds: float) -> str:
    return {
        "move": "Move into position",
        "hold": f"Hold for {seconds:g} seconds",
        "return": "Come back slowly",
        "rest": "Relax",
    }[phase]


def expand_angles(angles: Mapping[str, float], view: body.View) -> dict[str, float]:
    """``hip = 90`` means both hips unless ``hip_far`` (or ``hip_near``) says otherwise."""
    joints = body.SKELETONS[view].joints
    out: dict[str, float] = {}
    for key, value in angles.items():
        if key in joints:
            continue
        pair = [f"{key}_{s}" for s in ("near", "far", "left", "right") if f"{key}_{s}" in joints]
        if not pair:
            out[key] = float(value)  # unknown: reported by body.joint_problems
        for k in pair:
            out[k] = float(value)
    for key, value in angles.items():
        if key in joints:
            out[key] = float(value)
    return out


class PosesError(ValueError):
    """A poses file that does not load; the message names the file and the problem."""


def load_file(path: Path) -> Illustration:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        spec = PosesFile.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise PosesError(f"{path.name}: {exc}") from exc
    if spec.exercise != path.stem:
        raise PosesError(f"{path.name}: exercise {spec.exercise!r} does not match the file name")
    ill = Illustration(spec)
    problems = check(ill)
    if problems:
        raise PosesError(f"{path.name}: " + "; ".join(problems))
    return ill


def check(ill: Illustration) -> list[str]:
    """Problems with the content of a loaded file: joint limits, unknown segments and points."""
    problems: list[str] = []
    for name in ill.spec.poses:
        pose = ill.raw_pose(name)
        problems += [f"pose {name!r}: {p}" for p in body.joint_problems(pose)]
    for panel in (*ill.spec.panels, *(p for panels in ill.spec.mode_panels.values() for p in panels)):
        view = ill.view_of(panel.pose)
        for arrow in panel.arrows:
            if arrow.point not in body.SKELETONS[view].points:
                problems.append(f"panel {panel.pose!r}: unknown arrow point {arrow.point!r}")
        if panel.ghost and ill.view_of(panel.ghost) != view:
            problems.append(f"panel {panel.pose!r}: ghost {panel.ghost!r} is drawn in another view")
    for mode, steps in ill.spec.timelines.items():
        views = {ill.view_of(ill.spec.start)} | {ill.view_of(s.to) for s in steps if s.to}
        if len(views) > 1:
            problems.append(f"timeline {mode!r} mixes views {sorted(views)}")
    for st in ill.spec.stretch:
        if not any(st.segment == s.name for sk in body.SKELETONS.values() for s in sk.segments):
            problems.append(f"stretch: unknown segment {st.segment!r}")
    return problems


@functools.cache
def load(exercise_id: str) -> Illustration:
    path = POSES_DIR / f"{exercise_id}.toml"
    if not path.is_file():
        raise KeyError(f"no poses for exercise {exercise_id!r}")
    return load_file(path)


def available() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in POSES_DIR.glob("*.toml")))
