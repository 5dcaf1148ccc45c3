"""The binding decisions B16-B31 that the core decides, each firing and not firing (clinical-spec)."""

from __future__ import annotations

import pytest

from backhome.core.engine import decide
from backhome.core.model import EXTENSION_FAMILY, FLEXION_STRETCHES, Context, Decision, Dose, Tier
from tests.builders import dana, make_intake, walt

rule = pytest.mark.rule


def ids(decision: Decision) -> list[str]:
    return [p.exercise_id for p in decision.exercises]


def blocked(decision: Decision) -> dict[str, tuple[str, ...]]:
    return {b.exercise_id: b.rules for b in decision.blocked}


def dose(decision: Decision, exercise_id: str) -> Dose:
    return next(p.dose for p in decision.exercises if p.exercise_id == exercise_id)


def long_standing_walt(**symptoms: object) -> Decision:
    """Walt (stenosis) answering yes to both legs, for over a year, not new or getting worse (B23)."""
    answers = {"both_legs": True, "both_legs_new_or_worse": False, **symptoms}
    return decide(walt(weeks=60, symptoms=answers))


# --------------------------------------------------------------------------- B16, B17 conflicting answers


@rule("RF-22", fires=True)
def test_leg_pain_with_symptoms_said_to_stay_in_the_back_is_read_as_reaching_the_buttock() -> None:
    decision = decide(make_intake(distal_zone=1, pain={"leg": 4}))
    text = decision.reason_for("RF-22") or ""
    assert "did not quite agree" in text and "buttock or leg" in text
    # B16: prescribing still reads the answers as given: no nerve glide without B8's leg symptoms
    assert "sciatic-nerve-glide" not in ids(decision)


@rule("RF-22", fires=True)
def test_numbness_counts_as_a_nerve_symptom_whatever_zone_is_given_but_gives_no_glide() -> None:
    decision = decide(make_intake(distal_zone=0, numbness=True))
    assert "numbness as a nerve symptom" in (decision.reason_for("RF-22") or "")
    assert "sciatic-nerve-glide" not in ids(decision)


@rule("RF-22", fires=False)
def test_answers_that_agree_get_no_conflict_reason() -> None:
    decision = decide(make_intake(distal_zone=1, pain={"leg": 0}))
    assert "RF-22" not in decision.rules


@rule("RF-07", fires=True)
def test_after_cancer_numbness_in_a_leg_said_to_stay_in_the_back_is_an_emergency() -> None:
    decision = decide(make_intake(distal_zone=1, numbness=True, history={"cancer": True}))
    assert decision.tier is Tier.EMERGENCY and "RF-07" in decision.rules


@rule("RF-07", fires=True)
def test_after_cancer_symptoms_in_the_thigh_without_leg_pain_count_as_leg_symptoms() -> None:
    # B17: B8's leg symptoms include zone 3 or beyond whatever the leg pain
    decision = decide(make_intake(distal_zone=3, pain={"leg": 0}, history={"cancer": True}))
    assert "RF-07" in decision.rules


@rule("RF-07", fires=False)
def test_after_cancer_buttock_ache_without_leg_pain_is_not_a_nerve_symptom() -> None:
    decision = decide(make_intake(distal_zone=2, pain={"leg": 0}, history={"cancer": True}))
    assert "RF-07" not in decision.rules and "RF-14" in decision.rules


# --------------------------------------------------------------------------- B18 fracture and cat-camel


@rule("EL-04", fires=True)
def test_a_known_fracture_holds_back_cat_camel_both_phases() -> None:
    decision = decide(make_intake(history={"vertebral_fracture": True}))
    assert "cat-camel" not in ids(decision)
    assert "EL-04" in blocked(decision)["cat-camel"]


@rule("EL-04", fires=True)
def test_a_cleared_fracture_gives_cat_camel_back() -> None:
    decision = decide(
        make_intake(history={"vertebral_fracture": True}), Context(clearances=frozenset({"EL-04"}))
    )
    assert dose(decision, "cat-camel").mode is None and "cat-camel" not in blocked(decision)


# --------------------------------------------------------------------------- B19 steroids, B20 fragility age


@rule("RF-10", fires=False)
def test_long_term_steroids_alone_are_not_an_infection_flag() -> None:
    decision = decide(make_intake(history={"long_term_steroids": True}))
    assert "RF-10" not in decision.rules
    assert "EL-05" in decision.rules  # a fragility factor instead


@rule("RF-10", fires=True)
def test_long_term_steroids_with_feeling_unwell_are_urgent() -> None:
    decision = decide(make_intake(history={"long_term_steroids": True}, symptoms={"unwell": True}))
    assert decision.tier is Tier.URGENT and "steroid" in (decision.reason_for("RF-10") or "")


@rule("RF-10", fires=True)
def test_long_term_steroids_with_steadily_worsening_pain_are_urgent() -> None:
    decision = decide(make_intake(history={"long_term_steroids": True}, symptoms={"progressive_pain": True}))
    assert decision.tier is Tier.URGENT and "RF-10" in decision.rules


@rule("RF-12", fires=True)
def test_a_minor_fall_at_70_is_a_possible_fragility_fracture() -> None:
    decision = decide(make_intake(age=70, symptoms={"minor_trauma": True}))
    assert decision.tier is Tier.URGENT and "RF-12" in decision.rules


@rule("RF-12", fires=False)
def test_a_minor_fall_at_69_with_strong_bones_is_not_rf12() -> None:
    assert "RF-12" not in decide(make_intake(age=69, symptoms={"minor_trauma": True})).rules


@rule("RF-12", fires=True)
def test_steroids_with_a_minor_strain_count_at_any_age() -> None:
    decision = decide(
        make_intake(age=30, history={"long_term_steroids": True}, symptoms={"minor_trauma": True})
    )
    assert "RF-12" in decision.rules


# --------------------------------------------------------------------------- B21 stenosis, B29 cat-camel


@rule("EL-06", fires=True)
def test_walt_gets_cat_camel_rounding_half_only() -> None:
    decision = decide(walt())
    assert dose(decision, "cat-camel").mode == "flexion_only"
    assert "rounding half" in (decision.reason_for("DPT-21") or "")
    assert not set(ids(decision)) & set(EXTENSION_FAMILY)


@rule("EL-06", fires=True)
def test_stenosis_removes_the_dipping_half_even_in_a_programme_that_bends_backwards() -> None:
    # a self-check that favours extension, with stenosis: the extension family and cat-camel's only
    # phase are blocked, so cat-camel is held back with EL-06's reason
    decision = decide(walt(directional={"extension": "favourable", "flexion": "no_effect"}))
    assert "EL-06" in blocked(decision)["cat-camel"]


@rule("EL-06", fires=False)
def test_without_stenosis_a_balanced_programme_keeps_both_halves_of_cat_camel() -> None:
    decision = decide(make_intake())
    assert dose(decision, "cat-camel").mode is None and "EL-06" not in decision.rules


@rule("DPT-20", fires=True)
def test_dana_gets_cat_camel_dipping_half_only() -> None:
    decision = decide(dana())
    assert dose(decision, "cat-camel").mode == "extension_only"
    assert "dipping half" in (decision.reason_for("DPT-20") or "")


@rule("EL-05", fires=True)
def test_osteoporosis_in_a_forward_bending_programme_holds_cat_camel_back() -> None:
    decision = decide(walt(history={"osteoporosis": True}))
    assert "cat-camel" not in ids(decision)
    assert {"EL-05"} <= set(blocked(decision)["cat-camel"])


@rule("DPT-23", fires=True)
def test_when_every_exercise_is_blocked_the_decision_is_refer_with_an_empty_programme_and_says_why() -> None:
    decision = decide(
        make_intake(
            history={"vertebral_fracture": True}, directional={"extension": "worse", "flexion": "worse"}
        )
    )
    assert decision.exercises == () and decision.tier is Tier.REFER
    assert any("no exercise of this programme is left" in r.text for r in decision.reasons)


@rule("PM-00", fires=False)
def test_an_empty_programme_carries_no_exercise_advice() -> None:
    decision = decide(make_intake(age=72, history={"spinal_stenosis": True, "osteoporosis": True}))
    assert decision.exercises == () and decision.tier is Tier.REFER
    assert "cat-camel" in blocked(decision)
    assert "PM-00" not in decision.rules
    assert any("licensed physical therapist" in r.text for r in decision.reasons)


# --------------------------------------------------------------------------- B22 flexion wins


@rule("TBC-02", fires=True)
def test_stenosis_and_a_disc_herniation_together_give_flexion() -> None:
    decision = decide(walt(history={"disc_herniation": True}))
    assert "DPT-21" in decision.rules and "DPT-20" not in decision.rules
    assert "forward-bending programme is the one used" in (decision.reason_for("TBC-02") or "")


@rule("TBC-02", fires=True)
def test_both_directions_favourable_over_50_with_stenosis_give_flexion() -> None:
    decision = decide(walt(directional={"extension": "favourable", "flexion": "favourable"}))
    assert "DPT-21" in decision.rules and dose(decision, "cat-camel").mode == "flexion_only"


@rule("TBC-02", fires=False)
def test_both_directions_favourable_without_flexion_criteria_stay_balanced() -> None:
    decision = decide(make_intake(directional={"extension": "favourable", "flexion": "favourable"}))
    assert "TBC-02" not in decision.rules and dose(decision, "cat-camel").mode is None


# --------------------------------------------------------------------------- B23 long-standing claudication


@rule("RF-05", fires=False)
@rule("RF-06", fires=False)
def test_long_standing_stenosis_symptoms_in_both_legs_are_soon_with_the_safety_card() -> None:
    decision = long_standing_walt()
    assert decision.tier is Tier.SOON
    assert not {"RF-05", "RF-06"} & set(decision.rules)
    card = decision.reason_for("RF-22") or ""
    assert "emergency department straight away" in card and "urine" in card
    assert decision.exercises == ()


@pytest.mark.parametrize(
    "change",
    [
        {"both_legs_new_or_worse": True},
        {"both_legs_new_or_worse": None},
        {"eased_by_bending_forward": False},
        {"leg_weakness": "stable"},
        {"bladder_change": True},
        {"progressive_pain": True},
    ],
    ids=["new-or-worse", "not-asked", "not-eased", "weakness", "bladder", "worsening"],
)
@rule("RF-05", fires=True)
def test_any_b23_criterion_missing_is_an_emergency_as_before(change: dict[str, object]) -> None:
    answers = {"both_legs": True, "both_legs_new_or_worse": False, **change}
    if answers["both_legs_new_or_worse"] is None:
        del answers["both_legs_new_or_worse"]
    decision = decide(walt(weeks=60, symptoms=answers))
    assert decision.tier is Tier.EMERGENCY and "RF-05" in decision.rules


@rule("RF-05", fires=True)
def test_both_legs_for_only_8_weeks_is_an_emergency() -> None:
    decision = decide(walt(weeks=8, symptoms={"both_legs": True, "both_legs_new_or_worse": False}))
    assert decision.tier is Tier.EMERGENCY


@rule("RF-05", fires=True)
def test_long_standing_both_legs_with_numbness_or_without_stenosis_is_an_emergency() -> None:
    answers = {"both_legs": True, "both_legs_new_or_worse": False, "eased_by_bending_forward": True}
    assert decide(walt(weeks=60, numbness=True, symptoms=answers)).tier is Tier.EMERGENCY
    no_stenosis = walt(weeks=60, history={"spinal_stenosis": False}, symptoms=answers)
    assert decide(no_stenosis).tier is Tier.EMERGENCY


# --------------------------------------------------------------------------- B24 self-check at high pain


@rule("DPT-01", fires=True)
def test_a_self_check_at_pain_above_7_gives_no_preference() -> None:
    decision = decide(make_intake(pain={"back": 8}, directional={"extension": "favourable"}))
    assert not {"DPT-11", "DPT-20", "DPT-21", "DPT-22"} & set(decision.rules)
    assert "not reliable" in (decision.reason_for("DPT-01") or "")
    assert dose(decision, "cat-camel").mode is None  # balanced, as without a self-check


@rule("DPT-24", fires=True)
def test_a_direction_found_worse_at_pain_above_7_still_blocks() -> None:
    decision = decide(make_intake(pain={"back": 8}, directional={"flexion": "worse"}))
    for exercise_id in FLEXION_STRETCHES:
        assert "DPT-24" in blocked(decision)[exercise_id]
    assert dose(decision, "cat-camel").mode == "extension_only"


@rule("DPT-01", fires=True)
def test_dana_at_pain_8_keeps_her_history_direction_cited_by_dpt01() -> None:
    decision = decide(dana(pain={"back": 8}, directional={"flexion": "favourable"}))
    assert "DPT-01" in blocked(decision)["single-knee-to-chest"]
    assert dose(decision, "cat-camel").mode == "extension_only"


@rule("DPT-01", fires=False)
def test_a_self_check_at_pain_7_is_used() -> None:
    decision = decide(make_intake(pain={"back": 7}, directional={"extension": "favourable"}))
    assert "DPT-01" not in decision.rules and "DPT-20" in decision.rules


# --------------------------------------------------------------------------- DPT-23, both conditions


@rule("DPT-23", fires=True)
def test_leg_numbness_that_no_direction_eases_stops_the_directional_exercises() -> None:
    decision = decide(dana(numbness=True, directional={"extension": "no_effect", "flexion": "no_effect"}))
    assert decision.tier is Tier.REFER
    assert not set(ids(decision)) & {*EXTENSION_FAMILY, *FLEXION_STRETCHES, "cat-camel"}
    assert "DPT-23" in blocked(decision)["cat-camel"]
    assert ids(decision) == ["sciatic-nerve-glide"]


@rule("DPT-23", fires=True)
def test_both_directions_worse_stop_cat_camel_too() -> None:
    decision = decide(dana(directional={"extension": "worse", "flexion": "worse"}))
    assert "DPT-23" in blocked(decision)["cat-camel"] and "DPT-23" in blocked(decision)["prone-press-up"]


@rule("DPT-23", fires=False)
def test_leg_numbness_eased_by_bending_backwards_keeps_the_programme() -> None:
    decision = decide(dana(numbness=True, directional={"extension": "favourable", "flexion": "no_effect"}))
    assert "DPT-23" not in decision.rules and "prone-press-up" in ids(decision)
