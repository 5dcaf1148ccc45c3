"""The course from one morning to the next (backhome.core.course): the rule modules' answers put
together for a whole programme. Dana (disc herniation) does the nerve glide as a slider, the press-up
at 10 times, hold 10 s, and cat-camel; Walt (stenosis) does the knee-to-chest and child's pose."""

from __future__ import annotations

import datetime as dt

import pytest

from backhome.core.course import Course, CourseItem, Step, advance, bias_of, weekly_morning_pain
from backhome.core.library.load import default_library
from backhome.core.model import Dose, ExerciseResult, Light, MorningCheck, Stiffness, Tier

LIBRARY = default_library()
MONDAY = dt.date(2025, 3, 3)
G, A, R = Light.GREEN, Light.AMBER, Light.RED

GLIDE = "sciatic-nerve-glide"
PRESS_UP = "prone-press-up"
CAT = "cat-camel"
KNEE = "single-knee-to-chest"

SLIDER = Dose(1, 10, 0, True, "slider")
TENSIONER = Dose(1, 10, 0, True, "tensioner")
PRESS_10 = Dose(1, 10, 10, False)
PRESS_15 = Dose(1, 10, 15, False)
CAT_5 = Dose(1, 5, 5, False)
DANA = (CourseItem(GLIDE, SLIDER), CourseItem(PRESS_UP, PRESS_10), CourseItem(CAT, CAT_5))
WALT_KNEE = Dose(1, 3, 25, True)


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def morning(
    n: int, back: int = 3, leg: int = 2, zone: int = 3, stiffness: Stiffness = "none"
) -> MorningCheck:
    return MorningCheck(day(n), back, leg, zone, stiffness)


def done(
    exercise_id: str,
    n: int,
    light: Light = G,
    tolerated: bool | None = True,
    dose: Dose | None = None,
    *,
    peripheralized: bool = False,
) -> ExerciseResult:
    start = LIBRARY[exercise_id].envelope.start_dose("slider" if exercise_id == GLIDE else None)
    return ExerciseResult(exercise_id, day(n), dose or start, light, tolerated, peripheralized)


def session(n: int, light: Light = G, tolerated: bool | None = True) -> list[ExerciseResult]:
    """Dana's whole session on day ``n`` at her starting doses."""
    return [
        done(GLIDE, n, light, tolerated),
        done(PRESS_UP, n, light, tolerated),
        done(CAT, n, light, tolerated),
    ]


def steady(days: range) -> list[MorningCheck]:
    return [morning(n) for n in days]


def step_of(course: Course, exercise_id: str) -> Step:
    return next(s for s in course.steps if s.exercise_id == exercise_id)


# --------------------------------------------------------------------------- progression


@pytest.mark.rule("DS-03", fires=True)
def test_three_green_sessions_over_two_days_with_good_mornings_take_the_press_up_hold_from_10_to_15() -> None:
    # two sessions on day 0 (judged good on day 1's morning), one on day 1 (judged this morning)
    results = [*session(0), *session(0), *session(1, tolerated=None)]
    course = advance(DANA, results, steady(range(3)), today=day(2), start=day(0), library=LIBRARY)
    press = course.steps[1]
    assert press.exercise_id == PRESS_UP and press.action == "progress" and press.changed
    assert press.dose == PRESS_15
    assert "DS-03" in press.rules and "DS-02" in press.rules
    assert step_of(course, CAT).dose.hold_s == 10
    glide = course.steps[0]
    assert glide.action == "hold" and glide.dose == SLIDER and not glide.changed  # ND-02: first two weeks
    assert course.morning is not None and course.morning.tolerated
    assert course.tier is Tier.PROCEED and course.rules == ()


def test_without_a_morning_before_it_yesterdays_session_is_not_judged_and_nothing_progresses() -> None:
    results = [*session(0), *session(0), *session(1, tolerated=None)]
    mornings = [morning(2)]  # the very first check-in
    course = advance(DANA, results, mornings, today=day(2), start=day(0), library=LIBRARY)
    assert course.morning is None
    assert step_of(course, PRESS_UP).action == "hold" and not step_of(course, PRESS_UP).changed


def test_a_dose_moves_once_per_step_and_a_new_step_needs_its_own_three_good_sessions() -> None:
    before = [*session(0), *session(0), *session(1)]
    moved = (CourseItem(GLIDE, SLIDER), CourseItem(PRESS_UP, PRESS_15, since=day(2)), CourseItem(CAT, CAT_5))
    # the morning after the step, with no session since: nothing moves again
    course = advance(moved, before, steady(range(4)), today=day(3), start=day(0), library=LIBRARY)
    assert step_of(course, PRESS_UP).dose == PRESS_15 and not step_of(course, PRESS_UP).changed
    # one good session at 15 s: the last three sessions are good, but only one at this step
    later = [*before, done(PRESS_UP, 3, dose=PRESS_15, tolerated=None)]
    course = advance(moved, later, steady(range(5)), today=day(4), start=day(0), library=LIBRARY)
    assert step_of(course, PRESS_UP).action == "hold" and step_of(course, PRESS_UP).dose == PRESS_15


@pytest.mark.rule("DS-04", fires=True)
def test_walt_at_the_top_of_the_knee_hug_moves_on_to_both_knees() -> None:
    top = Dose(1, 2, 30, True)
    results = [done(KNEE, n, dose=top) for n in (0, 1, 2)]
    course = advance(
        (CourseItem(KNEE, top),), results, steady(range(4)), today=day(3), start=day(0), library=LIBRARY
    )
    step = course.steps[0]
    assert step.exercise_id == "double-knee-to-chest" and step.changed and "DS-04" in step.rules
    assert LIBRARY["double-knee-to-chest"].envelope.contains(step.dose)


# --------------------------------------------------------------------------- regression and suspension


@pytest.mark.rule("PM-40", fires=True)
@pytest.mark.rule("DS-06", fires=True)
def test_a_bad_morning_takes_the_press_up_back_one_step() -> None:
    item = (CourseItem(PRESS_UP, PRESS_15, since=day(3)),)
    results = [done(PRESS_UP, 3, dose=PRESS_15, tolerated=None)]
    mornings = [morning(3, back=3), morning(4, back=5)]  # 2 points worse than yesterday morning
    course = advance(item, results, mornings, today=day(4), start=day(0), library=LIBRARY)
    assert course.morning is not None and not course.morning.tolerated
    assert "PM-40" in course.rules
    step = course.steps[0]
    assert step.action == "regress" and step.dose == PRESS_10 and step.changed
    assert "DS-06" in step.rules


@pytest.mark.rule("PM-40", fires=False)
def test_one_point_more_this_morning_is_tolerated_and_keeps_the_dose() -> None:
    item = (CourseItem(PRESS_UP, PRESS_15, since=day(3)),)
    results = [done(PRESS_UP, 3, dose=PRESS_15, tolerated=None)]
    course = advance(
        item, results, [morning(3), morning(4, back=4)], today=day(4), start=day(0), library=LIBRARY
    )
    assert course.morning is not None and course.morning.tolerated
    assert course.steps[0].dose == PRESS_15 and not course.steps[0].changed


@pytest.mark.rule("PM-41", fires=True)
@pytest.mark.rule("DS-07", fires=True)
def test_two_bad_mornings_in_a_row_suspend_the_press_up_and_suggest_a_therapist() -> None:
    halved = Dose(1, 5, 10, False)  # the first bad morning halved the repetitions (DS-06)
    item = (CourseItem(PRESS_UP, halved, since=day(1)),)
    results = [done(PRESS_UP, 0, tolerated=False), done(PRESS_UP, 1, dose=halved, tolerated=None)]
    mornings = [morning(0, back=3), morning(1, back=5), morning(2, back=7)]
    course = advance(item, results, mornings, today=day(2), start=day(0), library=LIBRARY)
    step = course.steps[0]
    assert step.action == "suspend" and step.changed
    assert {"DS-07", "PM-41"} <= set(step.rules) and step.tier is Tier.REFER
    assert course.tier is Tier.REFER


@pytest.mark.rule("PM-41", fires=False)
def test_a_bad_morning_with_a_good_one_before_it_only_regresses() -> None:
    item = (CourseItem(PRESS_UP, PRESS_15, since=day(1)),)
    results = [done(PRESS_UP, 0, tolerated=True), done(PRESS_UP, 1, dose=PRESS_15, tolerated=None)]
    mornings = [morning(0), morning(1), morning(2, back=6)]
    course = advance(item, results, mornings, today=day(2), start=day(0), library=LIBRARY)
    assert course.steps[0].action == "regress" and "PM-41" not in course.steps[0].rules


def test_a_suspended_exercise_stays_suspended_and_is_no_change() -> None:
    item = (CourseItem(PRESS_UP, PRESS_10, suspended=True, suspended_by=("DS-07", "PM-41")),)
    course = advance(item, [], steady(range(6)), today=day(5), start=day(0), library=LIBRARY)
    assert course.steps[0].action == "suspend" and not course.steps[0].changed
    assert course.steps[0].rules == ()


@pytest.mark.rule("ND-05", fires=True)
def test_a_red_glide_goes_back_to_the_slider() -> None:
    item = (CourseItem(GLIDE, TENSIONER, since=day(20)),)
    results = [done(GLIDE, 20, R, tolerated=None, dose=TENSIONER)]
    course = advance(item, results, steady(range(19, 22)), today=day(21), start=day(0), library=LIBRARY)
    step = course.steps[0]
    assert step.action == "regress" and step.dose == SLIDER and step.rules == ("ND-05",)


@pytest.mark.rule("ND-05", fires=True)
def test_a_second_red_glide_within_two_weeks_suspends_it_across_the_step_back() -> None:
    item = (CourseItem(GLIDE, SLIDER, since=day(21)),)
    results = [done(GLIDE, 20, R, dose=TENSIONER), done(GLIDE, 22, R, tolerated=None)]
    course = advance(item, results, steady(range(19, 24)), today=day(23), start=day(0), library=LIBRARY)
    step = course.steps[0]
    assert step.action == "suspend" and "ND-05" in step.rules and step.tier is Tier.REFER


# --------------------------------------------------------------------------- flare (PM-43)


def _flare_mornings() -> list[MorningCheck]:
    return [*steady(range(7)), morning(7, back=6), morning(8, back=6)]


@pytest.mark.rule("PM-43", fires=True)
def test_a_flare_drops_walt_to_the_gentlest_dose_and_asks_the_safety_questions_again() -> None:
    item = (CourseItem(KNEE, WALT_KNEE),)
    course = advance(item, [], _flare_mornings(), today=day(8), start=day(0), library=LIBRARY, bias="flexion")
    assert course.in_flare and course.flare.flare and course.rescreen
    assert "PM-43" in course.rules
    step = course.steps[0]
    assert step.dose == Dose(1, 2, 15, True) and step.action == "regress" and step.changed
    assert step.rules == ("DS-06", "PM-43")


def test_during_a_flare_an_exercise_against_the_programmes_direction_is_paused() -> None:
    # a knee hug brought back into Dana's extension programme (DPT-20, after two weeks)
    items = (*DANA, CourseItem(KNEE, Dose(1, 2, 15, True)))
    course = advance(
        items, [], _flare_mornings(), today=day(8), start=day(0), library=LIBRARY, bias="extension"
    )
    knee = step_of(course, KNEE)
    assert knee.action == "suspend" and knee.changed and knee.rules == ("PM-43",)
    assert step_of(course, PRESS_UP).action != "suspend"


@pytest.mark.rule("PM-43", fires=True)
def test_two_green_days_end_the_flare_and_the_paused_exercise_comes_back() -> None:
    knee = Dose(1, 2, 15, True)
    items = (
        CourseItem(PRESS_UP, PRESS_10, since=day(8)),
        CourseItem(KNEE, knee, suspended=True, suspended_by=("PM-43",)),
    )
    results = [done(PRESS_UP, 8), done(PRESS_UP, 9, tolerated=None)]
    mornings = [*_flare_mornings(), morning(9), morning(10)]
    course = advance(items, results, mornings, today=day(10), start=day(0), library=LIBRARY, bias="extension")
    assert not course.in_flare and course.flare_end is not None and course.flare_end.over
    assert (
        "PM-43" in course.rules and "two good days" in dict((r.rule, r.text) for r in course.reasons)["PM-43"]
    )
    back = step_of(course, KNEE)
    assert back.action == "hold" and back.changed and back.dose == knee
    # the next morning the flare is simply over: no news, nothing changes
    later = advance(
        (items[0], CourseItem(KNEE, knee)),
        results,
        [*mornings, morning(11)],
        today=day(11),
        start=day(0),
        library=LIBRARY,
        bias="extension",
    )
    assert later.flare_end is None and "PM-43" not in later.rules


@pytest.mark.rule("PM-43", fires=False)
def test_while_the_flare_lasts_a_paused_exercise_stays_paused() -> None:
    items = (CourseItem(KNEE, Dose(1, 2, 15, True), suspended=True, suspended_by=("PM-43",)),)
    mornings = [*_flare_mornings(), morning(9)]
    course = advance(items, [], mornings, today=day(9), start=day(0), library=LIBRARY, bias="extension")
    assert course.in_flare and not course.flare.flare  # found on day 8, still on
    assert course.steps[0].action == "suspend" and not course.steps[0].changed


# --------------------------------------------------------------------------- weekly trend, review


def _rising_mornings() -> list[MorningCheck]:
    # weekly averages about 2.4, 4.4, 6.4: up 2 two weeks running, never a two-day flare
    return [morning(n, back=2 + (2 * n) // 7, leg=0) for n in range(21)]


@pytest.mark.rule("PM-42", fires=True)
def test_pain_rising_two_weeks_running_pauses_progression_and_suggests_a_therapist() -> None:
    results = [done(PRESS_UP, n) for n in (17, 18)] + [done(PRESS_UP, 19, tolerated=None)]
    course = advance(
        (CourseItem(PRESS_UP, PRESS_10),),
        results,
        _rising_mornings(),
        today=day(20),
        start=day(0),
        library=LIBRARY,
    )
    assert course.trend.stop and not course.in_flare
    assert course.steps[0].action == "hold" and "PM-42" in course.steps[0].rules
    assert "PM-42" in course.rules and course.tier is Tier.REFER


@pytest.mark.rule("PM-42", fires=False)
def test_steady_mornings_do_not_pause_progression() -> None:
    course = advance(DANA, [], steady(range(21)), today=day(20), start=day(0), library=LIBRARY)
    assert not course.trend.stop and "PM-42" not in course.rules


def test_weekly_morning_pain_is_the_worse_of_back_and_leg_and_a_week_without_check_ins_ends_the_run() -> None:
    mornings = [morning(0, back=2, leg=6), morning(14, back=4, leg=1)]
    assert weekly_morning_pain(mornings, day(14)) == (4.0,)
    assert weekly_morning_pain([morning(6, back=2, leg=6), morning(10, back=3, leg=1)], day(13)) == (6.0, 3.0)


@pytest.mark.rule("DS-08", fires=True)
def test_four_weeks_in_the_course_says_it_is_time_to_review() -> None:
    course = advance(DANA, [], steady(range(26, 29)), today=day(28), start=day(0), library=LIBRARY)
    assert course.review.point == "4_weeks" and "DS-08" in course.rules


@pytest.mark.rule("DS-08", fires=False)
def test_in_the_first_weeks_there_is_no_review_point() -> None:
    course = advance(DANA, [], steady(range(3)), today=day(2), start=day(0), library=LIBRARY)
    assert course.review.point == "none" and "DS-08" not in course.rules


# --------------------------------------------------------------------------- direction, fail closed


def test_the_programmes_direction_comes_from_its_decision_rules() -> None:
    assert bias_of(["DPT-20", "ND-01"]) == "extension"
    assert bias_of(("TBC-02", "DPT-21")) == "flexion"
    assert bias_of(["DPT-22"]) == "balanced" and bias_of([]) == "balanced"


def test_two_check_ins_on_one_day_are_refused() -> None:
    with pytest.raises(ValueError, match="two morning check-ins"):
        advance(DANA, [], [morning(1), morning(1, back=5)], today=day(1), start=day(0), library=LIBRARY)


def test_an_unknown_exercise_or_a_dose_outside_its_envelope_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown exercise"):
        advance((CourseItem("handstand", PRESS_10),), [], [], today=day(1), start=day(0), library=LIBRARY)
    with pytest.raises(ValueError, match="outside the envelope"):
        advance(
            (CourseItem(PRESS_UP, Dose(1, 10, 90, False)),),
            [],
            [],
            today=day(1),
            start=day(0),
            library=LIBRARY,
        )


def test_a_day_before_the_programme_began_is_refused() -> None:
    with pytest.raises(ValueError):
        advance(DANA, [], [], today=day(0), start=day(1), library=LIBRARY)
