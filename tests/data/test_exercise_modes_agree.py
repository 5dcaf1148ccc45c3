"""Each exercise says the same thing everywhere, for each mode (issue 15, item 6): the dose, the steps,
the timer's phases, the pictures and the stop-if lines. What can be checked mechanically is checked here."""

from __future__ import annotations

import re

import pytest

from backhome.core.dose import MODE_NAMES, describe_dose
from backhome.core.library.load import default_library
from backhome.core.model import CAT_CAMEL, EXERCISE_IDS, MODES, NERVE_GLIDE, Exercise
from backhome.illustrate import poses

LIBRARY = default_library()
#: Words that point at text elsewhere; a step list must stand on its own (the player and the handout
#: show one list, never two).
CROSS_REFERENCE = re.compile(
    r"\b(above|below)[,.:]|\bsteps? (above|below)\b|\bas (above|before)\b|\bprevious step", re.IGNORECASE
)


def modes_of(exercise: Exercise) -> list[str | None]:
    return [None, *(m.id for m in exercise.modes)]


def all_steps(exercise: Exercise) -> list[tuple[str | None, str]]:
    return [(mode, step) for mode in modes_of(exercise) for step in exercise.steps_for(mode)]


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_mode_of_an_exercise_has_its_own_timer_and_every_timer_is_a_mode(exercise_id: str) -> None:
    exercise, picture = LIBRARY[exercise_id], poses.load(exercise_id)
    assert {m.id for m in exercise.modes} == set(picture.modes)


def test_every_mode_of_the_decision_contract_is_described_by_some_exercise() -> None:
    described = {m.id for e in LIBRARY.values() for m in e.modes}
    assert described == set(MODES) and set(MODE_NAMES) == set(MODES)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_no_step_points_at_steps_that_are_not_shown_with_it(exercise_id: str) -> None:
    exercise = LIBRARY[exercise_id]
    pointing = [(mode, step) for mode, step in all_steps(exercise) if CROSS_REFERENCE.search(step)]
    assert pointing == []


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_a_mode_lists_its_steps_in_full_from_the_start_position(exercise_id: str) -> None:
    exercise = LIBRARY[exercise_id]
    for mode in exercise.modes:
        assert mode.steps[0] == exercise.steps[0], mode.id


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_a_hold_in_the_dose_steps_and_timer_goes_together_and_a_moving_exercise_never_says_hold(
    exercise_id: str,
) -> None:
    exercise, picture = LIBRARY[exercise_id], poses.load(exercise_id)
    start = exercise.envelope.start_dose()
    timers = [picture.timeline(mode) for mode in (None, *picture.modes)]
    if picture.spec.moving:
        # ND-04: no sustained hold. No hold time in the dose, no Hold on the timer, and the stop-if
        # line about holding stays true.
        assert exercise.envelope.hold_s.max == 0
        assert "hold" not in describe_dose(start).lower()
        assert all(step.phase != "hold" for timer in timers for step in timer)
        assert any("holding" in line.lower() for line in exercise.must_not)
        assert not any("hold for" in step.lower() for _, step in all_steps(exercise))
    else:
        assert exercise.envelope.hold_s.min > 0
        assert all(any(step.phase == "hold" for step in timer) for timer in timers)
        for mode in modes_of(exercise):
            assert any("for the time on your plan" in step for step in exercise.steps_for(mode)), mode
        assert not any("holding" in line.lower() for line in exercise.must_not)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_picture_and_the_dose_agree_on_sides_and_the_starting_hold(exercise_id: str) -> None:
    exercise, picture = LIBRARY[exercise_id], poses.load(exercise_id)
    assert picture.spec.per_side == exercise.envelope.per_side
    if not picture.spec.moving:
        assert picture.spec.hold_s == exercise.envelope.hold_s.start


def test_the_glide_stops_at_tingling_that_outlasts_the_movement() -> None:
    glide = LIBRARY[NERVE_GLIDE]
    assert "ND-04" in glide.rules
    assert any("stays after you stop moving" in line for line in glide.must_not)


@pytest.mark.parametrize(("mode", "other"), [("slider", "tensioner"), ("tensioner", "slider")])
def test_the_glides_pictures_and_steps_show_only_the_prescribed_version(mode: str, other: str) -> None:
    picture, glide = poses.load(NERVE_GLIDE), LIBRARY[NERVE_GLIDE]
    words = {
        "slider": ("gentle glide", "point your toes away"),
        "tensioner": ("fuller glide", "pull your toes"),
    }
    captions = [picture.spec.poses[p.pose].caption.lower() for p in picture.panels(mode)]
    assert not any(words[other][0] in caption for caption in captions)
    assert any(words[mode][0] in caption for caption in captions)
    # the knee straightens with the toes pointed (slider) or pulled back (tensioner), in steps and pictures
    straighten = next(s for s in glide.steps_for(mode) if s.startswith("Slowly straighten your knee"))
    assert words[mode][1] in straighten.lower()
    for panel in picture.panels(mode):
        pose = picture.pose(panel.pose)
        if pose.angle("knee_near") <= 15:
            ankle = pose.angle("ankle_near")
            assert (ankle < 0) if mode == "slider" else (ankle > 0), panel.pose
    for step in picture.timeline(mode):
        assert step.pose in {p.pose for p in picture.panels(mode)}, step.pose


def test_the_glide_drawn_without_a_mode_is_the_slider_where_every_glide_starts() -> None:
    picture, glide = poses.load(NERVE_GLIDE), LIBRARY[NERVE_GLIDE]
    assert picture.panels() == picture.panels("slider")
    assert glide.steps == glide.steps_for("slider")


@pytest.mark.parametrize(
    ("mode", "shown", "never", "never_said"),
    [
        ("extension_only", "sag", "round", ("round your back up towards",)),
        ("flexion_only", "round", "sag", ("stomach drop", "dips")),
    ],
)
def test_cat_camel_shows_and_times_only_the_half_its_mode_gives(
    mode: str, shown: str, never: str, never_said: tuple[str, ...]
) -> None:
    picture, cat = poses.load(CAT_CAMEL), LIBRARY[CAT_CAMEL]
    assert never not in {p.pose for p in picture.panels(mode)} and never not in {
        p.ghost for p in picture.panels(mode)
    }
    assert shown in {p.pose for p in picture.panels(mode)}
    assert never not in {step.pose for step in picture.timeline(mode)}
    steps = " ".join(cat.steps_for(mode)).lower()
    assert not any(words in steps for words in never_said)


def test_cat_camel_in_a_balanced_programme_shows_both_halves() -> None:
    picture = poses.load(CAT_CAMEL)
    assert {"sag", "round"} <= {step.pose for step in picture.timeline()}
    assert {"sag", "round"} <= {p.pose for p in picture.panels()}


def test_cat_camels_mode_names_are_the_same_on_the_plan_and_in_the_exercise_file() -> None:
    for mode in LIBRARY[CAT_CAMEL].modes:
        assert MODE_NAMES[mode.id] == mode.name.lower(), mode.id
