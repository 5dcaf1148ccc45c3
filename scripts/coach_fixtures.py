"""Landmark sequences for the camera coach's tests, made from backhome's own body model.

``python -m scripts.coach_fixtures [OUT_DIR]`` turns each supported exercise's keyframes
(``backhome.illustrate.poses``) into what MediaPipe's pose landmarker reports for a person filmed
from the side: 33 landmarks per frame in BlazePose order, ``x``/``y`` normalised to the image
(y down) and a ``visibility``. It then spoils them the way a real camera does: noise, dropped frames,
a far side that is half hidden, a wrist lost behind the body, a person who walks out of the frame.
Each file holds the frames and what a correct counter must report (reps, seconds in position,
corrections said), so ``node --test tests/js/coach*.test.mjs`` needs no person in front of a camera.

Seeded and deterministic; the files are generated (``make test-js`` runs this first), never edited by hand.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backhome.core.library import coach
from backhome.illustrate import body, poses

OUT = Path(__file__).resolve().parent.parent / "tests" / "js" / "coach-fixtures"
FPS = 15
WIDTH, HEIGHT = 1280, 720  # a phone on its side, the person filmed from their right
HOLD_S = 4.0

# BlazePose's 33 landmarks: index -> (left-side point, right-side point) of the side-view body.
# The person's right side faces the camera ("near"), the left is behind ("far").
NAMES = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
]


def _source(name: str) -> tuple[str, bool]:
    """The body-model point a landmark sits on, and whether it is on the far side."""
    far = name.startswith("left_") or name == "mouth_left"
    side = "far" if far else "near"
    base = name.removeprefix("left_").removeprefix("right_")
    table = {
        "nose": "nose",
        "eye_inner": "nose",
        "eye": "nose",
        "eye_outer": "nose",
        "ear": "head",
        "mouth_left": "nose",
        "mouth_right": "nose",
        "shoulder": f"shoulder_{side}",
        "elbow": f"elbow_{side}",
        "wrist": f"wrist_{side}",
        "pinky": f"fingertips_{side}",
        "index": f"fingertips_{side}",
        "thumb": f"fingertips_{side}",
        "hip": "hip",
        "knee": f"knee_{side}",
        "ankle": f"ankle_{side}",
        "heel": f"heel_{side}",
        "foot_index": f"toes_{side}",
    }
    return table[base if base in table else name], far


SOURCES = [_source(n) for n in NAMES]

Frame = list[list[float]]  # 33 x [x, y, visibility]; [] when nobody is found
Taken = tuple[list[float], list[Frame], list[str]]  # times, frames, phases
Faults = Callable[[list[float], list[Frame], list[str], random.Random], Taken]


@dataclass
class Take:
    """One filmed sequence: the poses over time, before the camera's faults are added."""

    exercise: str
    mode: str | None = None
    reps: int = 2
    lead_s: float = 1.5
    face_left: bool = False
    tweak: Callable[[body.Pose], body.Pose] | None = None  # how the listed reps go wrong
    tweak_reps: tuple[int, ...] = ()
    expect: dict[str, object] = field(default_factory=dict)


def _keyframes(take: Take) -> Iterator[tuple[float, body.Pose, str, float]]:
    """(time, pose, phase, nearness) at FPS for ``reps`` cycles of the exercise's timeline.

    Nearness runs from 0 (at the start pose) to 1 (at a held pose) along each movement.
    """
    ill = poses.load(take.exercise)
    t = 0.0
    start = ill.pose(ill.spec.start)
    for _ in range(round(take.lead_s * FPS)):
        yield t, start, "start", 0.0
        t += 1 / FPS
    current = ill.spec.start
    for rep in range(take.reps):
        for step in ill.timeline(take.mode, HOLD_S):
            a, b = ill.raw_pose(current), ill.raw_pose(step.pose)
            if take.tweak and rep in take.tweak_reps:
                a = _tweaked(take, a, current, ill.spec.start)
                b = _tweaked(take, b, step.pose, ill.spec.start)
            n = round(step.seconds * FPS)
            for i in range(n):
                w = (i + 1) / n if step.moving else 1.0
                pose = body.interpolate(a, b, w)
                near = w if step.pose != ill.spec.start else (1 - w if current != ill.spec.start else 0.0)
                yield t, body.placed(pose, ill.anchor_for(pose.view)), step.phase, near
                t += 1 / FPS
            current = step.pose


def _tweaked(take: Take, pose: body.Pose, name: str, start: str) -> body.Pose:
    assert take.tweak is not None
    return pose if name == start else take.tweak(pose)


def _project(pose: body.Pose, face_left: bool) -> Frame:
    pts = body.points(pose)
    # about 2.4 m of floor across the image, the mat's near edge a little above the bottom
    scale = 1 / 240.0
    out: Frame = []
    for src, far in SOURCES:
        px, py = pts[src]
        if src == "nose":
            px += 0.0
        x = 0.5 + px * scale
        y = 0.85 - py * scale * WIDTH / HEIGHT
        if face_left:
            x = 1 - x
        out.append([x, y, 0.55 if far else 0.97])
    return out


def _record(take: Take) -> tuple[list[float], list[Frame], list[str]]:
    """Times, frames and phases; a movement's frames at least halfway to a held pose are "near"."""
    times: list[float] = []
    frames: list[Frame] = []
    phases: list[str] = []
    for t, pose, phase, near in _keyframes(take):
        times.append(t)
        frames.append(_project(pose, take.face_left))
        phases.append("near" if phase != "hold" and near >= 0.5 else phase)
    return times, frames, phases


# ---------------------------------------------------------------- the camera's faults


def noisy(frames: list[Frame], rng: random.Random, sigma: float = 0.004) -> list[Frame]:
    return [[[x + rng.gauss(0, sigma), y + rng.gauss(0, sigma), v] for x, y, v in f] for f in frames]


def hide(frames: list[Frame], rng: random.Random, names: tuple[str, ...], share: float) -> list[Frame]:
    idx = [NAMES.index(n) for n in names]
    out = []
    for f in frames:
        g = [list(p) for p in f]
        if rng.random() < share:
            for i in idx:
                g[i][2] = rng.uniform(0.0, 0.3)
                g[i][0] += rng.gauss(0, 0.05)
                g[i][1] += rng.gauss(0, 0.05)
        out.append(g)
    return out


def away(
    frames: list[Frame], phases: list[str], rep_phase: str, seconds: float, occurrence: int = 1
) -> list[Frame]:
    """The person walks out of the frame for ``seconds``, starting during their n-th ``rep_phase``."""
    seen, start = 0, None
    for i, p in enumerate(phases):
        if p == rep_phase and (i == 0 or phases[i - 1] != rep_phase):
            seen += 1
            if seen == occurrence:
                start = i + FPS // 2
                break
    assert start is not None
    out = list(frames)
    for i in range(start, min(len(frames), start + round(seconds * FPS))):
        out[i] = []  # no person found
    return out


def _round(frames: list[Frame]) -> list[Frame]:
    return [[[round(x, 4), round(y, 4), round(v, 2)] for x, y, v in f] for f in frames]


def _hold_seconds(times: list[float], phases: list[str], frames: list[Frame], near: bool = False) -> float:
    """Seconds between seen frames in position (a gap of up to half a second still counts)."""
    wanted = {"hold", "near"} if near else {"hold"}
    total = 0.0
    for i in range(1, len(frames)):
        dt = times[i] - times[i - 1]
        if phases[i] in wanted and phases[i - 1] in wanted and frames[i] and frames[i - 1] and dt <= 0.5:
            total += dt
    return total


def fixture(name: str, take: Take, faults: Faults | None = None, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    times, frames, phases = _record(take)
    if faults is not None:
        times, frames, phases = faults(times, frames, phases, rng)
    # In position at least for the holds seen, at most also for the seen ends of the movements.
    held, most = _hold_seconds(times, phases, frames), _hold_seconds(times, phases, frames, near=True)
    expect: dict[str, Any] = {
        "reps": take.reps,
        "hold_s": round(held, 2),
        "hold_max_s": round(most, 2),
    } | take.expect
    return {
        "name": name,
        "exercise": take.exercise,
        "mode": take.mode,
        "fps": FPS,
        "width": WIDTH,
        "height": HEIGHT,
        "expect": expect,
        "frames": [{"t": round(t, 3), "landmarks": f} for t, f in zip(times, _round(frames), strict=True)],
    }


def _noise_and_drops(times: list[float], frames: list[Frame], phases: list[str], rng: random.Random) -> Taken:
    frames = noisy(frames, rng)
    frames = hide(frames, rng, ("left_wrist", "left_elbow", "left_knee", "left_ankle"), 0.3)
    keep = [i for i in range(len(frames)) if i < 3 or rng.random() > 0.12]
    return [times[i] for i in keep], [frames[i] for i in keep], [phases[i] for i in keep]


def _occluded(times: list[float], frames: list[Frame], phases: list[str], rng: random.Random) -> Taken:
    frames = noisy(frames, rng, 0.003)
    frames = hide(frames, rng, ("right_wrist", "right_pinky", "right_index", "right_thumb"), 0.25)
    frames = hide(frames, rng, ("nose", "left_eye", "right_eye", "left_ear", "right_ear"), 0.5)
    return times, frames, phases


def _leaves_in_hold(times: list[float], frames: list[Frame], phases: list[str], rng: random.Random) -> Taken:
    frames = noisy(frames, rng, 0.003)
    return times, away(frames, phases, "hold", 2.0, occurrence=2), phases


def _leaves_for_long(times: list[float], frames: list[Frame], phases: list[str], rng: random.Random) -> Taken:
    """Gone for the whole second rep, back in the following rest: the counter must not invent it."""
    frames = noisy(frames, rng, 0.003)
    first = phases.index("rest")
    start = next(i for i in range(first, len(phases)) if phases[i] != "rest")
    back = next(i for i in range(start, len(phases)) if phases[i] == "rest")
    frames = frames[:start] + [[] for _ in range(start, back)] + frames[back:]
    return times, frames, phases


def _hips_up(pose: body.Pose) -> body.Pose:
    # the body lifts as a plank from the feet: the hips leave the mat instead of the back arching
    angles = dict(pose.angles) | {"lumbar": -8, "thoracic": -6, "hip": 0}
    return body.Pose(pose.view, 30.0, angles, pose.x, pose.y)


def _other_leg_lifted(pose: body.Pose) -> body.Pose:
    return body.Pose(
        pose.view, pose.pelvis, dict(pose.angles) | {"hip_far": 95, "knee_far": 100}, pose.x, pose.y
    )


def takes() -> list[tuple[str, Take, Faults | None]]:
    out: list[tuple[str, Take, Faults | None]] = []
    supported = ("prone-press-up", "single-knee-to-chest", "double-knee-to-chest", "childs-pose", "cat-camel")
    for ex in supported:
        out += [
            (f"{ex}--clean", Take(ex), None),
            (f"{ex}--mirrored-noisy-dropped", Take(ex, face_left=True), _noise_and_drops),
            (f"{ex}--occluded", Take(ex), _occluded),
            (f"{ex}--leaves-during-hold", Take(ex, reps=3), _leaves_in_hold),
            (f"{ex}--gone-for-a-rep", Take(ex, reps=3, expect={"reps": 2}), _leaves_for_long),
        ]
    out += [
        ("cat-camel--extension-only", Take("cat-camel", mode="extension_only"), None),
        (
            "prone-press-up--hips-up",
            Take(
                "prone-press-up",
                reps=3,
                tweak=_hips_up,
                tweak_reps=(1,),
                expect={"reps": 2, "says": ["keep your hips down"]},
            ),
            _noise_and_drops,
        ),
        (
            "single-knee-to-chest--other-leg-lifted",
            Take(
                "single-knee-to-chest",
                reps=3,
                tweak=_other_leg_lifted,
                tweak_reps=(1,),
                expect={"reps": 2, "says": ["rest your other leg"]},
            ),
            None,
        ),
    ]
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    for name, take, faults in takes():
        data = fixture(name, take, faults)
        if take.tweak_reps:  # a rep done wrongly holds nothing
            share = (take.reps - len(take.tweak_reps)) / take.reps
            for key in ("hold_s", "hold_max_s"):
                data["expect"][key] = round(data["expect"][key] * share, 2)
        (out / f"{name}.json").write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    content = {ex: coach.coach_content()[ex] for ex in sorted(coach.coach_content())}
    (out / "coach-content.json").write_text(json.dumps(content, indent=1), encoding="utf-8")
    print(f"wrote {len(takes())} landmark sequences to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
