"""Prescription and blocks (clinical-spec B8-B13, EL-02...EL-06, DPT at intake, TBC, ND): firing and not firing."""

from __future__ import annotations

import pytest

from backhome.core.engine import decide
from backhome.core.model import (
    EXTENSION_FAMILY,
    FLEXION_STRETCHES,
    Context,
    Decision,
    Monitoring,
    Tier,
)
from tests.builders import dana, make_intake, walt

rule = pytest.mark.rule


def ids(decision: Decision) -> list[str]:
    return [p.exercise_id for p in decision.exercises]


def blocked(decision: Decision) -> dict[str, tuple[str, ...]]:
    return {b.exercise_id: b.rules for b in decision.blocked}


def dose(decision: Decision, exercise_id: str):  # type: ignore[no-untyped-def]
    return next(p.dose for p in decision.exercises if p.exercise_id == exercise_id)


# --------------------------------------------------------------------------- B9 direction, B10 stage, B8 glide


@rule("DPT-20", fires=True)
def test_dana_gets_an_extension_biased_programme_starting_at_the_press_up() -> None:
    decision = decide(dana())
    assert decision.tier is Tier.PROCEED
    assert "prone-press-up" in ids(decision)
    assert "DPT-20" in decision.rules
    # flexion stretches deferred, with the reason
    for exercise_id in FLEXION_STRETCHES:
        assert "DPT-20" in blocked(decision)[exercise_id]
    # the article's starting dose: 10 repetitions, hold 10 s
    press_up = dose(decision, "prone-press-up")
    assert (press_up.reps, press_up.hold_s) == (10, 10)
    assert "cat-camel" in ids(decision)


@rule("DPT-20", fires=False)
def test_without_a_disc_herniation_the_programme_is_not_extension_biased() -> None:
    assert "DPT-20" not in decide(make_intake()).rules


@rule("ND-01", fires=True)
@rule("ND-02", fires=True)
def test_pain_into_the_thigh_adds_the_nerve_glide_in_slider_mode() -> None:
    decision = decide(dana())
    glide = dose(decision, "sciatic-nerve-glide")
    assert glide.mode == "slider" and glide.per_side and glide.reps == 10
    assert {"ND-01", "ND-02"} <= set(decision.rules)


@rule("ND-01", fires=True)
def test_buttock_pain_with_leg_pain_counts_as_leg_symptoms() -> None:
    # B8: zone 2 with leg pain >= 1
    assert "sciatic-nerve-glide" in ids(decide(make_intake(distal_zone=2, pain={"leg": 2})))


@rule("ND-01", fires=False)
@rule("ND-02", fires=False)
def test_central_back_pain_gets_no_nerve_glide() -> None:
    decision = decide(make_intake(distal_zone=1))
    assert "sciatic-nerve-glide" not in ids(decision)
    assert "ND-01" not in decision.rules and "ND-02" not in decision.rules


def test_buttock_ache_without_leg_pain_gets_no_nerve_glide() -> None:
    assert "sciatic-nerve-glide" not in ids(decide(make_intake(distal_zone=2, pain={"leg": 0})))


@rule("TBC-05", fires=True)
def test_severe_pain_starts_the_extension_family_at_lying_face_down() -> None:
    decision = decide(dana(pain={"back": 8, "leg": 3}))
    assert "prone-lying" in ids(decision)
    assert "prone-press-up" not in ids(decision)
    assert "TBC-05" in decision.rules


@rule("TBC-05", fires=False)
def test_moderate_pain_starts_at_the_press_up() -> None:
    decision = decide(dana(pain={"back": 6, "leg": 6}))
    assert "prone-press-up" in ids(decision) and "TBC-05" not in decision.rules


@rule("TBC-02", fires=True)
@rule("EL-06", fires=True)
def test_walt_with_stenosis_gets_flexion_and_no_extension_family() -> None:
    decision = decide(walt())
    assert decision.tier in (Tier.PROCEED, Tier.REFER)
    assert not set(ids(decision)) & set(EXTENSION_FAMILY)
    for exercise_id in EXTENSION_FAMILY:
        assert "EL-06" in blocked(decision)[exercise_id]
    assert {"single-knee-to-chest", "childs-pose", "cat-camel"} <= set(ids(decision))
    assert {"TBC-02", "EL-06"} <= set(decision.rules)


@rule("TBC-02", fires=True)
def test_over_50_with_leg_symptoms_eased_by_sitting_is_flexion_biased_without_a_stenosis_diagnosis() -> None:
    decision = decide(walt(history={"spinal_stenosis": False}))
    assert "TBC-02" in decision.rules and "EL-06" not in decision.rules
    assert not set(ids(decision)) & set(EXTENSION_FAMILY)
    assert "DPT-21" in blocked(decision)["prone-press-up"]


@rule("TBC-02", fires=False)
def test_under_50_leg_symptoms_eased_by_sitting_are_not_tbc02() -> None:
    decision = decide(walt(age=45, history={"spinal_stenosis": False}))
    assert "TBC-02" not in decision.rules


@rule("EL-06", fires=False)
def test_no_stenosis_no_el06() -> None:
    assert "EL-06" not in decide(dana()).rules


@rule("DPT-22", fires=True)
def test_no_direction_known_gives_a_balanced_programme() -> None:
    decision = decide(make_intake())
    assert "DPT-22" in decision.rules
    assert {"prone-press-up", "single-knee-to-chest", "childs-pose", "cat-camel"} == set(ids(decision))


@rule("DPT-22", fires=False)
def test_a_disc_herniation_is_not_balanced() -> None:
    assert "DPT-22" not in decide(dana()).rules


def test_the_programme_is_in_an_order_that_saves_changes_of_position() -> None:
    order = ids(decide(make_intake(distal_zone=3, pain={"leg": 2})))
    assert order == [
        "single-knee-to-chest",
        "sciatic-nerve-glide",
        "prone-press-up",
        "cat-camel",
        "childs-pose",
    ]


# --------------------------------------------------------------------------- B12 blocks


@rule("EL-04", fires=True)
def test_a_known_spinal_fracture_blocks_both_families() -> None:
    decision = decide(make_intake(history={"vertebral_fracture": True}))
    assert decision.tier is Tier.REFER
    for exercise_id in (*EXTENSION_FAMILY[2:], "single-knee-to-chest", "childs-pose"):
        assert "EL-04" in blocked(decision)[exercise_id]
    assert not set(ids(decision)) & set(EXTENSION_FAMILY + FLEXION_STRETCHES)


@rule("EL-04", fires=True)
def test_a_cleared_fracture_gives_the_programme_back() -> None:
    decision = decide(
        make_intake(history={"vertebral_fracture": True}), Context(clearances=frozenset({"EL-04"}))
    )
    assert "prone-press-up" in ids(decision) and "EL-04" in decision.rules
    assert decision.tier is Tier.PROCEED


@rule("EL-04", fires=False)
def test_no_fracture_no_el04() -> None:
    assert "EL-04" not in decide(make_intake()).rules


@rule("EL-05", fires=True)
def test_osteoporosis_blocks_flexion_and_limits_cat_camel_to_its_extension_phase() -> None:
    decision = decide(make_intake(age=68, history={"osteoporosis": True}))
    assert decision.tier is Tier.REFER and "EL-05" in decision.rules
    assert not set(ids(decision)) & set(FLEXION_STRETCHES)
    assert dose(decision, "cat-camel").mode == "extension_only"
    assert "prone-press-up" in ids(decision)  # extension work is not blocked by EL-05


@rule("EL-05", fires=True)
def test_long_term_steroids_block_flexion_like_osteoporosis() -> None:
    decision = decide(make_intake(history={"long_term_steroids": True}))
    assert "EL-05" in blocked(decision)["childs-pose"]


@rule("EL-05", fires=False)
def test_strong_bones_keep_the_whole_cat_camel() -> None:
    decision = decide(make_intake())
    assert dose(decision, "cat-camel").mode is None and "EL-05" not in decision.rules


@rule("EL-03", fires=True)
def test_recent_back_surgery_holds_back_the_nerve_glide_until_cleared() -> None:
    decision = decide(dana(history={"lumbar_surgery": "recent"}))
    assert decision.tier is Tier.REFER
    assert "EL-03" in blocked(decision)["sciatic-nerve-glide"]
    assert "sciatic-nerve-glide" not in ids(decision)


@rule("EL-03", fires=True)
def test_a_cleared_post_surgery_glide_is_prescribed_even_without_leg_symptoms() -> None:
    decision = decide(
        make_intake(history={"lumbar_surgery": "past"}), Context(clearances=frozenset({"EL-03"}))
    )
    assert dose(decision, "sciatic-nerve-glide").mode == "slider"
    assert "EL-03" in decision.rules


@rule("EL-03", fires=False)
def test_no_surgery_no_el03() -> None:
    assert "EL-03" not in decide(dana()).rules


@rule("EL-02", fires=True)
def test_pregnancy_is_refer_with_no_exercise_until_cleared() -> None:
    decision = decide(dana(pregnant=True))
    assert decision.tier is Tier.REFER
    assert decision.exercises == ()
    assert "prone-press-up" in blocked(decision)
    assert all("EL-02" in rules for rules in blocked(decision).values())


@rule("EL-02", fires=True)
def test_a_cleared_pregnancy_gets_the_programme() -> None:
    decision = decide(dana(pregnant=True), Context(clearances=frozenset({"EL-02"})))
    assert decision.exercises and "EL-02" in decision.rules


@rule("EL-02", fires=False)
def test_not_pregnant_no_el02() -> None:
    assert "EL-02" not in decide(dana()).rules


# --------------------------------------------------------------------------- the directional self-check at intake


@rule("DPT-11", fires=True)
@rule("TBC-01", fires=True)
@rule("DPT-26", fires=True)
def test_extension_that_centralizes_thigh_pain_gives_an_extension_programme() -> None:
    decision = decide(
        make_intake(
            distal_zone=3, pain={"leg": 3}, directional={"extension": "favourable", "flexion": "no_effect"}
        )
    )
    assert {"DPT-11", "DPT-20", "TBC-01", "DPT-26"} <= set(decision.rules)
    assert "prone-press-up" in ids(decision)
    assert "DPT-20" in blocked(decision)["childs-pose"]


@rule("DPT-11", fires=False)
@rule("TBC-01", fires=False)
@rule("DPT-26", fires=False)
def test_without_a_self_check_the_history_decides() -> None:
    decision = decide(dana())
    assert not {"DPT-11", "TBC-01", "DPT-26"} & set(decision.rules)


@rule("DPT-21", fires=True)
def test_flexion_that_helps_defers_the_press_up() -> None:
    decision = decide(make_intake(directional={"flexion": "favourable", "extension": "no_effect"}))
    assert "DPT-21" in blocked(decision)["prone-press-up"]
    assert "single-knee-to-chest" in ids(decision)


@rule("DPT-21", fires=False)
def test_dana_is_not_flexion_biased() -> None:
    assert "DPT-21" not in decide(dana()).rules


def test_a_self_check_overrides_the_history_direction() -> None:
    # B9: with a directional result, DPT decides even for a disc herniation.
    decision = decide(dana(directional={"flexion": "favourable", "extension": "worse"}))
    assert "single-knee-to-chest" in ids(decision)
    assert "prone-press-up" not in ids(decision)


@rule("DPT-24", fires=True)
def test_flexion_found_worse_blocks_the_flexion_stretches() -> None:
    decision = decide(make_intake(directional={"flexion": "worse"}))
    assert "DPT-24" in decision.rules
    for exercise_id in FLEXION_STRETCHES:
        assert "DPT-24" in blocked(decision)[exercise_id]
    assert dose(decision, "cat-camel").mode == "extension_only"


@rule("DPT-24", fires=True)
def test_extension_found_worse_blocks_the_extension_family_and_cat_camels_dipping_half() -> None:
    decision = decide(make_intake(directional={"extension": "worse", "flexion": "no_effect"}))
    assert not set(ids(decision)) & set(EXTENSION_FAMILY)
    # B29: the direction found worse removes its phase; cat-camel keeps its rounding half only
    assert dose(decision, "cat-camel").mode == "flexion_only"
    assert "rounding half" in (decision.reason_for("DPT-24") or "")


@rule("DPT-24", fires=False)
def test_no_direction_worse_blocks_nothing_by_direction() -> None:
    decision = decide(make_intake(directional={"extension": "no_effect", "flexion": "no_effect"}))
    assert "DPT-24" not in decision.rules
    assert "DPT-22" in decision.rules


@rule("DPT-23", fires=True)
def test_both_directions_worse_stops_directional_exercises_and_refers() -> None:
    decision = decide(
        make_intake(distal_zone=3, pain={"leg": 3}, directional={"extension": "worse", "flexion": "worse"})
    )
    assert decision.tier is Tier.REFER and "DPT-23" in decision.rules
    assert ids(decision) == ["sciatic-nerve-glide"]


@rule("DPT-23", fires=False)
@rule("TBC-04", fires=False)
def test_one_direction_helping_is_not_dpt23() -> None:
    decision = decide(dana(numbness=True, directional={"extension": "favourable"}))
    assert "DPT-23" not in decision.rules and "TBC-04" not in decision.rules


@rule("TBC-04", fires=True)
def test_leg_numbness_that_no_direction_eases_is_refer() -> None:
    decision = decide(dana(numbness=True, directional={"extension": "no_effect", "flexion": "no_effect"}))
    assert {"TBC-04", "DPT-23"} <= set(decision.rules)
    assert decision.tier is Tier.REFER


# --------------------------------------------------------------------------- monitoring and advice


@rule("PM-00", fires=True)
@rule("DS-09", fires=True)
def test_every_programme_comes_with_the_stop_rule_and_stay_active_advice() -> None:
    decision = decide(dana())
    assert {"PM-00", "DS-09"} <= set(decision.rules)
    assert decision.monitoring is Monitoring.STRICT


@rule("PM-00", fires=False)
@rule("DS-09", fires=False)
def test_no_programme_no_stop_rule_reasons() -> None:
    decision = decide(make_intake(symptoms={"saddle_numbness": True}))
    assert not {"PM-00", "DS-09"} & set(decision.rules)


def test_a_clinician_can_set_monitored_mode() -> None:
    assert decide(dana(), Context(monitoring=Monitoring.MONITORED)).monitoring is Monitoring.MONITORED
