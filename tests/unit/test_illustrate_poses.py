"""Geometric checks of every exercise's keyframes (clinical-spec B11)."""

import itertools

import pytest

from backhome.core.model import EXERCISE_IDS
from backhome.illustrate import body, poses

TOL = 1.0  # cm: "on the floor"


def ill(exercise_id: str) -> poses.Illustration:
    return poses.load(exercise_id)


def low(pose: body.Pose, *segments: str) -> float:
    return body.lowest(pose, segments)


def test_every_exercise_id_has_keyframes_and_only_those():
    assert set(poses.available()) == set(EXERCISE_IDS)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_joint_angle_is_inside_its_limit(exercise_id):
    i = ill(exercise_id)
    for name in i.spec.poses:
        assert body.joint_problems(i.raw_pose(name)) == [], name


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_keyframe_rests_on_the_floor_and_none_goes_through_it(exercise_id):
    i = ill(exercise_id)
    for name in i.spec.poses:
        if i.view_of(name) == "side":
            assert body.lowest(i.pose(name)) == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_exercise_has_a_start_an_end_panels_and_a_timed_hold_unless_it_keeps_moving(exercise_id):
    i = ill(exercise_id)
    assert len(i.spec.panels) >= 2
    steps = i.timeline()
    # ND-04: the nerve glide never holds; every other exercise does
    assert steps[0].phase == "move" and any(s.phase == "hold" for s in steps) is not i.spec.moving
    assert any(s.phase == "return" for s in steps)
    assert i.cycle_seconds() > 0


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_a_plain_hold_lasts_the_dose_hold_time(exercise_id):
    i = ill(exercise_id)
    plain = [s for s in i.timeline(hold_s=25) if s.phase == "hold" and not s.moving]
    assert all(s.seconds == 25 for s in plain)


def test_one_sided_exercises_are_drawn_per_side():
    per_side = {e for e in EXERCISE_IDS if ill(e).spec.per_side}
    assert per_side == {"single-knee-to-chest", "childs-pose-side-reach", "sciatic-nerve-glide"}


# --------------------------------------------------------------------------- extension family


@pytest.mark.parametrize("exercise_id", ["prone-lying", "prone-on-elbows", "prone-press-up"])
def test_the_extension_family_lies_face_down_with_the_pelvis_on_the_floor(exercise_id):
    i = ill(exercise_id)
    for name in ("start", "end"):
        pose = i.pose(name)
        assert low(pose, "pelvis") < TOL, name
        assert abs(body.frames(pose)["pelvis"].angle) < 15  # lying with the head to the right
        assert body.points(pose)["nose"][1] < body.points(pose)["head"][1]  # face towards the floor


def test_the_pelvis_stays_on_the_floor_while_the_trunk_rises_in_the_press_up():
    i = ill("prone-press-up")
    start, end = i.pose("start"), i.pose("end")
    assert low(start, "pelvis") < TOL and low(end, "pelvis") < TOL
    assert body.points(end)["c7"][1] > body.points(start)["c7"][1] + 20
    assert end.angle("lumbar") <= -20 < start.angle("lumbar") + 1  # the lumbar spine extends
    assert low(end, "hand_near") < TOL + 0.5  # hands stay on the mat
    assert end.angle("elbow_near") < 30  # arms (nearly) straight


def test_on_elbows_the_forearms_rest_on_the_floor_under_the_shoulders():
    end = ill("prone-on-elbows").pose("end")
    pts = body.points(end)
    assert low(end, "forearm_near") < TOL and low(end, "pelvis") < TOL
    assert abs(pts["elbow_near"][0] - pts["shoulder_near"][0]) < 12
    assert end.angle("lumbar") < 0


def test_lying_face_down_ends_flat_with_the_arms_by_the_sides_and_the_back_relaxed():
    end = ill("prone-lying").pose("end")
    pts = body.points(end)
    assert low(end, "pelvis") < TOL and low(end, "thorax") < TOL
    assert pts["wrist_near"][0] < pts["shoulder_near"][0] - 30  # hands down by the hips
    assert end.angle("lumbar") <= 0


# --------------------------------------------------------------------------- flexion stretches


@pytest.mark.parametrize("exercise_id", ["single-knee-to-chest", "double-knee-to-chest"])
def test_the_back_stays_on_the_floor_and_the_hip_flexes_past_100_degrees_in_knee_to_chest(exercise_id):
    i = ill(exercise_id)
    for name in ("start", "end"):
        pose = i.pose(name)
        for seg in ("pelvis", "lumbar", "thorax"):
            assert low(pose, seg) < TOL + 1.5, (name, seg)
        assert body.points(pose)["nose"][1] > body.points(pose)["head"][1]  # face up
    end = i.pose("end")
    assert end.angle("hip_near") >= 100
    if exercise_id == "double-knee-to-chest":
        assert end.angle("hip_far") >= 100
    else:
        assert end.angle("hip_far") < 60 and low(end, "foot_far") < TOL  # other foot stays down


def test_in_knee_to_chest_the_hands_hold_the_leg_below_the_knee():
    end = ill("single-knee-to-chest").pose("end")
    pts = body.points(end)
    assert abs(pts["wrist_near"][0] - pts["knee_near"][0]) < 15
    assert abs(pts["wrist_near"][1] - pts["knee_near"][1]) < 15


@pytest.mark.parametrize("exercise_id", ["childs-pose", "childs-pose-side-reach"])
def test_in_childs_pose_the_buttocks_are_near_the_heels_and_the_arms_reach_forward(exercise_id):
    i = ill(exercise_id)
    name = "end" if exercise_id == "childs-pose" else "sit"
    pose = i.pose(name)
    pts = body.points(pose)
    assert body.gap(pose, "heel_near", "pelvis") < 4
    assert pts["fingertips_near"][0] > pts["head"][0] > pts["hip"][0]  # arms forward beyond the head
    assert low(pose, "hand_near") < TOL and low(pose, "shank_near") < TOL
    assert pose.angle("knee_near") >= 140 and pose.angle("lumbar") > 0


def test_the_side_reach_bends_the_trunk_towards_the_hands_seen_from_above():
    i = ill("childs-pose-side-reach")
    middle, reach = i.pose("middle"), i.pose("reach")
    assert middle.view == reach.view == "top"
    assert reach.angle("lumbar_side") > 5 and reach.angle("thoracic_side") > 5
    assert body.points(reach)["hand_left"][1] > body.points(middle)["hand_left"][1] + 15


# --------------------------------------------------------------------------- cat-camel


def test_cat_camel_flexes_the_lumbar_spine_in_one_phase_and_extends_it_in_the_other():
    i = ill("cat-camel")
    assert i.pose("round").angle("lumbar") > 15
    assert i.pose("sag").angle("lumbar") < -15
    assert body.points(i.pose("round"))["t12"][1] > body.points(i.pose("sag"))["t12"][1] + 10


@pytest.mark.parametrize("name", ["start", "round", "sag"])
def test_cat_camel_keeps_hands_and_knees_on_the_floor(name):
    pose = ill("cat-camel").pose(name)
    assert low(pose, "hand_near") < TOL and low(pose, "shank_near") < TOL
    assert low(pose, "pelvis", "lumbar", "thorax") > 20  # the trunk is off the floor


def test_cat_camel_extension_only_never_rounds_the_back():
    i = ill("cat-camel")
    for step in i.timeline("extension_only"):
        assert i.pose(step.pose).angle("lumbar") <= 0


def test_cat_camel_flexion_only_never_lets_the_back_dip():
    i = ill("cat-camel")
    for step in i.timeline("flexion_only"):
        assert i.pose(step.pose).angle("lumbar") >= 0
    assert any(i.pose(p.pose).angle("lumbar") > 0 for p in i.panels("flexion_only"))


# --------------------------------------------------------------------------- nerve glide


def test_the_nerve_glide_lies_on_the_back_straightens_the_knee_and_alternates_the_ankle():
    i = ill("sciatic-nerve-glide")
    start = i.pose("start")
    straight = [i.pose(name) for name in ("slide-out", "tense")]
    bent = [i.pose(name) for name in ("slide-in", "release")]
    for pose in (start, *straight, *bent):
        assert low(pose, "pelvis") < TOL and low(pose, "thorax") < TOL + 1.5
        assert 80 <= pose.angle("hip_near") <= 110
    assert start.angle("knee_near") >= 80 and all(p.angle("knee_near") <= 15 for p in straight)
    for mode in ("slider", "tensioner"):
        # ND-04: it keeps moving, never a hold, and the ankle alternates with each movement
        steps = i.timeline(mode)
        assert all(s.phase != "hold" for s in steps)
        sequence = [i.pose(s.pose).angle("ankle_near") for s in steps if s.phase == "move"]
        signs = [a > 0 for a in sequence]
        assert all(a != b for a, b in itertools.pairwise(signs)) and len(signs) >= 2


def test_the_slider_pairs_knee_straightening_with_pointing_and_the_tensioner_with_toes_up():
    i = ill("sciatic-nerve-glide")
    for mode, sign in (("slider", -1), ("tensioner", 1)):
        for step in i.timeline(mode):
            pose = i.pose(step.pose)
            if pose.angle("knee_near") <= 15:
                assert sign * pose.angle("ankle_near") > 0, (mode, step.pose)


# --------------------------------------------------------------------------- the loader


def test_a_poses_file_with_an_unknown_field_is_rejected(tmp_path):
    text = (poses.POSES_DIR / "prone-lying.toml").read_text()
    bad = tmp_path / "prone-lying.toml"
    bad.write_text(text.replace("hold_s = 60", 'hold_s = 60\ncolour = "red"'))
    with pytest.raises(poses.PosesError, match="colour"):
        poses.load_file(bad)


def test_a_pose_beyond_a_joint_limit_is_rejected(tmp_path):
    text = (poses.POSES_DIR / "prone-lying.toml").read_text()
    bad = tmp_path / "prone-lying.toml"
    bad.write_text(text.replace("knee = 0", "knee = 175", 1))
    with pytest.raises(poses.PosesError, match="knee"):
        poses.load_file(bad)


def test_the_phase_seconds_add_up_to_the_cycle():
    i = ill("prone-press-up")
    phases = i.phase_seconds(hold_s=12)
    assert phases["hold"] == 12 and sum(phases.values()) == i.cycle_seconds(hold_s=12)
