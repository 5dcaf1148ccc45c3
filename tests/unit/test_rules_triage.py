"""Red flags and eligibility at intake (clinical-spec §1, B1-B5, B13): each rule firing and not firing."""

from __future__ import annotations

import pytest

from backhome.core.engine import decide
from backhome.core.model import Intake, Tier
from backhome.core.rules.triage import EMERGENCY_QUESTIONS, emergency_signs
from tests.builders import dana, make_intake, walt

rule = pytest.mark.rule


def fired(intake: Intake) -> tuple[str, ...]:
    return decide(intake).rules


# --------------------------------------------------------------------------- T0 emergency


@rule("RF-01", fires=True)
def test_new_trouble_passing_urine_is_an_emergency() -> None:
    decision = decide(make_intake(symptoms={"bladder_change": True}))
    assert decision.tier is Tier.EMERGENCY
    assert "RF-01" in decision.rules
    assert decision.exercises == ()


@rule("RF-01", fires=False)
def test_ordinary_back_pain_without_bladder_change_is_not_rf01() -> None:
    assert "RF-01" not in fired(make_intake())


@rule("RF-02", fires=True)
def test_new_loss_of_bowel_control_is_an_emergency() -> None:
    decision = decide(make_intake(symptoms={"bowel_change": True}))
    assert decision.tier is Tier.EMERGENCY and "RF-02" in decision.rules


@rule("RF-02", fires=False)
def test_dana_has_no_bowel_flag() -> None:
    assert "RF-02" not in fired(dana())


@rule("RF-03", fires=True)
def test_saddle_numbness_is_an_emergency() -> None:
    decision = decide(make_intake(symptoms={"saddle_numbness": True}))
    assert decision.tier is Tier.EMERGENCY
    assert "RF-03" in decision.rules
    assert "emergency" in (decision.reason_for("RF-03") or "").lower()


@rule("RF-03", fires=False)
def test_numbness_in_one_leg_is_not_saddle_numbness() -> None:
    decision = decide(make_intake(numbness=True, distal_zone=4, pain={"leg": 3}))
    assert "RF-03" not in decision.rules
    assert decision.tier is not Tier.EMERGENCY


@rule("RF-04", fires=True)
def test_new_sexual_dysfunction_with_back_pain_is_an_emergency() -> None:
    decision = decide(make_intake(symptoms={"sexual_dysfunction": True}))
    assert decision.tier is Tier.EMERGENCY and "RF-04" in decision.rules


@rule("RF-04", fires=False)
def test_walt_has_no_sexual_function_flag() -> None:
    assert "RF-04" not in fired(walt())


@rule("RF-05", fires=True)
def test_symptoms_in_both_legs_are_an_emergency() -> None:
    decision = decide(make_intake(symptoms={"both_legs": True}, distal_zone=4, pain={"leg": 6}))
    assert decision.tier is Tier.EMERGENCY and "RF-05" in decision.rules


@rule("RF-05", fires=False)
def test_pain_down_one_leg_is_not_rf05() -> None:
    decision = decide(dana())
    assert "RF-05" not in decision.rules


@rule("RF-06", fires=True)
def test_a_cauda_equina_sign_is_an_emergency_however_long_it_has_lasted() -> None:
    decision = decide(make_intake(weeks=20, symptoms={"bladder_change": True}))
    assert decision.tier is Tier.EMERGENCY
    assert {"RF-01", "RF-06"} <= set(decision.rules)


@rule("RF-06", fires=False)
def test_rf06_needs_a_cauda_equina_sign() -> None:
    assert "RF-06" not in fired(make_intake(weeks=20, symptoms={"major_trauma": True}))


@rule("RF-07", fires=True)
def test_past_cancer_with_new_leg_weakness_is_an_emergency() -> None:
    decision = decide(make_intake(history={"cancer": True}, symptoms={"leg_weakness": "stable"}))
    assert decision.tier is Tier.EMERGENCY and "RF-07" in decision.rules


@rule("RF-07", fires=True)
def test_past_cancer_with_pain_spreading_below_the_knee_is_an_emergency() -> None:
    decision = decide(make_intake(history={"cancer": True}, distal_zone=4, pain={"leg": 5}))
    assert decision.tier is Tier.EMERGENCY and "RF-07" in decision.rules


@rule("RF-07", fires=False)
def test_past_cancer_with_back_pain_only_is_not_rf07() -> None:
    decision = decide(make_intake(history={"cancer": True}))
    assert "RF-07" not in decision.rules
    assert decision.tier is Tier.SOON  # RF-14


@rule("RF-08", fires=True)
def test_back_pain_after_a_road_collision_is_an_emergency() -> None:
    decision = decide(make_intake(symptoms={"major_trauma": True}))
    assert decision.tier is Tier.EMERGENCY and "RF-08" in decision.rules


@rule("RF-08", fires=False)
def test_a_minor_lift_is_not_major_trauma() -> None:
    assert "RF-08" not in fired(make_intake(symptoms={"minor_trauma": True}))


# --------------------------------------------------------------------------- T1 urgent


@rule("RF-09", fires=True)
def test_worsening_foot_drop_is_urgent() -> None:
    decision = decide(make_intake(symptoms={"leg_weakness": "worsening"}, distal_zone=5, pain={"leg": 4}))
    assert decision.tier is Tier.URGENT and "RF-09" in decision.rules
    assert decision.exercises == ()


@rule("RF-09", fires=False)
def test_stable_weakness_is_rf13_not_rf09() -> None:
    decision = decide(make_intake(symptoms={"leg_weakness": "stable"}))
    assert "RF-09" not in decision.rules and "RF-13" in decision.rules


@rule("RF-10", fires=True)
def test_fever_with_back_pain_is_urgent() -> None:
    decision = decide(make_intake(symptoms={"fever": True}))
    assert decision.tier is Tier.URGENT and "RF-10" in decision.rules


@rule("RF-10", fires=True)
def test_immunosuppression_alone_means_see_a_clinician_soon() -> None:
    decision = decide(make_intake(history={"immunosuppression": True}))
    assert decision.tier is Tier.SOON and "RF-10" in decision.rules


@rule("RF-10", fires=True)
def test_injecting_drugs_and_feeling_unwell_is_urgent() -> None:
    decision = decide(make_intake(history={"iv_drug_use": True}, symptoms={"unwell": True}))
    assert decision.tier is Tier.URGENT and "RF-10" in decision.rules


@rule("RF-10", fires=True)
def test_immunosuppression_with_steadily_worsening_pain_is_urgent() -> None:
    decision = decide(make_intake(history={"immunosuppression": True}, symptoms={"progressive_pain": True}))
    assert decision.tier is Tier.URGENT


@rule("RF-10", fires=False)
def test_long_term_steroids_are_not_immunosuppression_for_the_infection_flag() -> None:
    # B3: long-term oral steroids are a fragility factor (EL-05, RF-12), not RF-10.
    decision = decide(make_intake(history={"long_term_steroids": True}))
    assert "RF-10" not in decision.rules
    assert "EL-05" in decision.rules


@rule("RF-11", fires=True)
def test_past_cancer_with_night_pain_is_urgent() -> None:
    decision = decide(make_intake(history={"cancer": True}, symptoms={"night_pain": True}))
    assert decision.tier is Tier.URGENT and "RF-11" in decision.rules
    assert "RF-14" not in decision.rules


@rule("RF-11", fires=True)
def test_past_cancer_with_mid_back_pain_is_urgent() -> None:
    decision = decide(make_intake(history={"cancer": True}, symptoms={"thoracic_pain": True}))
    assert decision.tier is Tier.URGENT and "RF-11" in decision.rules


@rule("RF-11", fires=False)
def test_mid_back_pain_without_a_cancer_history_is_not_rf11() -> None:
    decision = decide(make_intake(symptoms={"thoracic_pain": True}))
    assert "RF-11" not in decision.rules
    assert decision.tier is Tier.PROCEED


@rule("RF-12", fires=True)
def test_sudden_pain_after_a_small_fall_with_osteoporosis_is_urgent() -> None:
    decision = decide(make_intake(age=67, history={"osteoporosis": True}, symptoms={"minor_trauma": True}))
    assert decision.tier is Tier.URGENT and "RF-12" in decision.rules


@rule("RF-12", fires=True)
def test_sudden_pain_after_a_lift_at_78_is_urgent() -> None:
    decision = decide(make_intake(age=78, symptoms={"minor_trauma": True}))
    assert decision.tier is Tier.URGENT and "RF-12" in decision.rules


@rule("RF-12", fires=False)
def test_a_lift_at_35_with_strong_bones_is_not_a_fracture_flag() -> None:
    decision = decide(make_intake(age=35, symptoms={"minor_trauma": True}))
    assert "RF-12" not in decision.rules
    assert decision.tier is Tier.PROCEED


@rule("RF-13", fires=True)
def test_stable_weakness_in_one_leg_is_urgent() -> None:
    decision = decide(make_intake(symptoms={"leg_weakness": "stable"}, distal_zone=4, pain={"leg": 3}))
    assert decision.tier is Tier.URGENT and "RF-13" in decision.rules


@rule("RF-13", fires=True)
def test_numbness_in_one_leg_without_weakness_is_refer_with_a_slider_glide() -> None:
    # B4: the programme is allowed, the nerve glide runs in slider mode, a PT assessment is recommended.
    decision = decide(dana(numbness=True))
    assert decision.tier is Tier.REFER and "RF-13" in decision.rules
    glide = [p for p in decision.exercises if p.exercise_id == "sciatic-nerve-glide"]
    assert glide and glide[0].dose.mode == "slider"


@rule("RF-13", fires=False)
def test_leg_pain_without_numbness_or_weakness_is_not_rf13() -> None:
    assert "RF-13" not in fired(dana())


# --------------------------------------------------------------------------- T2 soon


@rule("RF-14", fires=True)
def test_a_new_episode_after_cancer_means_see_a_doctor_soon() -> None:
    decision = decide(make_intake(history={"cancer": True}))
    assert decision.tier is Tier.SOON and "RF-14" in decision.rules
    assert decision.exercises == ()


@rule("RF-14", fires=False)
def test_no_cancer_history_no_rf14() -> None:
    assert "RF-14" not in fired(walt())


@rule("RF-15", fires=True)
def test_unexplained_weight_loss_means_see_a_doctor_soon() -> None:
    decision = decide(make_intake(symptoms={"weight_loss": True}))
    assert decision.tier is Tier.SOON and "RF-15" in decision.rules


@rule("RF-15", fires=True)
def test_feeling_unwell_after_cancer_is_urgent() -> None:
    decision = decide(make_intake(history={"cancer": True}, symptoms={"unwell": True}))
    assert decision.tier is Tier.URGENT and "RF-15" in decision.rules


@rule("RF-15", fires=False)
def test_feeling_well_with_a_steady_weight_is_not_rf15() -> None:
    assert "RF-15" not in fired(dana())


@rule("RF-16", fires=True)
def test_age_over_50_alone_adds_advice_but_keeps_the_programme() -> None:
    # B5: age raises the tier only with RF-14, RF-15 or RF-18.
    decision = decide(make_intake(age=58))
    assert "RF-16" in decision.rules
    assert decision.tier is Tier.PROCEED
    assert decision.exercises


@rule("RF-16", fires=True)
def test_age_over_50_with_night_pain_means_see_a_doctor_soon() -> None:
    decision = decide(make_intake(age=61, symptoms={"night_pain": True}))
    assert "RF-16" in decision.rules and "RF-18" in decision.rules
    assert decision.tier is Tier.SOON


@rule("RF-16", fires=False)
def test_age_38_is_not_an_age_flag() -> None:
    assert "RF-16" not in fired(dana())


@rule("RF-18", fires=True)
def test_constant_night_pain_means_see_a_doctor_soon() -> None:
    decision = decide(make_intake(symptoms={"night_pain": True}))
    assert decision.tier is Tier.SOON and "RF-18" in decision.rules


@rule("RF-18", fires=False)
def test_no_night_pain_no_rf18() -> None:
    assert "RF-18" not in fired(make_intake())


@rule("EL-01", fires=True)
def test_a_15_year_old_is_not_enrolled() -> None:
    decision = decide(make_intake(age=15))
    assert decision.tier is Tier.SOON and "EL-01" in decision.rules
    assert decision.exercises == ()


@rule("EL-01", fires=False)
def test_a_16_year_old_may_enrol() -> None:
    decision = decide(make_intake(age=16))
    assert "EL-01" not in decision.rules
    assert decision.exercises


# --------------------------------------------------------------------------- T4 refer and advice


@rule("RF-20", fires=True)
def test_calf_pain_for_8_weeks_is_refer() -> None:
    decision = decide(make_intake(weeks=8, distal_zone=4, pain={"leg": 4}))
    assert decision.tier is Tier.REFER and "RF-20" in decision.rules
    assert decision.exercises


@rule("RF-20", fires=False)
def test_calf_pain_for_3_weeks_is_not_rf20() -> None:
    assert "RF-20" not in fired(make_intake(weeks=3, distal_zone=4, pain={"leg": 4}))


@rule("RF-20", fires=False)
def test_thigh_pain_for_8_weeks_is_not_below_the_knee() -> None:
    assert "RF-20" not in fired(make_intake(weeks=8, distal_zone=3, pain={"leg": 4}))


@rule("RF-22", fires=True)
def test_a_person_with_leg_symptoms_is_told_the_cauda_equina_warning_signs() -> None:
    decision = decide(dana())
    assert "RF-22" in decision.rules
    assert decision.tier is Tier.PROCEED


@rule("RF-22", fires=False)
def test_central_back_pain_only_does_not_need_the_leg_warning() -> None:
    assert "RF-22" not in fired(make_intake(distal_zone=1))


@rule("TBC-03", fires=True)
def test_a_visible_sideways_shift_is_refer() -> None:
    decision = decide(make_intake(symptoms={"lateral_shift": True}))
    assert decision.tier is Tier.REFER and "TBC-03" in decision.rules
    assert decision.exercises  # refer still prescribes (B2)


@rule("TBC-03", fires=False)
def test_standing_straight_is_not_tbc03() -> None:
    assert "TBC-03" not in fired(make_intake())


# --------------------------------------------------------------------------- B1/B2 across rules


def test_the_most_severe_tier_wins() -> None:
    decision = decide(make_intake(symptoms={"saddle_numbness": True, "night_pain": True, "fever": True}))
    assert decision.tier is Tier.EMERGENCY
    assert {"RF-03", "RF-10", "RF-18"} <= set(decision.rules)


def test_every_fired_rule_has_a_reason_a_patient_can_read() -> None:
    decision = decide(walt(symptoms={"night_pain": True}))
    assert {r.rule for r in decision.reasons} == set(decision.rules)
    for reason in decision.reasons:
        assert len(reason.text) > 20
        assert reason.rule not in reason.text  # plain words, not rule ids


# --------------------------------------------------------------------------- red flags first, before the rest is asked


def test_a_yes_to_saddle_numbness_is_an_emergency_before_any_other_question_is_answered() -> None:
    found = emergency_signs({"bladder_change": False, "saddle_numbness": True})
    assert [f.rule for f in found] == ["RF-03", "RF-06"]
    assert {f.tier for f in found} == {Tier.EMERGENCY}


def test_no_to_every_emergency_question_so_far_finds_nothing() -> None:
    assert emergency_signs(dict.fromkeys(EMERGENCY_QUESTIONS, False)) == []
    assert emergency_signs({}) == []


def test_major_trauma_alone_is_an_emergency_without_rf06() -> None:
    assert [f.rule for f in emergency_signs({"major_trauma": True})] == ["RF-08"]


def test_the_early_check_and_the_full_screen_agree_on_every_emergency_sign() -> None:
    for name in EMERGENCY_QUESTIONS:
        early = {f.rule for f in emergency_signs({name: True})}
        full = set(decide(make_intake(symptoms={name: True})).rules)
        assert early <= full, name
