"""A 2D body model: segments, lengths, joint limits and forward kinematics.

Pure Python, no I/O. Lengths are in centimetres of a 170 cm adult (rounded from the usual
anthropometric proportions); angles are in degrees. The model coordinate system has x to the right
and y *up*; the floor (or mat) is the line y = 0. The renderer flips y.

Two views share the same machinery:

* ``side`` — the sagittal plane, seen from the person's right side. Upright, the figure faces +x.
  The trunk has three segments (pelvis, lumbar, thorax) so flexion and extension of the lower back
  show as angles between them. Limbs come as a pair: ``near`` (the right side, towards the viewer)
  and ``far`` (the left side, drawn lighter, behind the trunk).
* ``top`` — seen from above, for the sideways reach of child's pose (a sideways bend cannot be seen
  from the side). The head points to +x; the person's left side is +y.

Every segment has a local frame: x runs from its proximal joint to its distal joint. A child's frame
is its parent's frame moved to ``attach`` and turned by ``base + sign * angle``; ``sign`` is chosen so
that a positive angle is *flexion* (or, in the top view, a turn towards the person's left).
Each segment carries its body shapes (tapered capsules in the local frame), so drawing and the
geometric checks use exactly the same outline.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

View = Literal["side", "top"]
Layer = Literal["far", "mid", "near", "front"]


@dataclass(frozen=True, slots=True)
class Capsule:
    """Two circles joined by their outer tangents: the shape of every body part."""

    x0: float
    y0: float
    r0: float
    x1: float
    y1: float
    r1: float


@dataclass(frozen=True, slots=True)
class Joint:
    name: str
    minimum: float
    maximum: float
    meaning: str  # what a positive angle means, in words

    def contains(self, angle: float) -> bool:
        return self.minimum - 1e-9 <= angle <= self.maximum + 1e-9


@dataclass(frozen=True, slots=True)
class Segment:
    name: str  # unique within a skeleton, e.g. "thigh_near"
    parent: str | None
    joint: str | None  # the pose key that turns it, e.g. "hip_near"; None for the root
    attach: tuple[float, float]  # where it hangs, in the parent's frame
    base: float  # turn from the parent's frame at angle 0
    sign: int
    length: float
    shapes: tuple[Capsule, ...]
    layer: Layer
    label: str  # plain words, for text alternatives and highlights


@dataclass(frozen=True, slots=True)
class Skeleton:
    view: View
    segments: tuple[Segment, ...]  # parents before children
    joints: Mapping[str, Joint]
    points: Mapping[str, tuple[str, float, float]]  # name -> (segment, x, y) in its frame

    def segment(self, name: str) -> Segment:
        for seg in self.segments:
            if seg.name == name:
                return seg
        raise KeyError(name)

    def children(self, name: str | None) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.parent == name)


@dataclass(frozen=True, slots=True)
class Frame:
    """A segment's placement in the world: its origin (proximal joint) and direction in degrees."""

    x: float
    y: float
    angle: float

    def apply(self, px: float, py: float) -> tuple[float, float]:
        c, s = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        return self.x + c * px - s * py, self.y + s * px + c * py


@dataclass(frozen=True, slots=True)
class WorldCapsule:
    segment: str
    x0: float
    y0: float
    r0: float
    x1: float
    y1: float
    r1: float

    @property
    def bottom(self) -> float:
        return min(self.y0 - self.r0, self.y1 - self.r1)

    @property
    def top(self) -> float:
        return max(self.y0 + self.r0, self.y1 + self.r1)

    @property
    def left(self) -> float:
        return min(self.x0 - self.r0, self.x1 - self.r1)

    @property
    def right(self) -> float:
        return max(self.x0 + self.r0, self.x1 + self.r1)


def _cap(x0: float, y0: float, r0: float, x1: float, y1: float, r1: float) -> Capsule:
    return Capsule(x0, y0, r0, x1, y1, r1)


# --------------------------------------------------------------------------- side view
# Trunk frames: x points to the head, -y is the front (anterior). Limb frames hanging down: +y is
# the front. Lengths: pelvis 12 (hip to L5/S1), lumbar 18, thorax 26, upper arm 28, forearm 23,
# hand 14, thigh 42, shank 42, foot 19 (ankle to toes; the heel sticks out behind).

_SIDE_JOINTS: dict[str, Joint] = {
    "lumbar": Joint("lumbar", -35, 50, "lower-back flexion (rounding); negative is extension (arching)"),
    "thoracic": Joint("thoracic", -25, 40, "upper-back flexion; negative is extension"),
    "neck": Joint("neck", -50, 50, "neck flexion (chin to chest); negative is extension"),
    "head": Joint("head", -30, 30, "nodding the head down; negative is tipping it back"),
}
for _side in ("near", "far"):
    _SIDE_JOINTS |= {
        f"shoulder_{_side}": Joint(f"shoulder_{_side}", -60, 180, "shoulder flexion (arm forward/up)"),
        f"elbow_{_side}": Joint(f"elbow_{_side}", 0, 150, "elbow flexion"),
        f"wrist_{_side}": Joint(f"wrist_{_side}", -90, 90, "hand turned towards the palm side"),
        f"hip_{_side}": Joint(f"hip_{_side}", -25, 135, "hip flexion (thigh to the front)"),
        f"knee_{_side}": Joint(f"knee_{_side}", 0, 160, "knee flexion (bending)"),
        f"ankle_{_side}": Joint(
            f"ankle_{_side}", -75, 25, "dorsiflexion (toes up); negative is pointing (with the midfoot)"
        ),
    }


def _side_segments() -> tuple[Segment, ...]:
    segs = [
        Segment(
            "pelvis",
            None,
            None,
            (0, 0),
            0,
            1,
            12,
            (_cap(-2, 0.5, 12, 12, 0.5, 10.5),),
            "mid",
            "buttocks and pelvis",
        ),
        Segment(
            "lumbar",
            "pelvis",
            "lumbar",
            (12, 0),
            0,
            -1,
            18,
            (_cap(0, 0.8, 9.8, 18, 0.5, 10.2),),
            "mid",
            "lower back",
        ),
        Segment(
            "thorax",
            "lumbar",
            "thoracic",
            (18, 0),
            0,
            -1,
            26,
            (_cap(0, 0.5, 10.5, 18, 0, 12), _cap(17, 1, 11.5, 23, 1.5, 9.5)),
            "mid",
            "middle back and chest",
        ),
        Segment("neck", "thorax", "neck", (26, 1), 0, -1, 8, (_cap(-3, 0, 5, 8, 0, 4.6),), "mid", "neck"),
        Segment(
            "head",
            "neck",
            "head",
            (8, 0),
            0,
            -1,
            18,
            (_cap(6.5, 0.5, 10.6, 11.5, -0.5, 10.2), _cap(9, -9, 3, 10, -11.4, 2.1)),
            "mid",
            "head",
        ),
    ]
    for side in ("far", "near"):
        arm: Layer = "front" if side == "near" else "far"
        segs += [
            Segment(
                f"upper_arm_{side}",
                "thorax",
                f"shoulder_{side}",
                (22, 0.5),
                180,
                1,
                28,
                (_cap(0, 0, 6.3, 28, 0, 5),),
                arm,
                "upper arm",
            ),
            Segment(
                f"forearm_{side}",
                f"upper_arm_{side}",
                f"elbow_{side}",
                (28, 0),
                0,
                1,
                23,
                (_cap(0, 0, 5, 23, 0, 4),),
                arm,
                "forearm",
            ),
            Segment(
                f"hand_{side}",
                f"forearm_{side}",
                f"wrist_{side}",
                (23, 0),
                0,
                1,
                14,
                (_cap(0, 0, 4.1, 10.5, 0.3, 3.4),),
                arm,
                "hand",
            ),
            Segment(
                f"thigh_{side}",
                "pelvis",
                f"hip_{side}",
                (0, 0),
                180,
                1,
                42,
                (_cap(0, 0, 10, 42, 0, 6.6),),
                side,
                "thigh",
            ),
            Segment(
                f"shank_{side}",
                f"thigh_{side}",
                f"knee_{side}",
                (42, 0),
                0,
                -1,
                42,
                (_cap(0, 0, 6.6, 42, 0, 4.2), _cap(6, -1.5, 6.8, 22, -0.8, 5.4)),
                side,
                "calf",
            ),
            Segment(
                f"foot_{side}",
                f"shank_{side}",
                f"ankle_{side}",
                (42, 0),
                90,
                1,
                19,
                (_cap(-3.5, -3.2, 4.4, 17, -4.2, 3),),
                side,
                "foot",
            ),
        ]
    return tuple(segs)


_SIDE_POINTS: dict[str, tuple[str, float, float]] = {
    "hip": ("pelvis", 0, 0),
    "l5s1": ("lumbar", 0, 0),
    "t12": ("thorax", 0, 0),
    "c7": ("neck", 0, 0),
    "head": ("head", 9, 0),
    "nose": ("head", 9, -12),
    "back_of_pelvis": ("pelvis", 0, 14),  # sacrum / buttock surface
    "low_back": ("lumbar", 9, 10.5),  # the skin over the middle of the lower back
    "front_of_pelvis": ("pelvis", 4, -10),
}
for _side in ("near", "far"):
    _SIDE_POINTS |= {
        f"shoulder_{_side}": (f"upper_arm_{_side}", 0, 0),
        f"elbow_{_side}": (f"forearm_{_side}", 0, 0),
        f"wrist_{_side}": (f"hand_{_side}", 0, 0),
        f"fingertips_{_side}": (f"hand_{_side}", 14, 0),
        f"knee_{_side}": (f"shank_{_side}", 0, 0),
        f"ankle_{_side}": (f"foot_{_side}", 0, 0),
        f"heel_{_side}": (f"foot_{_side}", -7.5, -3.4),
        f"toes_{_side}": (f"foot_{_side}", 19.6, -4.2),
    }

SIDE = Skeleton("side", _side_segments(), _SIDE_JOINTS, _SIDE_POINTS)

# --------------------------------------------------------------------------- top view
# Seen from above, head to +x, the person's left side to +y. Used for child's pose with the
# sideways reach; the legs are folded under the trunk, so only the feet show behind the buttocks.

_TOP_JOINTS: dict[str, Joint] = {
    "lumbar_side": Joint("lumbar_side", -30, 30, "lower back bent sideways to the left"),
    "thoracic_side": Joint("thoracic_side", -30, 30, "upper back bent sideways to the left"),
    "neck_side": Joint("neck_side", -35, 35, "neck bent sideways to the left"),
    "shoulder_left": Joint("shoulder_left", -60, 60, "left arm turned towards the left"),
    "shoulder_right": Joint("shoulder_right", -60, 60, "right arm turned towards the left"),
    "elbow_left": Joint("elbow_left", -40, 40, "left forearm turned towards the left"),
    "elbow_right": Joint("elbow_right", -40, 40, "right forearm turned towards the left"),
}


def _top_segments() -> tuple[Segment, ...]:
    segs = [
        Segment(
            "pelvis",
            None,
            None,
            (0, 0),
            0,
            1,
            12,
            (_cap(0, -8, 10, 0, 8, 10), _cap(2, -6, 11, 10, 0, 12), _cap(2, 6, 11, 10, 0, 12)),
            "mid",
            "buttocks and pelvis",
        ),
        Segment(
            "lumbar",
            "pelvis",
            "lumbar_side",
            (12, 0),
            0,
            1,
            16,
            (_cap(-2, 0, 13.5, 16, 0, 14),),
            "mid",
            "lower back",
        ),
        Segment(
            "thorax",
            "lumbar",
            "thoracic_side",
            (16, 0),
            0,
            1,
            24,
            (_cap(0, 0, 14.5, 16, 0, 16.5), _cap(19, -14, 6.5, 19, 14, 6.5)),
            "mid",
            "middle back",
        ),
        Segment("neck", "thorax", "neck_side", (24, 0), 0, 1, 8, (_cap(-2, 0, 5, 6, 0, 4.6),), "mid", "neck"),
        Segment(
            "head",
            "neck",
            None,
            (8, 0),
            0,
            1,
            18,
            (_cap(6, 0, 8.6, 13, 0, 8.2),),
            "mid",
            "head",
        ),
    ]
    for side, y in (("left", 1), ("right", -1)):
        layer: Layer = "front"
        segs += [
            Segment(
                f"foot_{side}",
                "pelvis",
                None,
                (-9, 6.5 * y),
                180,
                1,
                14,
                (_cap(0, 0, 4.5, 13, 0.5 * y, 3.5),),
                "far",
                "foot",
            ),
            Segment(
                f"upper_arm_{side}",
                "thorax",
                f"shoulder_{side}",
                (19, 16 * y),
                0,
                1,
                29,
                (_cap(0, 0, 5.8, 29, 0, 4.4),),
                layer,
                "upper arm",
            ),
            Segment(
                f"forearm_{side}",
                f"upper_arm_{side}",
                f"elbow_{side}",
                (29, 0),
                0,
                1,
                24,
                (_cap(0, 0, 4.4, 24, 0, 3.6),),
                layer,
                "forearm",
            ),
            Segment(
                f"hand_{side}",
                f"forearm_{side}",
                None,
                (24, 0),
                0,
                1,
                14,
                (_cap(0, 0, 4.2, 11, 0, 3.6),),
                layer,
                "hand",
            ),
        ]
    return tuple(segs)


_TOP_POINTS: dict[str, tuple[str, float, float]] = {
    "hip": ("pelvis", 0, 0),
    "t12": ("thorax", 0, 0),
    "head": ("head", 9, 0),
    "left_flank": ("lumbar", 10, 13),
    "right_flank": ("lumbar", 10, -13),
    "hand_left": ("hand_left", 8, 0),
    "hand_right": ("hand_right", 8, 0),
}

TOP = Skeleton("top", _top_segments(), _TOP_JOINTS, _TOP_POINTS)

SKELETONS: dict[str, Skeleton] = {"side": SIDE, "top": TOP}

# --------------------------------------------------------------------------- kinematics


@dataclass(frozen=True, slots=True)
class Pose:
    """A body position: the pelvis direction (degrees; 90 = upright, 0 = lying with the head to the
    right) and the joint angles by pose key. ``x``/``y`` place the hip joint in the world."""

    view: View
    pelvis: float
    angles: Mapping[str, float]
    x: float = 0.0
    y: float = 0.0

    def angle(self, key: str) -> float:
        return float(self.angles.get(key, 0.0))

    @property
    def skeleton(self) -> Skeleton:
        return SKELETONS[self.view]

    def moved(self, x: float, y: float) -> Pose:
        return Pose(self.view, self.pelvis, self.angles, x, y)


def frames(pose: Pose) -> dict[str, Frame]:
    """Forward kinematics: every segment's world frame."""
    out: dict[str, Frame] = {}
    for seg in pose.skeleton.segments:
        if seg.parent is None:
            out[seg.name] = Frame(pose.x, pose.y, pose.pelvis)
            continue
        parent = out[seg.parent]
        ox, oy = parent.apply(*seg.attach)
        turn = seg.base + seg.sign * (pose.angle(seg.joint) if seg.joint else 0.0)
        out[seg.name] = Frame(ox, oy, parent.angle + turn)
    return out


def local_turn(seg: Segment, pose: Pose) -> float:
    """The turn of a segment's frame relative to its parent (degrees, counter-clockwise)."""
    return seg.base + seg.sign * (pose.angle(seg.joint) if seg.joint else 0.0)


def capsules(pose: Pose) -> list[WorldCapsule]:
    fr = frames(pose)
    out = []
    for seg in pose.skeleton.segments:
        f = fr[seg.name]
        for c in seg.shapes:
            x0, y0 = f.apply(c.x0, c.y0)
            x1, y1 = f.apply(c.x1, c.y1)
            out.append(WorldCapsule(seg.name, x0, y0, c.r0, x1, y1, c.r1))
    return out


def points(pose: Pose) -> dict[str, tuple[float, float]]:
    fr = frames(pose)
    return {name: fr[seg].apply(px, py) for name, (seg, px, py) in pose.skeleton.points.items()}


def lowest(pose: Pose, segments: Iterable[str] | None = None) -> float:
    """The lowest y of the body outline (or of the named segments)."""
    wanted = set(segments) if segments is not None else None
    return min(c.bottom for c in capsules(pose) if wanted is None or c.segment in wanted)


def gap(pose: Pose, point: str, segment: str) -> float:
    """Distance from a named point to the surface of a segment's shapes (negative: inside)."""
    px, py = points(pose)[point]
    best = math.inf
    for c in capsules(pose):
        if c.segment != segment:
            continue
        dx, dy = c.x1 - c.x0, c.y1 - c.y0
        n2 = dx * dx + dy * dy
        t = 0.0 if n2 == 0 else max(0.0, min(1.0, ((px - c.x0) * dx + (py - c.y0) * dy) / n2))
        cx, cy, r = c.x0 + t * dx, c.y0 + t * dy, c.r0 + (c.r1 - c.r0) * t
        best = min(best, math.hypot(px - cx, py - cy) - r)
    return best


def placed(pose: Pose, anchor: str = "hip", anchor_x: float = 0.0) -> Pose:
    """The pose moved so that its lowest point rests on the floor (y = 0) and ``anchor`` is at x."""
    base = pose.moved(0.0, 0.0)
    ax, _ = points(base)[anchor]
    return pose.moved(anchor_x - ax, -lowest(base))


def joint_problems(pose: Pose) -> list[str]:
    """Every angle outside its joint's limits, and every key the skeleton does not know."""
    problems = []
    joints = pose.skeleton.joints
    for key, value in pose.angles.items():
        joint = joints.get(key)
        if joint is None:
            problems.append(f"unknown joint {key!r} in the {pose.view} view")
        elif not joint.contains(value):
            problems.append(f"{key} = {value:g}° is outside {joint.minimum:g}…{joint.maximum:g}°")
    return problems


def interpolate(a: Pose, b: Pose, t: float) -> Pose:
    """Angles blended linearly (``t`` from 0 to 1); the result still needs :func:`placed`."""
    keys = set(a.angles) | set(b.angles)
    angles = {k: a.angle(k) + (b.angle(k) - a.angle(k)) * t for k in keys}
    return Pose(
        a.view, a.pelvis + (b.pelvis - a.pelvis) * t, angles, a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t
    )


def bounds(pose: Pose) -> tuple[float, float, float, float]:
    caps = capsules(pose)
    return (
        min(c.left for c in caps),
        min(c.bottom for c in caps),
        max(c.right for c in caps),
        max(c.top for c in caps),
    )


def capsule_path(c: Capsule, digits: int = 1) -> str:
    """SVG path data of a tapered capsule (in the segment's frame)."""
    dx, dy = c.x1 - c.x0, c.y1 - c.y0
    d = math.hypot(dx, dy)
    if d < 1e-6 or d <= abs(c.r0 - c.r1):
        r = max(c.r0, c.r1)
        cx, cy = (c.x0, c.y0) if c.r0 >= c.r1 else (c.x1, c.y1)
        return f"M{_f(cx - r, digits)} {_f(cy, digits)}a{_f(r, digits)} {_f(r, digits)} 0 1 0 {_f(2 * r, digits)} 0a{_f(r, digits)} {_f(r, digits)} 0 1 0 {_f(-2 * r, digits)} 0Z"
    ux, uy = dx / d, dy / d
    # the outer tangent touches each circle at angle phi from the axis normal
    s = (c.r0 - c.r1) / d
    k = math.sqrt(max(0.0, 1 - s * s))
    # unit normals of the two tangent lines
    n1 = (s * ux - k * uy, s * uy + k * ux)
    n2 = (s * ux + k * uy, s * uy - k * ux)
    a0 = (c.x0 + c.r0 * n1[0], c.y0 + c.r0 * n1[1])
    a1 = (c.x1 + c.r1 * n1[0], c.y1 + c.r1 * n1[1])
    b1 = (c.x1 + c.r1 * n2[0], c.y1 + c.r1 * n2[1])
    b0 = (c.x0 + c.r0 * n2[0], c.y0 + c.r0 * n2[1])
    big0 = 1 if c.r0 > c.r1 else 0
    big1 = 1 - big0
    p = functools.partial(_f, digits=digits)
    return (
        f"M{p(a0[0])} {p(a0[1])}L{p(a1[0])} {p(a1[1])}"
        f"A{p(c.r1)} {p(c.r1)} 0 {big1} 0 {p(b1[0])} {p(b1[1])}"
        f"L{p(b0[0])} {p(b0[1])}A{p(c.r0)} {p(c.r0)} 0 {big0} 0 {p(a0[0])} {p(a0[1])}Z"
    )


def _f(v: float, digits: int = 1) -> str:
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
