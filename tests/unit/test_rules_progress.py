"""Progression and regression (DS, clinical-spec §7.2) and the nerve glide's modes (ND, §7.3).

Dana (38, disc bulge, pain into the thigh) does the extension family and the nerve glide; Walt (72,
spinal stenosis) does the knee-to-chest stretches. Envelopes follow the article's doses (S0, DS-F4).
"""

from __future__ import annotations

import datetime as dt

import pytest

from backhome.core.model import (
    Direction,
    Dose,
    Envelope,
    Exercise,
    ExerciseResult,
    Light,
    Range,
    Tier,
)
from backhome.core.rules import progress
from backhome.core.rules.progress import next_dose, review_point, session_allowed

MONDAY = dt.date(2025, 3, 3)
G, A, R = Light.GREEN, Light.AMBER, Light.RED


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def exercise(
    id: str,
    direction: Direction,
    hold: Range,
    reps: Range,
    *,
    per_side: bool = False,
    up: str | None = None,
    down: str | None = None,
) -> Exercise:
    return Exercise(
        id=id,
        name=id.replace("-", " "),
        other_names=(),
        direction=direction,
        sequence=1,
        start_position="lying",
        summary="",
        steps=(),
        may_feel=(),
        must_not=(),
        envelope=Envelope(Range(1, 1, 1, 3), reps, hold, per_side),
        progresses_to=up,
        regresses_to=down,
        modes=(),
        contraindications=(),
        rules=(),
        sources=(),
    )


PRONE_LYING = exercise(
    "prone-lying", Direction.EXTENSION, Range(60, 60, 60, 300), Range(1, 1, 1, 1), up="prone-on-elbows"
)
PRONE_ON_ELBOWS = exercise(
    "prone-on-elbows",
    Direction.EXTENSION,
    Range(60, 60, 60, 300),
    Range(1, 1, 1, 1),
    up="prone-press-up",
    down="prone-lying",
)
PRESS_UP = exercise(
    "prone-press-up", Direction.EXTENSION, Range(10, 10, 5, 30), Range(5, 10, 1, 10), down="prone-on-elbows"
)
SINGLE_KTC = exercise(
    "single-knee-to-chest",
    Direction.FLEXION,
    Range(15, 15, 5, 30),
    Range(2, 2, 1, 3),
    per_side=True,
    up="double-knee-to-chest",
)
DOUBLE_KTC = exercise(
    "double-knee-to-chest",
    Direction.FLEXION,
    Range(15, 15, 5, 30),
    Range(2, 2, 1, 3),
    down="single-knee-to-chest",
)
GLIDE = exercise(
    "sciatic-nerve-glide", Direction.NEURAL, Range(2, 2, 1, 3), Range(5, 10, 1, 10), per_side=True
)
LIBRARY = {e.id: e for e in (PRONE_LYING, PRONE_ON_ELBOWS, PRESS_UP, SINGLE_KTC, DOUBLE_KTC, GLIDE)}

PRESS_UP_START = Dose(1, 10, 10, False)
SLIDER = Dose(1, 10, 2, True, "slider")
TENSIONER = Dose(1, 10, 2, True, "tensioner")


def res(
    ex: Exercise,
    n: int,
    light: Light = G,
    tolerated: bool | None = True,
    dose: Dose | None = None,
    *,
    peripheralized: bool = False,
) -> ExerciseResult:
    return ExerciseResult(
        ex.id, day(n), dose or ex.envelope.start_dose(), light, tolerated, peripheralized=peripheralized
    )


def three_good(ex: Exercise, dose: Dose | None = None) -> list[ExerciseResult]:
    return [res(ex, 0, dose=dose), res(ex, 1, dose=dose), res(ex, 2, dose=dose)]


def test_module_declares_the_rules_it_implements() -> None:
    assert set(progress.IMPLEMENTS) == {
        "DS-01", "DS-02", "DS-03", "DS-04", "DS-05", "DS-06", "DS-07", "DS-08", "ND-02", "ND-03", "ND-05",
    }  # fmt: skip


# --------------------------------------------------------------------------- DS-01


@pytest.mark.rule("DS-01", fires=True)
def test_a_stretch_is_done_once_a_day() -> None:
    allowance = session_allowed("single-knee-to-chest", sessions_today=1)
    assert not allowance.allowed and allowance.max_per_day == 1
    assert allowance.rules == ("DS-01",)


@pytest.mark.rule("DS-01", fires=False)
def test_dana_in_a_bad_spell_may_repeat_matched_press_ups_up_to_five_times_a_day() -> None:
    allowance = session_allowed(
        "prone-press-up", sessions_today=3, symptom_modulation=True, direction_matched=True
    )
    assert allowance.allowed and allowance.max_per_day == 5 and allowance.rules == ()


# --------------------------------------------------------------------------- DS-02, DS-03


@pytest.mark.rule("DS-03", fires=True)
@pytest.mark.rule("DS-02", fires=True)
def test_three_good_sessions_over_two_days_add_five_seconds_to_the_hold() -> None:
    change = next_dose(PRESS_UP, PRESS_UP_START, three_good(PRESS_UP), today=day(3), library=LIBRARY)
    assert change.action == "progress"
    assert change.dose == Dose(1, 10, 15, False)
    assert change.rules == ("DS-02", "DS-03")


@pytest.mark.rule("DS-03", fires=True)
def test_three_good_sessions_on_one_day_are_not_enough_to_progress() -> None:
    history = [res(PRESS_UP, 0), res(PRESS_UP, 0), res(PRESS_UP, 0)]
    change = next_dose(PRESS_UP, PRESS_UP_START, history, today=day(1), library=LIBRARY)
    assert change.action == "hold" and change.dose == PRESS_UP_START
    assert change.rules == ("DS-03",)


def test_a_session_still_waiting_for_its_morning_answer_does_not_count_towards_progress() -> None:
    history = [res(PRESS_UP, 0), res(PRESS_UP, 1), res(PRESS_UP, 2, tolerated=None)]
    change = next_dose(PRESS_UP, PRESS_UP_START, history, today=day(2), library=LIBRARY)
    assert change.action == "hold"


def test_an_earlier_amber_session_that_was_tolerated_still_counts_towards_progress() -> None:
    history = [res(PRESS_UP, 0, A), res(PRESS_UP, 1), res(PRESS_UP, 2)]
    assert next_dose(PRESS_UP, PRESS_UP_START, history, today=day(3), library=LIBRARY).action == "progress"


@pytest.mark.rule("DS-02", fires=False)
def test_the_hold_never_goes_past_the_top_of_the_ladder() -> None:
    top = Dose(1, 10, 30, False)
    change = next_dose(PRESS_UP, top, three_good(PRESS_UP, top), today=day(3), library=LIBRARY)
    assert change.dose == top and change.action == "hold"
    assert PRESS_UP.envelope.contains(change.dose)


@pytest.mark.rule("DS-03", fires=False)
def test_a_red_session_never_counts_as_ready_to_progress() -> None:
    history = [res(PRESS_UP, 0), res(PRESS_UP, 1), res(PRESS_UP, 2, R)]
    change = next_dose(PRESS_UP, Dose(1, 10, 20, False), history, today=day(3), library=LIBRARY)
    assert "DS-03" not in change.rules and change.action == "regress"


def test_a_paused_programme_holds_instead_of_progressing() -> None:
    change = next_dose(
        PRESS_UP, PRESS_UP_START, three_good(PRESS_UP), today=day(3), library=LIBRARY, progression_paused=True
    )
    assert change.action == "hold" and "PM-42" in change.rules


# --------------------------------------------------------------------------- DS-04


@pytest.mark.rule("DS-04", fires=True)
def test_five_tolerated_minutes_of_prone_lying_lead_on_to_prone_on_elbows() -> None:
    top = Dose(1, 1, 300, False)
    change = next_dose(PRONE_LYING, top, three_good(PRONE_LYING, top), today=day(3), library=LIBRARY)
    assert change.action == "progress"
    assert change.exercise_id == "prone-on-elbows"
    assert change.dose == PRONE_ON_ELBOWS.envelope.start_dose()
    assert "DS-04" in change.rules


@pytest.mark.rule("DS-04", fires=True)
def test_walt_moves_from_single_to_double_knee_to_chest_at_the_top_of_the_hold_ladder() -> None:
    top = Dose(1, 2, 30, True)
    change = next_dose(SINGLE_KTC, top, three_good(SINGLE_KTC, top), today=day(3), library=LIBRARY)
    assert change.exercise_id == "double-knee-to-chest"
    assert DOUBLE_KTC.envelope.contains(change.dose)


@pytest.mark.rule("DS-04", fires=False)
def test_below_the_top_of_the_ladder_the_exercise_stays_the_same() -> None:
    change = next_dose(
        SINGLE_KTC, Dose(1, 2, 25, True), three_good(SINGLE_KTC), today=day(3), library=LIBRARY
    )
    assert change.exercise_id == "single-knee-to-chest" and "DS-04" not in change.rules
    assert change.dose.hold_s == 30


# --------------------------------------------------------------------------- DS-05


@pytest.mark.rule("DS-05", fires=True)
def test_an_amber_last_session_keeps_the_same_dose() -> None:
    history = [res(PRESS_UP, 0), res(PRESS_UP, 1), res(PRESS_UP, 2, A)]
    change = next_dose(PRESS_UP, Dose(1, 10, 15, False), history, today=day(3), library=LIBRARY)
    assert change.action == "hold" and change.dose.hold_s == 15
    assert change.rules == ("DS-05",)


@pytest.mark.rule("DS-05", fires=False)
def test_a_green_last_session_is_not_held_back_by_the_amber_rule() -> None:
    change = next_dose(PRESS_UP, PRESS_UP_START, three_good(PRESS_UP), today=day(3), library=LIBRARY)
    assert "DS-05" not in change.rules


# --------------------------------------------------------------------------- DS-06


@pytest.mark.rule("DS-06", fires=True)
def test_a_red_session_takes_the_hold_one_step_down() -> None:
    history = [res(PRESS_UP, 0), res(PRESS_UP, 1, R)]
    change = next_dose(PRESS_UP, Dose(1, 10, 20, False), history, today=day(2), library=LIBRARY)
    assert change.action == "regress" and change.dose.hold_s == 15
    assert "DS-06" in change.rules


@pytest.mark.rule("DS-06", fires=True)
def test_a_bad_morning_at_the_lowest_hold_halves_the_repetitions() -> None:
    history = [res(PRESS_UP, 0, G, tolerated=False)]
    change = next_dose(PRESS_UP, PRESS_UP_START, history, today=day(1), library=LIBRARY)
    assert change.action == "regress" and change.dose == Dose(1, 5, 10, False)


@pytest.mark.rule("DS-06", fires=True)
def test_at_the_very_lowest_dose_a_red_session_keeps_the_dose_and_does_not_switch_exercise() -> None:
    lowest = Dose(1, 5, 10, False)
    change = next_dose(PRESS_UP, lowest, [res(PRESS_UP, 0, R, None)], today=day(1), library=LIBRARY)
    assert change.action == "hold" and change.dose == lowest
    assert change.exercise_id == "prone-press-up" and change.rules == ("DS-06",)


@pytest.mark.rule("DS-06", fires=True)
def test_a_flare_drops_walt_to_the_lowest_step() -> None:
    change = next_dose(
        SINGLE_KTC, Dose(2, 3, 25, True), [res(SINGLE_KTC, 0)], today=day(1), library=LIBRARY, flare=True
    )
    assert change.dose == Dose(1, 2, 15, True)
    assert change.rules == ("DS-06", "PM-43")


@pytest.mark.rule("DS-06", fires=False)
def test_a_good_session_is_not_regressed() -> None:
    change = next_dose(PRESS_UP, PRESS_UP_START, [res(PRESS_UP, 0)], today=day(1), library=LIBRARY)
    assert "DS-06" not in change.rules and change.action == "hold"


# --------------------------------------------------------------------------- DS-07


@pytest.mark.rule("DS-07", fires=True)
def test_two_bad_mornings_in_a_row_suspend_the_exercise() -> None:
    history = [res(PRESS_UP, 0, tolerated=False), res(PRESS_UP, 1, tolerated=False)]
    change = next_dose(PRESS_UP, PRESS_UP_START, history, today=day(2), library=LIBRARY)
    assert change.action == "suspend" and change.rules == ("DS-07",)
    assert change.tier is Tier.REFER


@pytest.mark.rule("DS-07", fires=True)
def test_pain_spreading_with_prone_lying_suspends_the_press_up_too() -> None:
    history = [res(PRONE_LYING, 0, R, peripheralized=True)]
    change = next_dose(PRESS_UP, PRESS_UP_START, history, today=day(1), library=LIBRARY)
    assert change.action == "suspend" and "DS-07" in change.rules


@pytest.mark.rule("DS-07", fires=False)
def test_spreading_with_a_flexion_stretch_does_not_suspend_the_extension_family() -> None:
    history = [res(SINGLE_KTC, 0, R, peripheralized=True), res(PRESS_UP, 0)]
    change = next_dose(PRESS_UP, PRESS_UP_START, history, today=day(1), library=LIBRARY)
    assert change.action != "suspend" and "DS-07" not in change.rules


# --------------------------------------------------------------------------- DS-08


@pytest.mark.rule("DS-08", fires=True)
def test_four_and_six_weeks_are_review_points() -> None:
    assert review_point(MONDAY, day(28)).point == "4_weeks"
    six = review_point(MONDAY, day(43))
    assert six.point == "6_weeks" and six.rules == ("DS-08",)


@pytest.mark.rule("DS-08", fires=False)
def test_three_weeks_in_there_is_no_review_yet() -> None:
    point = review_point(MONDAY, day(21))
    assert point.point == "none" and point.rules == () and point.weeks == 3


# --------------------------------------------------------------------------- ND-02, ND-03, ND-05


@pytest.mark.rule("ND-02", fires=True)
def test_the_glide_stays_a_slider_in_its_first_two_weeks_even_when_it_goes_well() -> None:
    history = three_good(GLIDE, SLIDER)
    change = next_dose(GLIDE, SLIDER, history, today=day(3), library=LIBRARY)
    assert change.dose.mode == "slider" and change.action == "hold"
    assert change.rules == ("ND-02",)


@pytest.mark.rule("ND-02", fires=True)
def test_an_irritable_leg_sends_the_tensioner_back_to_a_slider() -> None:
    change = next_dose(
        GLIDE, TENSIONER, [res(GLIDE, 20, dose=TENSIONER)], today=day(21), library=LIBRARY, leg_pain=6
    )
    assert change.dose.mode == "slider" and change.action == "regress" and change.rules == ("ND-02",)


@pytest.mark.rule("ND-02", fires=False)
@pytest.mark.rule("ND-03", fires=True)
def test_after_two_weeks_and_three_green_slider_sessions_the_glide_becomes_a_tensioner() -> None:
    history = [
        res(GLIDE, 0, dose=SLIDER),
        res(GLIDE, 13, dose=SLIDER),
        res(GLIDE, 14, dose=SLIDER),
        res(GLIDE, 15, dose=SLIDER),
    ]
    change = next_dose(GLIDE, SLIDER, history, today=day(16), library=LIBRARY, leg_pain=3)
    assert change.action == "progress" and change.dose == TENSIONER
    assert change.rules == ("ND-03",)


@pytest.mark.rule("ND-03", fires=False)
def test_an_amber_slider_session_delays_the_tensioner() -> None:
    history = [res(GLIDE, 0, dose=SLIDER), res(GLIDE, 14, dose=SLIDER), res(GLIDE, 15, A, dose=SLIDER)]
    change = next_dose(GLIDE, SLIDER, history, today=day(16), library=LIBRARY)
    assert change.dose.mode == "slider" and "ND-03" not in change.rules


@pytest.mark.rule("ND-05", fires=True)
def test_a_red_tensioner_session_goes_back_to_the_slider() -> None:
    history = [res(GLIDE, 20, dose=TENSIONER), res(GLIDE, 21, R, None, dose=TENSIONER)]
    change = next_dose(GLIDE, TENSIONER, history, today=day(22), library=LIBRARY)
    assert change.action == "regress" and change.dose == SLIDER and change.rules == ("ND-05",)


@pytest.mark.rule("ND-05", fires=True)
def test_a_second_red_glide_within_two_weeks_suspends_it_and_refers_to_a_physio() -> None:
    history = [res(GLIDE, 20, R, dose=TENSIONER), res(GLIDE, 25, R, None, dose=SLIDER)]
    change = next_dose(GLIDE, SLIDER, history, today=day(26), library=LIBRARY)
    assert change.action == "suspend" and change.tier is Tier.REFER and change.rules == ("ND-05",)


@pytest.mark.rule("ND-05", fires=False)
def test_red_glide_sessions_a_month_apart_do_not_suspend_it() -> None:
    history = [res(GLIDE, 0, R, dose=SLIDER), res(GLIDE, 30, R, None, dose=SLIDER)]
    change = next_dose(GLIDE, SLIDER, history, today=day(31), library=LIBRARY)
    assert change.action != "suspend" and "ND-05" not in change.rules
    assert change.dose == Dose(1, 5, 2, True, "slider")


def test_a_dose_outside_the_envelope_is_refused() -> None:
    with pytest.raises(ValueError, match="envelope"):
        next_dose(PRESS_UP, Dose(1, 10, 45, False), [], today=day(0), library=LIBRARY)
