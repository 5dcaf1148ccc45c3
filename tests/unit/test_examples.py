"""The contract's examples (examples/contract/) decide as their ``.expect.txt`` says (written from the spec, not the code)."""

from __future__ import annotations

from backhome.core.contract import parse_intake_json
from backhome.core.engine import decide
from backhome.core.model import EXTENSION_FAMILY, FLEXION_STRETCHES, Decision, Tier
from tests.builders import EXAMPLES


def example(name: str) -> Decision:
    return decide(parse_intake_json((EXAMPLES / f"{name}.json").read_text("utf-8")))


def test_disc_herniation_with_thigh_pain_is_extension_biased_with_a_slider_glide() -> None:
    # "proceed: extension-biased; the extension family starts at prone-press-up; the nerve glide in
    # slider mode; flexion stretches deferred (B9, B10, B8)."
    decision = example("disc-herniation-thigh-pain")
    assert decision.tier is Tier.PROCEED
    programme = {p.exercise_id: p.dose for p in decision.exercises}
    assert "prone-press-up" in programme
    assert not set(programme) & {"prone-lying", "prone-on-elbows"}
    assert programme["sciatic-nerve-glide"].mode == "slider"
    assert not set(programme) & set(FLEXION_STRETCHES)
    assert set(FLEXION_STRETCHES) <= {b.exercise_id for b in decision.blocked}


def test_saddle_numbness_is_an_emergency_with_no_exercise() -> None:
    # "emergency (RF-03): no exercise (B2)."
    decision = example("saddle-numbness")
    assert decision.tier is Tier.EMERGENCY
    assert "RF-03" in decision.rules
    assert decision.exercises == ()


def test_startback_high_scores_7_and_4_and_refers() -> None:
    # "risk total 7, psychosocial 4, high (SB-01, SB-04); tier refer (SB-12, B6)."
    decision = example("startback-high")
    assert decision.risk is not None
    assert (decision.risk.total, decision.risk.psychosocial, decision.risk.category) == (7, 4, "high")
    assert {"SB-01", "SB-04", "SB-12"} <= set(decision.rules)
    assert decision.tier is Tier.REFER


def test_stenosis_with_walking_leg_pain_is_flexion_biased_with_no_extension_family() -> None:
    # "proceed or refer: flexion-biased; no exercise of the extension family (EL-06, B9, B12)."
    decision = example("stenosis-walking-leg-pain")
    assert decision.tier in (Tier.PROCEED, Tier.REFER)
    programme = {p.exercise_id for p in decision.exercises}
    assert not programme & set(EXTENSION_FAMILY)
    assert {"single-knee-to-chest", "childs-pose"} <= programme
    assert "EL-06" in decision.rules
