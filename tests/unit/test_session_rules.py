"""The rules of one guided session (backhome.core.rules.session): which check PM-12 and PM-13 compare
with, PM-14 before the first exercise, and DS-01 for a whole programme. Dana does the press-up, the
cat-camel and the nerve glide once a day."""

from __future__ import annotations

import pytest

from backhome.core.model import Light, Monitoring, PainCheck
from backhome.core.rules.monitor import evaluate
from backhome.core.rules.session import pre_exercise_check, stop_before_start, todays_exercises

rule = pytest.mark.rule

DANA_BEFORE = PainCheck(back=4, leg=3, zone=3, numbness=False)
DANA = ("prone-press-up", "cat-camel", "sciatic-nerve-glide")


# --------------------------------------------------------------------------- the pre-exercise value


def test_the_first_exercise_is_compared_with_the_check_before_the_session() -> None:
    assert pre_exercise_check(DANA_BEFORE, []) == DANA_BEFORE


def test_a_later_exercise_is_compared_with_the_check_after_the_one_before_it() -> None:
    first = PainCheck(back=3, leg=3, zone=3, numbness=False)
    second = PainCheck(back=3, leg=2, zone=2, numbness=False)
    assert pre_exercise_check(DANA_BEFORE, [first, second]) == second


def test_a_skipped_exercise_has_no_check_so_the_one_before_it_counts() -> None:
    first = PainCheck(back=3, leg=2, zone=3, numbness=False)
    assert pre_exercise_check(DANA_BEFORE, [first, None]) == first
    assert pre_exercise_check(DANA_BEFORE, [None, None]) == DANA_BEFORE


@rule("PM-12", fires=True)
def test_leg_pain_above_the_last_check_is_red_even_when_it_is_below_the_session_start() -> None:
    # leg 3 before the session, 1 after the press-up, 2 after the cat-camel: up 1 on its own check.
    after_press_up = PainCheck(back=4, leg=1, zone=3, numbness=False)
    after_cat_camel = PainCheck(back=4, leg=2, zone=3, numbness=False)
    before = pre_exercise_check(DANA_BEFORE, [after_press_up])
    result = evaluate(before, after_cat_camel, Monitoring.STRICT)
    assert result.light is Light.RED
    assert result.rules == ("PM-12",)
    assert result.end_session


# --------------------------------------------------------------------------- PM-14 before the start


@rule("PM-14", fires=True)
def test_a_warning_sign_before_the_session_stops_it_before_the_first_exercise() -> None:
    result = stop_before_start(PainCheck(back=4, leg=3, zone=3, numbness=False, red_flag=True))
    assert result is not None
    assert result.light is Light.RED
    assert result.end_session and result.rescreen
    assert result.rules == ("PM-14",)
    assert "safety questions" in result.advice


@rule("PM-14", fires=False)
def test_without_a_warning_sign_the_session_may_start() -> None:
    assert stop_before_start(DANA_BEFORE) is None
    assert stop_before_start(DANA_BEFORE, Monitoring.MONITORED) is None


# --------------------------------------------------------------------------- DS-01


@rule("DS-01", fires=False)
def test_the_first_session_of_the_day_has_every_exercise() -> None:
    today = todays_exercises(DANA, sessions_today=0, programme_rules=["DPT-20", "PM-00"])
    assert today.allowed == DANA
    assert today.refused == ()
    assert today.rules == ()


@rule("DS-01", fires=True)
def test_a_second_session_the_same_day_has_no_exercise_left() -> None:
    today = todays_exercises(DANA, sessions_today=1, programme_rules=["DPT-20", "PM-00"])
    assert today.allowed == ()
    assert today.refused == DANA
    assert today.rules == ("DS-01",)
    assert "tomorrow" in today.reasons[0].text


@rule("DS-01", fires=True)
def test_in_the_symptom_modulation_stage_only_the_extension_work_may_be_repeated() -> None:
    programme = ("prone-lying", "cat-camel", "sciatic-nerve-glide")
    rules = ["DPT-20", "TBC-05"]
    second = todays_exercises(programme, sessions_today=1, programme_rules=rules)
    assert second.allowed == ("prone-lying",)
    assert second.refused == ("cat-camel", "sciatic-nerve-glide")
    assert second.rules == ("DS-01",)
    fifth = todays_exercises(programme, sessions_today=4, programme_rules=rules)
    assert fifth.allowed == ("prone-lying",)
    sixth = todays_exercises(programme, sessions_today=5, programme_rules=rules)
    assert sixth.allowed == ()
    assert "5 times" in sixth.reasons[0].text


def test_high_pain_without_an_extension_preference_gives_no_extra_sessions() -> None:
    programme = ("single-knee-to-chest", "cat-camel")
    second = todays_exercises(programme, sessions_today=1, programme_rules=["TBC-05", "DPT-21"])
    assert second.allowed == ()
