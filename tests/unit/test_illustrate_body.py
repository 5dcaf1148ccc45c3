"""The 2D body model: limits, forward kinematics and placement."""

import math

import pytest

from backhome.illustrate import body


def test_the_side_view_has_a_trunk_of_three_segments_and_every_limb_part():
    names = {s.name for s in body.SIDE.segments}
    assert {"pelvis", "lumbar", "thorax", "neck", "head"} <= names
    for side in ("near", "far"):
        for part in ("upper_arm", "forearm", "hand", "thigh", "shank", "foot"):
            assert f"{part}_{side}" in names


def test_every_joint_has_a_range_that_includes_neutral():
    for sk in body.SKELETONS.values():
        for joint in sk.joints.values():
            assert joint.minimum < joint.maximum
            assert joint.contains(0) or joint.name.startswith("knee") or joint.name.startswith("elbow")


def test_standing_upright_puts_the_head_above_the_hips_and_the_feet_below():
    pose = body.placed(body.Pose("side", 90, {}))
    pts = body.points(pose)
    assert pts["head"][1] > pts["c7"][1] > pts["hip"][1] > pts["knee_near"][1] > pts["ankle_near"][1]
    assert body.lowest(pose) == pytest.approx(0)
    assert 150 < body.bounds(pose)[3] < 185  # a 170 cm adult


def test_hip_flexion_brings_the_knee_forward():
    bent = body.points(body.Pose("side", 90, {"hip_near": 90}))
    assert bent["knee_near"][0] == pytest.approx(42, abs=0.5)
    assert bent["knee_near"][1] == pytest.approx(0, abs=0.5)


def test_lumbar_flexion_turns_the_thorax_forward_and_extension_backward():
    flexed = body.frames(body.Pose("side", 90, {"lumbar": 30}))["thorax"].angle
    extended = body.frames(body.Pose("side", 90, {"lumbar": -20}))["thorax"].angle
    assert flexed == pytest.approx(60)
    assert extended == pytest.approx(110)


def test_an_angle_outside_its_limit_is_reported():
    problems = body.joint_problems(body.Pose("side", 0, {"knee_near": 170, "wing": 3}))
    assert any("knee_near" in p for p in problems)
    assert any("wing" in p for p in problems)


def test_placing_a_pose_rests_it_on_the_floor_with_the_anchor_at_x_zero():
    pose = body.placed(body.Pose("side", 0, {"shoulder_near": 40}), "knee_near")
    assert body.lowest(pose) == pytest.approx(0, abs=1e-9)
    assert body.points(pose)["knee_near"][0] == pytest.approx(0, abs=1e-9)


def test_a_capsule_path_is_closed_and_uses_arcs():
    d = body.capsule_path(body.Capsule(0, 0, 5, 20, 0, 3))
    assert d.startswith("M") and d.endswith("Z") and d.count("A") == 2


def test_gap_is_negative_inside_a_shape():
    pose = body.Pose("side", 90, {})
    assert body.gap(pose, "hip", "pelvis") < 0
    assert math.isfinite(body.gap(pose, "head", "pelvis"))
