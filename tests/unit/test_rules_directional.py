"""The directional self-check (DPT, clinical-spec §3.4). Dana (38, disc bulge, pain into the thigh,
zone 3) tests extension; Walt (72, spinal stenosis) has extension blocked and tests flexion."""

from __future__ import annotations

import datetime as dt

import pytest

from backhome.core.model import (
    Block,
    Decision,
    Direction,
    Monitoring,
    MorningCheck,
    PainCheck,
    Response,
    Tier,
)
from backhome.core.rules import directional
from backhome.core.rules.directional import (
    DISCLAIMER,
    check_measurement,
    classify,
    combine,
    confirm_next_morning,
    may_test,
    may_test_second,
    procedure,
    retest_due,
    should_abort,
)

EXT, FLEX = Direction.EXTENSION, Direction.FLEXION
FAV, NONE, WORSE = Response.FAVOURABLE, Response.NO_EFFECT, Response.WORSE
DANA = PainCheck(back=4, leg=4, zone=3, numbness=False)
WALT = PainCheck(back=3, leg=3, zone=4, numbness=False)
NOON = dt.datetime(2025, 3, 3, 12, 0)


def pc(back: int, leg: int, zone: int, numbness: bool = False) -> PainCheck:
    return PainCheck(back, leg, zone, numbness)


def decision(tier: Tier = Tier.PROCEED, *blocks: Block) -> Decision:
    return Decision(tier, (), (), (), blocks, None, Monitoring.STRICT)


WALT_STENOSIS = decision(
    Tier.REFER, Block("prone-press-up", ("EL-06",), "Press-ups are not advised with spinal stenosis.")
)


def test_module_declares_the_rules_it_implements() -> None:
    assert set(directional.IMPLEMENTS) == {f"DPT-{n:02d}" for n in range(1, 13)} | {"DPT-25", "DPT-26"}


# --------------------------------------------------------------------------- DPT-01, DPT-02


@pytest.mark.rule("DPT-01", fires=True)
def test_walt_with_stenosis_does_not_test_extension() -> None:
    permission = may_test(EXT, WALT_STENOSIS, back_pain=3)
    assert not permission.allowed and permission.rules == ("DPT-01",)


@pytest.mark.rule("DPT-01", fires=True)
def test_no_self_check_when_back_pain_is_above_seven_or_the_tier_is_soon() -> None:
    assert not may_test(EXT, decision(), back_pain=8).allowed
    assert not may_test(FLEX, decision(Tier.SOON), back_pain=3).allowed


@pytest.mark.rule("DPT-01", fires=False)
def test_walt_with_stenosis_may_still_test_flexion() -> None:
    permission = may_test(FLEX, WALT_STENOSIS, back_pain=3)
    assert permission.allowed and permission.rules == ()


@pytest.mark.rule("DPT-01", fires=False)
def test_dana_at_pain_seven_may_test_extension() -> None:
    assert may_test(EXT, decision(), back_pain=7).allowed


@pytest.mark.rule("DPT-02", fires=True)
def test_the_second_direction_waits_at_least_an_hour_on_the_same_day() -> None:
    permission = may_test_second(NOON, now=NOON + dt.timedelta(minutes=40), back_at_baseline=True)
    assert not permission.allowed and permission.rules == ("DPT-02",)


@pytest.mark.rule("DPT-02", fires=True)
def test_after_an_hour_the_second_direction_still_waits_for_pain_to_return_to_baseline() -> None:
    assert not may_test_second(NOON, now=NOON + dt.timedelta(hours=2), back_at_baseline=False).allowed


@pytest.mark.rule("DPT-02", fires=False)
def test_the_second_direction_may_run_the_next_day() -> None:
    permission = may_test_second(NOON, now=NOON + dt.timedelta(days=1), back_at_baseline=False)
    assert permission.allowed and permission.rules == ()


# --------------------------------------------------------------------------- DPT-03


@pytest.mark.rule("DPT-03", fires=True)
def test_a_zone_beyond_the_foot_is_refused() -> None:
    with pytest.raises(ValueError, match=r"after\.zone"):
        classify(EXT, DANA, pc(4, 4, 6), DANA)


@pytest.mark.rule("DPT-03", fires=False)
def test_measurements_within_the_scales_are_accepted() -> None:
    check_measurement(pc(0, 10, 5))


# --------------------------------------------------------------------------- DPT-04, DPT-05, DPT-26


@pytest.mark.rule("DPT-04", fires=True)
@pytest.mark.rule("DPT-26", fires=True)
@pytest.mark.rule("DPT-05", fires=False)
def test_the_extension_check_starts_lying_on_the_stomach_and_shows_the_disclaimer() -> None:
    proc = procedure(EXT)
    assert proc.rules == ("DPT-04", "DPT-26")
    assert "stomach" in proc.steps[1] and "10 press-ups" in proc.steps[3]
    assert proc.disclaimer == DISCLAIMER
    assert "not a diagnosis" in DISCLAIMER and "physiotherapist" in DISCLAIMER


@pytest.mark.rule("DPT-05", fires=True)
@pytest.mark.rule("DPT-04", fires=False)
def test_the_flexion_check_uses_knees_to_chest() -> None:
    proc = procedure(FLEX)
    assert proc.rules == ("DPT-05", "DPT-26")
    assert any("both knees" in step for step in proc.steps)


@pytest.mark.rule("DPT-26", fires=False)
def test_a_refused_self_check_shows_no_disclaimer_because_no_check_runs() -> None:
    assert "DPT-26" not in may_test(EXT, WALT_STENOSIS, back_pain=3).rules


def test_the_cat_camel_direction_is_not_a_self_check() -> None:
    with pytest.raises(ValueError):
        procedure(Direction.BOTH)


# --------------------------------------------------------------------------- DPT-06, DPT-10


@pytest.mark.rule("DPT-06", fires=True)
def test_leg_pain_up_one_point_stops_the_check_at_once() -> None:
    abort = should_abort(DANA, pc(4, 5, 3))
    assert abort.abort and abort.rules == ("DPT-06",)


@pytest.mark.rule("DPT-06", fires=True)
def test_back_pain_up_three_points_or_above_seven_stops_the_check() -> None:
    assert should_abort(DANA, pc(7, 4, 3)).abort
    assert should_abort(pc(6, 0, 1), pc(8, 0, 1)).abort


@pytest.mark.rule("DPT-06", fires=False)
def test_central_back_pain_up_two_points_does_not_stop_the_check() -> None:
    abort = should_abort(DANA, pc(6, 4, 3))
    assert not abort.abort and abort.rules == ()


@pytest.mark.rule("DPT-10", fires=True)
@pytest.mark.rule("DPT-06", fires=True)
def test_pain_spreading_below_the_knee_during_press_ups_makes_extension_worse() -> None:
    result = classify(EXT, DANA, pc(4, 4, 4), pc(4, 4, 4))
    assert result.response is WORSE
    assert result.rules == ("DPT-06", "DPT-10", "DPT-26")


@pytest.mark.rule("DPT-10", fires=True)
def test_new_numbness_still_there_at_the_recheck_makes_the_direction_worse() -> None:
    result = classify(FLEX, WALT, WALT, pc(3, 3, 4, numbness=True))
    assert result.response is WORSE and "DPT-10" in result.rules and "DPT-06" not in result.rules


@pytest.mark.rule("DPT-10", fires=False)
def test_no_change_at_all_is_not_worse() -> None:
    result = classify(FLEX, WALT, WALT, WALT)
    assert result.response is NONE and "DPT-10" not in result.rules


# --------------------------------------------------------------------------- DPT-07


@pytest.mark.rule("DPT-07", fires=True)
def test_danas_thigh_pain_moving_to_the_buttock_and_staying_there_is_centralization() -> None:
    result = classify(EXT, DANA, pc(5, 2, 2), pc(4, 2, 2))
    assert result.response is FAV and result.rules == ("DPT-07", "DPT-26")


@pytest.mark.rule("DPT-07", fires=True)
def test_in_strict_mode_centralization_with_a_lasting_two_point_back_rise_is_not_favourable() -> None:
    result = classify(EXT, DANA, pc(6, 2, 2), pc(6, 2, 2), Monitoring.STRICT)
    assert result.response is NONE
    assert "DPT-07" in result.rules and "DPT-09" in result.rules


def test_in_monitored_mode_the_same_centralization_is_favourable() -> None:
    assert classify(EXT, DANA, pc(6, 2, 2), pc(6, 2, 2), Monitoring.MONITORED).response is FAV


@pytest.mark.rule("DPT-07", fires=False)
def test_centralization_that_is_gone_at_the_recheck_does_not_count() -> None:
    result = classify(EXT, DANA, pc(4, 4, 2), pc(4, 4, 3))
    assert "DPT-07" not in result.rules and result.response is NONE


# --------------------------------------------------------------------------- DPT-08, DPT-09


@pytest.mark.rule("DPT-08", fires=True)
def test_leg_pain_down_two_points_and_still_down_at_the_recheck_is_favourable() -> None:
    result = classify(FLEX, WALT, pc(3, 1, 4), pc(3, 1, 4))
    assert result.response is FAV and result.rules == ("DPT-08", "DPT-26")


@pytest.mark.rule("DPT-08", fires=False)
@pytest.mark.rule("DPT-09", fires=True)
def test_relief_that_fades_by_the_recheck_is_no_effect() -> None:
    result = classify(FLEX, WALT, pc(3, 1, 4), pc(3, 2, 4))
    assert result.response is NONE and result.rules == ("DPT-09", "DPT-26")


@pytest.mark.rule("DPT-09", fires=False)
def test_a_favourable_result_is_not_no_effect() -> None:
    assert "DPT-09" not in classify(FLEX, WALT, pc(1, 3, 4), pc(1, 3, 4)).rules


# --------------------------------------------------------------------------- DPT-11


@pytest.mark.rule("DPT-11", fires=True)
def test_favourable_extension_and_worse_flexion_give_an_extension_preference() -> None:
    pref = combine(FAV, WORSE)
    assert pref.label == "extension" and pref.rules == ("DPT-11",)


@pytest.mark.rule("DPT-11", fires=True)
def test_the_four_preferences() -> None:
    assert combine(NONE, FAV).label == "flexion"
    assert combine(FAV, FAV).label == "both"
    assert combine(NONE, WORSE).label == "none"
    assert combine(FAV, None).label == "extension"


@pytest.mark.rule("DPT-11", fires=False)
def test_without_any_self_check_there_is_no_preference_result() -> None:
    pref = combine(None, None)
    assert pref.label is None and pref.rules == ()


# --------------------------------------------------------------------------- DPT-12


@pytest.mark.rule("DPT-12", fires=True)
def test_a_bad_next_morning_downgrades_a_favourable_extension_to_worse() -> None:
    result = classify(EXT, DANA, pc(5, 2, 2), pc(4, 2, 2))
    morning = MorningCheck(dt.date(2025, 3, 4), back=6, leg=4, zone=3, stiffness="none")
    confirmed = confirm_next_morning(result, DANA, morning)
    assert confirmed.response is WORSE
    assert confirmed.rules == ("DPT-07", "DPT-12", "DPT-26")


@pytest.mark.rule("DPT-12", fires=False)
def test_a_steady_next_morning_confirms_the_result() -> None:
    result = classify(EXT, DANA, pc(5, 2, 2), pc(4, 2, 2))
    morning = MorningCheck(dt.date(2025, 3, 4), back=5, leg=3, zone=3, stiffness="none")
    assert confirm_next_morning(result, DANA, morning) == result


# --------------------------------------------------------------------------- DPT-25


@pytest.mark.rule("DPT-25", fires=True)
def test_the_self_check_is_due_again_after_two_weeks_or_a_flare() -> None:
    tested = dt.date(2025, 3, 3)
    assert retest_due(tested, today=dt.date(2025, 3, 17)).rules == ("DPT-25",)
    assert retest_due(tested, today=dt.date(2025, 3, 8), flare_since=True).due


@pytest.mark.rule("DPT-25", fires=False)
def test_the_self_check_is_not_due_again_after_one_quiet_week() -> None:
    retest = retest_due(dt.date(2025, 3, 3), today=dt.date(2025, 3, 10))
    assert not retest.due and retest.rules == ()
