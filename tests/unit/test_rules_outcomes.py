"""Outcome change against the minimal important change (OM, clinical-spec §6.1) and the reviews at
4 weeks (RF-17) and 6 weeks (DS-08). Dana (38, disc bulge) started at back pain 6; Walt (72, spinal
stenosis) at back pain 5."""

from __future__ import annotations

import datetime as dt

import pytest

from backhome.core.model import Tier
from backhome.core.rules import outcomes
from backhome.core.rules.outcomes import (
    improvement_review,
    is_recovered,
    pain_change,
    psfs_activity_change,
    psfs_change,
)

START = dt.date(2025, 3, 3)


def week(n: int) -> dt.date:
    return START + dt.timedelta(weeks=n)


def test_module_declares_the_rules_it_implements() -> None:
    assert set(outcomes.IMPLEMENTS) == {"OM-01", "OM-05", "OM-07", "OM-08", "RF-17"}


# --------------------------------------------------------------------------- OM-01


@pytest.mark.rule("OM-01", fires=True)
def test_danas_pain_down_from_six_to_four_is_a_meaningful_improvement() -> None:
    outcome = pain_change(6, 4)
    assert outcome.meaningful and outcome.change == -2
    assert outcome.rules == ("OM-01",)


@pytest.mark.rule("OM-01", fires=True)
def test_thirty_percent_less_pain_is_meaningful_even_when_it_is_one_point() -> None:
    assert pain_change(3, 2).meaningful


@pytest.mark.rule("OM-01", fires=True)
def test_no_pain_at_all_is_recovery() -> None:
    outcome = pain_change(2, 0)
    assert outcome.meaningful and is_recovered(0) and "pain-free" in outcome.reasons[0].text


@pytest.mark.rule("OM-01", fires=False)
def test_walts_pain_down_from_five_to_four_is_not_yet_meaningful() -> None:
    outcome = pain_change(5, 4)
    assert not outcome.meaningful and outcome.rules == () and not is_recovered(4)


@pytest.mark.rule("OM-01", fires=False)
def test_more_pain_is_never_a_meaningful_improvement() -> None:
    assert not pain_change(4, 7).meaningful


def test_an_impossible_pain_score_is_refused() -> None:
    with pytest.raises(ValueError, match="current"):
        pain_change(5, 11)


# --------------------------------------------------------------------------- OM-05


@pytest.mark.rule("OM-05", fires=True)
def test_a_two_point_rise_in_the_average_psfs_is_meaningful() -> None:
    outcome = psfs_change([3, 4, 5], [5, 6, 7])
    assert outcome.meaningful and outcome.change == pytest.approx(2.0)
    assert outcome.rules == ("OM-05",)


@pytest.mark.rule("OM-05", fires=True)
def test_three_points_better_at_one_chosen_activity_is_meaningful() -> None:
    assert psfs_activity_change(2, 5).meaningful


@pytest.mark.rule("OM-05", fires=False)
def test_small_psfs_changes_are_within_measurement_error() -> None:
    assert not psfs_change([3, 4, 5], [4, 5, 6]).meaningful
    outcome = psfs_activity_change(2, 4)
    assert not outcome.meaningful and outcome.rules == ()


def test_the_psfs_needs_three_to_five_activities() -> None:
    with pytest.raises(ValueError):
        psfs_change([3, 4], [5, 6])


# --------------------------------------------------------------------------- OM-08, RF-17, DS-08


@pytest.mark.rule("OM-08", fires=True)
@pytest.mark.rule("RF-17", fires=False)
@pytest.mark.rule("DS-08", fires=False)
def test_dana_better_in_pain_and_function_at_four_weeks_is_a_meaningful_improvement() -> None:
    review = improvement_review(
        start=START, today=week(4), baseline_pain=6, latest_pain=3, function=psfs_change([3, 3, 3], [6, 6, 6])
    )
    assert review.improved and review.tier is Tier.PROCEED
    assert review.rules == ("OM-08",)


@pytest.mark.rule("OM-08", fires=False)
def test_less_pain_without_any_function_measure_is_not_yet_the_full_improvement() -> None:
    review = improvement_review(start=START, today=week(4), baseline_pain=6, latest_pain=3)
    assert not review.improved and review.rules == () and review.tier is Tier.PROCEED


@pytest.mark.rule("RF-17", fires=True)
def test_walt_without_less_pain_after_four_weeks_should_see_a_clinician_soon() -> None:
    review = improvement_review(start=START, today=week(4), baseline_pain=5, latest_pain=4)
    assert review.tier is Tier.SOON and review.rules == ("RF-17",)


@pytest.mark.rule("RF-17", fires=False)
def test_no_review_tier_before_four_weeks() -> None:
    review = improvement_review(start=START, today=week(3), baseline_pain=5, latest_pain=5)
    assert review.tier is Tier.PROCEED and review.rules == ()


@pytest.mark.rule("DS-08", fires=True)
def test_less_pain_but_no_better_function_at_six_weeks_recommends_a_physio() -> None:
    review = improvement_review(
        start=START, today=week(6), baseline_pain=6, latest_pain=3, function=psfs_change([3, 3, 3], [4, 4, 4])
    )
    assert review.tier is Tier.REFER and review.rules == ("DS-08",)


@pytest.mark.rule("DS-08", fires=True)
@pytest.mark.rule("RF-17", fires=True)
def test_no_improvement_at_six_weeks_fires_both_and_the_more_severe_tier_wins() -> None:
    review = improvement_review(start=START, today=week(6), baseline_pain=5, latest_pain=5)
    assert review.rules == ("DS-08", "RF-17") and review.tier is Tier.SOON
