"""Pain monitoring (PM, clinical-spec §5): the traffic light for one exercise, the next morning, the
weekly trend and flares. Dana is 38 with a disc bulge and pain into the thigh (zone 3); Walt is 72
with spinal stenosis."""

from __future__ import annotations

import datetime as dt

import pytest

from backhome.core.model import (
    Dose,
    ExerciseResult,
    Light,
    Monitoring,
    MorningCheck,
    PainCheck,
    Tier,
)
from backhome.core.rules import monitor
from backhome.core.rules.monitor import (
    detect_flare,
    evaluate,
    flare_over,
    monitoring_mode,
    next_morning,
    repeated_intolerance,
    weekly_trend,
)

STRICT, MONITORED = Monitoring.STRICT, Monitoring.MONITORED
MONDAY = dt.date(2025, 3, 3)

#: Dana before her press-ups: back 4, leg 3, pain into the thigh (zone 3), no numbness.
DANA = PainCheck(back=4, leg=3, zone=3, numbness=False)
#: Walt before his knee-to-chest: back 3, leg 2, pain to the buttock (zone 2).
WALT = PainCheck(back=3, leg=2, zone=2, numbness=False)


def after(base: PainCheck, **change: int | bool) -> PainCheck:
    values = {
        "back": base.back,
        "leg": base.leg,
        "zone": base.zone,
        "numbness": base.numbness,
        "weakness": base.weakness,
        "red_flag": base.red_flag,
    }
    values.update(change)
    return PainCheck(**values)  # type: ignore[arg-type]


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def morning(n: int, back: int, leg: int = 2, zone: int = 3, stiffness: str = "none") -> MorningCheck:
    return MorningCheck(day(n), back, leg, zone, stiffness)  # type: ignore[arg-type]


def result(n: int, light: Light = Light.GREEN, tolerated: bool | None = True) -> ExerciseResult:
    return ExerciseResult("prone-press-up", day(n), Dose(1, 10, 10, False), light, tolerated)


def test_module_declares_the_rules_it_implements() -> None:
    assert set(monitor.IMPLEMENTS) == {
        "PM-00", "PM-10", "PM-11", "PM-12", "PM-13", "PM-14", "PM-20", "PM-30",
        "PM-40", "PM-41", "PM-42", "PM-43",
    }  # fmt: skip


# --------------------------------------------------------------------------- PM-00


@pytest.mark.rule("PM-00", fires=True)
def test_without_a_clinician_setting_the_careful_strict_mode_applies() -> None:
    choice = monitoring_mode(None)
    assert choice.mode is STRICT
    assert choice.rules == ("PM-00",)
    assert choice.reasons[0].rule == "PM-00"


@pytest.mark.rule("PM-00", fires=False)
def test_a_clinician_may_switch_walt_to_the_monitored_mode() -> None:
    choice = monitoring_mode(MONITORED)
    assert choice.mode is MONITORED
    assert choice.rules == ()


# --------------------------------------------------------------------------- PM-10


@pytest.mark.rule("PM-10", fires=True)
def test_pain_spreading_below_the_knee_is_red_ends_the_session_and_marks_the_direction_worse() -> None:
    check = evaluate(DANA, after(DANA, zone=4), STRICT)
    assert check.light is Light.RED
    assert check.end_session and check.direction_worse
    assert "PM-10" in check.rules
    assert "physical therapist" in check.advice


@pytest.mark.rule("PM-10", fires=False)
def test_pain_moving_back_up_from_the_thigh_to_the_buttock_does_not_mark_the_direction_worse() -> None:
    check = evaluate(DANA, after(DANA, zone=2), STRICT)
    assert "PM-10" not in check.rules
    assert not check.direction_worse
    assert check.light is Light.GREEN


# --------------------------------------------------------------------------- PM-11


@pytest.mark.rule("PM-11", fires=True)
def test_new_pins_and_needles_in_the_foot_end_the_session_and_ask_for_the_quick_check() -> None:
    check = evaluate(DANA, after(DANA, numbness=True), STRICT)
    assert check.light is Light.RED
    assert check.end_session and check.quick_check
    assert "PM-11" in check.rules


@pytest.mark.rule("PM-11", fires=True)
def test_leg_weakness_after_an_exercise_is_red_even_in_monitored_mode() -> None:
    check = evaluate(WALT, after(WALT, weakness=True), MONITORED)
    assert check.light is Light.RED and "PM-11" in check.rules


@pytest.mark.rule("PM-11", fires=False)
def test_numbness_that_was_already_there_before_the_exercise_is_not_new() -> None:
    numb = after(DANA, numbness=True)
    check = evaluate(numb, numb, STRICT)
    assert "PM-11" not in check.rules
    assert check.light is Light.GREEN


# --------------------------------------------------------------------------- PM-12


@pytest.mark.rule("PM-12", fires=True)
def test_in_strict_mode_one_more_point_of_leg_pain_is_red_and_ends_the_session() -> None:
    check = evaluate(DANA, after(DANA, leg=4), STRICT)
    assert check.light is Light.RED and check.end_session
    assert check.rules == ("PM-12",)


@pytest.mark.rule("PM-12", fires=True)
def test_in_monitored_mode_two_more_points_of_leg_pain_are_red() -> None:
    check = evaluate(WALT, after(WALT, leg=4), MONITORED)
    assert check.light is Light.RED and "PM-12" in check.rules


@pytest.mark.rule("PM-12", fires=True)
def test_in_monitored_mode_leg_pain_above_five_is_red() -> None:
    before = after(WALT, leg=5)
    check = evaluate(before, after(before, leg=6), MONITORED)
    assert check.light is Light.RED and "PM-12" in check.rules


@pytest.mark.rule("PM-12", fires=False)
def test_in_monitored_mode_one_more_point_of_leg_pain_up_to_five_is_only_amber() -> None:
    check = evaluate(WALT, after(WALT, leg=3), MONITORED)
    assert "PM-12" not in check.rules
    assert check.light is Light.AMBER


# --------------------------------------------------------------------------- PM-13


@pytest.mark.rule("PM-13", fires=True)
def test_a_back_pain_rise_in_strict_mode_asks_for_a_recheck_after_five_minutes_rest() -> None:
    check = evaluate(DANA, after(DANA, back=5), STRICT)
    assert check.needs_recheck and check.recheck_minutes == 5
    assert check.light is Light.AMBER
    assert check.rules == ("PM-13",)
    assert not check.end_session


@pytest.mark.rule("PM-13", fires=True)
def test_a_back_pain_rise_that_has_not_settled_after_five_minutes_is_red_but_the_session_goes_on() -> None:
    check = evaluate(DANA, after(DANA, back=5), STRICT, settled=False)
    assert check.light is Light.RED
    assert check.rules == ("PM-13",)
    assert not check.end_session and not check.needs_recheck


@pytest.mark.rule("PM-13", fires=True)
def test_in_strict_mode_a_two_point_back_rise_is_red_even_when_it_settles() -> None:
    check = evaluate(DANA, after(DANA, back=6), STRICT, settled=True)
    assert check.light is Light.RED and check.rules == ("PM-13",)


@pytest.mark.rule("PM-13", fires=True)
def test_in_monitored_mode_back_pain_above_five_is_red() -> None:
    check = evaluate(WALT, after(WALT, back=6), MONITORED)
    assert check.light is Light.RED and check.rules == ("PM-13",)


@pytest.mark.rule("PM-13", fires=True)
def test_in_monitored_mode_a_two_point_back_rise_waits_thirty_minutes_then_is_red_if_unsettled() -> None:
    pending = evaluate(WALT, after(WALT, back=5), MONITORED)
    assert pending.needs_recheck and pending.recheck_minutes == 30
    assert evaluate(WALT, after(WALT, back=5), MONITORED, settled=False).light is Light.RED


@pytest.mark.rule("PM-13", fires=False)
def test_back_pain_that_stays_the_same_needs_no_recheck() -> None:
    check = evaluate(DANA, DANA, STRICT)
    assert "PM-13" not in check.rules and not check.needs_recheck


# --------------------------------------------------------------------------- PM-14


@pytest.mark.rule("PM-14", fires=True)
def test_a_red_flag_symptom_during_an_exercise_ends_the_session_and_reruns_the_screen() -> None:
    check = evaluate(WALT, after(WALT, red_flag=True), MONITORED)
    assert check.light is Light.RED
    assert check.end_session and check.rescreen
    assert "PM-14" in check.rules


@pytest.mark.rule("PM-14", fires=False)
def test_an_ordinary_exercise_does_not_rerun_the_red_flag_screen() -> None:
    check = evaluate(WALT, WALT, MONITORED)
    assert not check.rescreen and "PM-14" not in check.rules


# --------------------------------------------------------------------------- PM-20


@pytest.mark.rule("PM-20", fires=True)
def test_in_strict_mode_a_one_point_back_rise_that_settles_in_five_minutes_is_amber() -> None:
    check = evaluate(DANA, after(DANA, back=5), STRICT, settled=True)
    assert check.light is Light.AMBER
    assert check.rules == ("PM-20",)
    assert not check.needs_recheck


@pytest.mark.rule("PM-20", fires=True)
def test_in_monitored_mode_centralization_with_a_sorer_back_is_amber() -> None:
    check = evaluate(WALT, after(WALT, zone=1, back=4), MONITORED)
    assert check.light is Light.AMBER and check.rules == ("PM-20",)


@pytest.mark.rule("PM-20", fires=False)
def test_a_settled_back_rise_of_two_points_in_strict_mode_is_not_amber() -> None:
    check = evaluate(DANA, after(DANA, back=6), STRICT, settled=True)
    assert "PM-20" not in check.rules


# --------------------------------------------------------------------------- PM-30


@pytest.mark.rule("PM-30", fires=True)
def test_dana_with_less_pain_and_no_spreading_gets_green() -> None:
    check = evaluate(DANA, after(DANA, back=3, leg=2), STRICT)
    assert check.light is Light.GREEN
    assert check.rules == ("PM-30",)
    assert not (check.end_session or check.needs_recheck or check.direction_worse or check.rescreen)


@pytest.mark.rule("PM-30", fires=False)
def test_any_rise_in_leg_pain_is_not_green() -> None:
    check = evaluate(WALT, after(WALT, leg=3), MONITORED)
    assert check.light is not Light.GREEN and "PM-30" not in check.rules


def test_several_red_rules_are_all_listed_with_a_reason_each() -> None:
    check = evaluate(DANA, after(DANA, zone=4, leg=5, numbness=True), STRICT)
    assert check.rules == ("PM-10", "PM-11", "PM-12")
    assert [r.rule for r in check.reasons] == list(check.rules)


def test_an_out_of_range_pain_value_is_refused() -> None:
    with pytest.raises(ValueError, match=r"after\.leg"):
        evaluate(DANA, after(DANA, leg=11), STRICT)


# --------------------------------------------------------------------------- PM-40


@pytest.mark.rule("PM-40", fires=True)
def test_two_more_points_of_back_pain_next_morning_means_not_tolerated() -> None:
    verdict = next_morning(morning(1, back=6), morning(0, back=4))
    assert not verdict.tolerated and verdict.rules == ("PM-40",)


@pytest.mark.rule("PM-40", fires=True)
def test_longer_morning_stiffness_means_not_tolerated() -> None:
    verdict = next_morning(morning(1, 4, stiffness="30_min_or_more"), morning(0, 4, stiffness="under_30_min"))
    assert not verdict.tolerated and "stiff" in verdict.reasons[0].text


@pytest.mark.rule("PM-40", fires=True)
def test_pain_reaching_further_down_the_leg_next_morning_means_not_tolerated() -> None:
    assert not next_morning(morning(1, 4, zone=4), morning(0, 4, zone=3)).tolerated


@pytest.mark.rule("PM-40", fires=False)
def test_one_more_point_next_morning_is_still_tolerated() -> None:
    verdict = next_morning(morning(1, back=5, leg=3), morning(0, back=4, leg=2))
    assert verdict.tolerated and verdict.rules == ()


# --------------------------------------------------------------------------- PM-41


@pytest.mark.rule("PM-41", fires=True)
def test_two_bad_mornings_in_a_row_suspend_the_exercise_and_suggest_a_clinician() -> None:
    verdict = repeated_intolerance(
        [result(0), result(1, tolerated=False), result(2, tolerated=False)], "prone-press-up"
    )
    assert verdict.stop and verdict.tier is Tier.REFER
    assert verdict.rules == ("PM-41",)
    assert "2 to 3 days" in verdict.reasons[0].text


@pytest.mark.rule("PM-41", fires=False)
def test_two_bad_mornings_with_a_good_one_between_do_not_suspend() -> None:
    history = [result(0, tolerated=False), result(1), result(2, tolerated=False)]
    verdict = repeated_intolerance(history, "prone-press-up")
    assert not verdict.stop and verdict.tier is Tier.PROCEED and verdict.rules == ()


# --------------------------------------------------------------------------- PM-42


@pytest.mark.rule("PM-42", fires=True)
def test_average_pain_up_two_points_two_weeks_in_a_row_pauses_progression() -> None:
    verdict = weekly_trend([3.0, 5.0, 7.0])
    assert verdict.stop and verdict.tier is Tier.REFER and verdict.rules == ("PM-42",)


@pytest.mark.rule("PM-42", fires=False)
def test_a_single_bad_week_does_not_pause_progression() -> None:
    assert not weekly_trend([3.0, 3.0, 5.0]).stop
    assert not weekly_trend([3.0, 5.0, 6.5]).stop


# --------------------------------------------------------------------------- PM-43


def _steady_week() -> list[MorningCheck]:
    return [morning(n, back=3, leg=2) for n in range(7)]


@pytest.mark.rule("PM-43", fires=True)
def test_two_days_well_above_the_weekly_average_are_a_flare() -> None:
    mornings = [*_steady_week(), morning(7, back=6), morning(8, back=5)]
    flare = detect_flare(mornings, today=day(8))
    assert flare.flare and flare.rescreen and flare.rules == ("PM-43",)


@pytest.mark.rule("PM-43", fires=False)
def test_one_bad_day_is_not_a_flare() -> None:
    mornings = [*_steady_week(), morning(7, back=3), morning(8, back=6)]
    assert not detect_flare(mornings, today=day(8)).flare


@pytest.mark.rule("PM-43", fires=False)
def test_without_a_weeks_record_no_flare_is_found() -> None:
    mornings = [morning(7, back=6), morning(8, back=6)]
    assert not detect_flare(mornings, today=day(8)).flare


@pytest.mark.rule("PM-43", fires=True)
def test_a_flare_ends_after_two_green_days_in_a_row() -> None:
    results = [result(9, Light.AMBER), result(10), result(11)]
    end = flare_over(results, flare_start=day(8), today=day(11))
    assert end.over and end.rules == ("PM-43",)


@pytest.mark.rule("PM-43", fires=False)
def test_a_flare_does_not_end_with_green_days_that_are_not_consecutive() -> None:
    results = [result(9), result(11)]
    assert not flare_over(results, flare_start=day(8), today=day(11)).over
