"""Safety rules around the screen (B25, B26, B30, RF-19, RF-21, RF-23, SB-13, ND-04, OM-07), firing and not."""

from __future__ import annotations

import datetime as dt

import pytest

from backhome.core.engine import decide
from backhome.core.library.load import default_library
from backhome.core.model import PainCheck, Response, Tier
from backhome.core.questionnaires import psfs
from backhome.core.rules.monitor import evaluate
from backhome.core.rules.outcomes import psfs_due
from backhome.core.rules.safety import (
    IMAGING_TEXT,
    Override,
    OverrideRefused,
    SpondyloarthritisAnswers,
    Stop,
    after_rescreen,
    apply_override,
    axial_spondyloarthritis,
    glide_symptoms,
    imaging_advice,
    rescreen_before_session,
    startback_due,
    stop_for,
    stop_release,
)
from tests.builders import dana, make_intake, walt

rule = pytest.mark.rule
DAY = dt.date(2026, 3, 2)
LIBRARY = default_library()


# --------------------------------------------------------------------------- B25 / RF-21


@rule("RF-21", fires=True)
def test_something_new_before_a_session_asks_the_safety_questions_again() -> None:
    answer = rescreen_before_session(new_or_different=True)
    assert answer.holds and answer.rules == ("RF-21",)
    assert "safety questions again" in answer.reasons[0].text


@rule("RF-21", fires=False)
def test_nothing_new_before_a_session_needs_no_rescreen() -> None:
    assert rescreen_before_session(new_or_different=False).holds is False


@rule("RF-21", fires=True)
def test_the_new_screen_replaces_the_old_decision_even_when_it_is_an_emergency() -> None:
    old = decide(dana())
    new = decide(dana(symptoms={"saddle_numbness": True}))
    current = after_rescreen(old, new)
    assert current.tier is Tier.EMERGENCY and current.exercises == ()
    assert "RF-21" in current.rules and "replaces your earlier one" in (current.reason_for("RF-21") or "")


# --------------------------------------------------------------------------- B30 stops kept


def test_a_red_check_makes_a_stop_kept_by_its_strictest_rule_and_green_makes_none() -> None:
    before = PainCheck(back=3, leg=3, zone=3, numbness=False)
    spread = evaluate(before, PainCheck(back=3, leg=5, zone=4, numbness=False))
    assert {"PM-10", "PM-12"} <= set(spread.rules)
    assert stop_for("sciatic-nerve-glide", spread, DAY) == Stop("sciatic-nerve-glide", "PM-10", DAY)
    assert stop_for("sciatic-nerve-glide", evaluate(before, before), DAY) is None


def test_a_glide_stopped_because_pain_spread_stays_out_the_next_day_and_after_two_weeks() -> None:
    stop = Stop("sciatic-nerve-glide", "PM-10", DAY)
    for later in (DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=30)):
        release = stop_release(stop, today=later, library=LIBRARY)
        assert release.may_return is False and "reviewed" in release.reasons[0].text


def test_a_glide_stopped_because_pain_spread_returns_only_when_a_clinician_clears_it() -> None:
    stop = Stop("sciatic-nerve-glide", "PM-10", DAY)
    release = stop_release(stop, today=DAY + dt.timedelta(days=3), library=LIBRARY, cleared_by_clinician=True)
    assert release.may_return and release.by == "clinician"


def test_a_press_up_stopped_because_pain_spread_returns_after_a_retest_two_weeks_later_not_worse() -> None:
    stop = Stop("prone-press-up", "PM-10", DAY)
    soon = stop_release(
        stop,
        today=DAY + dt.timedelta(days=10),
        library=LIBRARY,
        retest=(DAY + dt.timedelta(days=10), Response.NO_EFFECT),
    )
    assert soon.may_return is False
    still_worse = stop_release(
        stop,
        today=DAY + dt.timedelta(days=15),
        library=LIBRARY,
        retest=(DAY + dt.timedelta(days=15), Response.WORSE),
    )
    assert still_worse.may_return is False
    later = stop_release(
        stop,
        today=DAY + dt.timedelta(days=15),
        library=LIBRARY,
        retest=(DAY + dt.timedelta(days=15), Response.NO_EFFECT),
    )
    assert later.may_return and later.by == "DPT-24"


def test_a_leg_pain_stop_keeps_the_exercise_out_today_and_releases_it_tomorrow() -> None:
    stop = Stop("childs-pose", "PM-12", DAY)
    assert stop_release(stop, today=DAY, library=LIBRARY).may_return is False
    tomorrow = stop_release(stop, today=DAY + dt.timedelta(days=1), library=LIBRARY)
    assert tomorrow.may_return and tomorrow.by == "PM-12"


def test_a_numbness_stop_waits_for_a_clear_quick_check() -> None:
    stop = Stop("cat-camel", "PM-11", DAY)
    assert stop_release(stop, today=DAY + dt.timedelta(days=1), library=LIBRARY).may_return is False
    clear = stop_release(stop, today=DAY + dt.timedelta(days=1), library=LIBRARY, quick_check_clear_on=DAY)
    assert clear.may_return and clear.by == "PM-11"


def test_a_suspension_after_repeated_trouble_needs_a_clinician() -> None:
    stop = Stop("single-knee-to-chest", "PM-41", DAY)
    assert stop_release(stop, today=DAY + dt.timedelta(days=60), library=LIBRARY).may_return is False


def test_a_rule_that_stops_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="does not stop"):
        stop_release(Stop("cat-camel", "PM-30", DAY), today=DAY, library=LIBRARY)


# --------------------------------------------------------------------------- B26 clinician override


def _override(
    exercise_id: str, rule_id: str, reason: str = "Reviewed in clinic; the fracture has healed."
) -> Override:
    return Override(exercise_id, rule_id, reason, "Jo Physio", dt.datetime(2026, 3, 2, 10, 0))


def test_a_clinician_clears_a_fracture_block_on_the_press_up_with_a_reason() -> None:
    decision = decide(make_intake(history={"vertebral_fracture": True}))
    cleared = apply_override(decision, _override("prone-press-up", "EL-04"), LIBRARY)
    assert "prone-press-up" in [p.exercise_id for p in cleared.exercises]
    assert "prone-press-up" not in [b.exercise_id for b in cleared.blocked]
    assert "Jo Physio cleared" in (cleared.reason_for("EL-04") or "")
    assert cleared.tier is decision.tier


def test_an_exercise_held_by_two_rules_stays_held_until_both_are_cleared() -> None:
    decision = decide(make_intake(age=72, history={"spinal_stenosis": True, "vertebral_fracture": True}))
    cleared = apply_override(decision, _override("prone-press-up", "EL-04"), LIBRARY)
    assert "prone-press-up" not in [p.exercise_id for p in cleared.exercises]
    assert {b.exercise_id: b.rules for b in cleared.blocked}["prone-press-up"] == ("DPT-21", "EL-06")


def test_a_cleared_glide_starts_as_the_slider() -> None:
    decision = decide(dana(history={"lumbar_surgery": "recent"}))
    cleared = apply_override(decision, _override("sciatic-nerve-glide", "EL-03"), LIBRARY)
    glide = next(p for p in cleared.exercises if p.exercise_id == "sciatic-nerve-glide")
    assert glide.dose.mode == "slider"


@pytest.mark.parametrize(
    "intake",
    [
        make_intake(symptoms={"saddle_numbness": True}),
        make_intake(symptoms={"fever": True}),
        make_intake(history={"cancer": True}),
    ],
    ids=["emergency", "urgent", "soon"],
)
def test_no_clinician_override_lowers_an_emergency_urgent_or_soon_tier(intake: object) -> None:
    decision = decide(intake)  # type: ignore[arg-type]  # parametrised Intake
    with pytest.raises(OverrideRefused, match="only a new screen"):
        apply_override(decision, _override("prone-press-up", "EL-04"), LIBRARY)


def test_an_override_without_a_written_reason_or_of_a_block_that_is_not_there_is_refused() -> None:
    decision = decide(make_intake(history={"vertebral_fracture": True}))
    with pytest.raises(OverrideRefused, match="written reason"):
        apply_override(decision, _override("prone-press-up", "EL-04", reason="  "), LIBRARY)
    with pytest.raises(OverrideRefused, match="not held back by EL-06"):
        apply_override(decision, _override("prone-press-up", "EL-06"), LIBRARY)


# --------------------------------------------------------------------------- RF-19


def _spa(**changes: object) -> SpondyloarthritisAnswers:
    answers: dict[str, object] = {
        "onset_age": 28,
        "months": 8,
        "night_waking": True,
        "buttock_pain": True,
        "better_with_movement": True,
        "better_with_nsaids": False,
        "relative_with_spondyloarthritis": False,
        "arthritis": False,
        "enthesitis": False,
        "psoriasis": False,
    }
    answers.update(changes)
    return SpondyloarthritisAnswers(**answers)  # type: ignore[arg-type]  # built from a dict of answers


@rule("RF-19", fires=True)
def test_young_onset_lasting_back_pain_with_four_criteria_is_soon() -> None:
    answer = axial_spondyloarthritis(_spa())  # onset before 35 + three more
    assert answer.holds and answer.tier is Tier.SOON and answer.rules == ("RF-19",)
    assert "rheumatologist" in answer.reasons[0].text


@rule("RF-19", fires=True)
def test_exactly_three_criteria_is_advice_without_a_change_of_tier() -> None:
    answer = axial_spondyloarthritis(_spa(onset_age=40))
    assert answer.holds and answer.tier is Tier.PROCEED and "blood test" in answer.reasons[0].text


@rule("RF-19", fires=False)
def test_back_pain_that_started_at_45_or_lasted_3_months_is_not_rf19() -> None:
    assert axial_spondyloarthritis(_spa(onset_age=45)).holds is False
    assert axial_spondyloarthritis(_spa(months=3)).holds is False
    assert axial_spondyloarthritis(_spa(onset_age=40, night_waking=False)).holds is False


# --------------------------------------------------------------------------- RF-23


@rule("RF-23", fires=True)
def test_a_programme_comes_with_the_advice_that_scans_are_not_routinely_needed() -> None:
    answer = imaging_advice(decide(walt()).tier)
    assert answer.holds and answer.rules == ("RF-23",)
    assert "does not need a scan" in answer.reasons[0].text


@rule("RF-23", fires=False)
def test_no_imaging_advice_when_a_clinician_must_see_the_person() -> None:
    assert imaging_advice(Tier.EMERGENCY).holds is False
    assert imaging_advice(Tier.SOON).holds is False


def test_no_text_of_the_core_recommends_imaging() -> None:
    import re
    from pathlib import Path

    import backhome.core

    root = Path(backhome.core.__file__).parent
    # "you need a scan" is advice to have one; "does not need a scan" (RF-23's own text) is not
    pattern = re.compile(r"(?<!not )\b(get|have|book|ask for|need) (an? )?(scan|x-ray|mri)\b", re.IGNORECASE)
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.suffix in {".py", ".toml"} and pattern.search(path.read_text("utf-8"))
    ]
    assert offenders == [] and "Your doctor will say" in IMAGING_TEXT


# --------------------------------------------------------------------------- SB-13


@rule("SB-13", fires=True)
def test_startback_is_asked_again_four_weeks_into_the_programme() -> None:
    due = startback_due(programme_start=DAY, today=DAY + dt.timedelta(days=28), last_asked=DAY)
    assert due.holds and due.rules == ("SB-13",)


@rule("SB-13", fires=True)
def test_startback_is_asked_again_at_a_new_episode() -> None:
    due = startback_due(
        programme_start=DAY, today=DAY + dt.timedelta(days=10), last_asked=DAY, new_episode=True
    )
    assert due.holds and "new episode" in due.reasons[0].text


@rule("SB-13", fires=False)
def test_startback_is_not_due_at_three_weeks_or_once_asked_after_four() -> None:
    assert (
        startback_due(programme_start=DAY, today=DAY + dt.timedelta(days=21), last_asked=DAY).holds is False
    )
    asked = DAY + dt.timedelta(days=30)
    assert (
        startback_due(programme_start=DAY, today=DAY + dt.timedelta(days=40), last_asked=asked).holds is False
    )


# --------------------------------------------------------------------------- ND-04


@rule("ND-04", fires=True)
def test_leg_tingling_that_outlasts_the_movement_stops_the_glide() -> None:
    answer = glide_symptoms(tingling_or_pain=True, outlasts_movement=True)
    assert answer.holds and answer.rules == ("ND-04",) and "stop the nerve glide" in answer.reasons[0].text


@rule("ND-04", fires=False)
def test_a_tingle_that_goes_as_the_leg_eases_back_does_not_stop_the_glide() -> None:
    assert glide_symptoms(tingling_or_pain=True, outlasts_movement=False).holds is False
    assert glide_symptoms(tingling_or_pain=False, outlasts_movement=False).holds is False


# --------------------------------------------------------------------------- OM-05 / OM-07 PSFS


@rule("OM-07", fires=True)
def test_the_psfs_is_asked_at_the_start_and_a_week_later() -> None:
    assert psfs_due(programme_start=DAY, today=DAY, last_asked=None).due
    weekly = psfs_due(programme_start=DAY, today=DAY + dt.timedelta(days=7), last_asked=DAY)
    assert weekly.due and weekly.rules == ("OM-07",)


@rule("OM-07", fires=False)
def test_the_psfs_is_not_asked_twice_in_a_week() -> None:
    assert psfs_due(programme_start=DAY, today=DAY + dt.timedelta(days=6), last_asked=DAY).due is False


def test_the_psfs_content_asks_for_3_to_5_activities_in_our_own_words() -> None:
    content = psfs()
    assert (content.min_activities, content.max_activities) == (3, 5)
    assert "3 to 5" in content.first_time.intro and "own words" in content.label
    assert content.anchors.low.startswith("0") and content.anchors.high.startswith("10")
