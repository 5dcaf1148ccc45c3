"""STarT Back scoring (clinical-spec §2, B6): our own wording of the topics, Keele's sums and cut-offs."""

from __future__ import annotations

import pytest

from backhome.core.engine import decide
from backhome.core.model import StartBackAnswers, Tier
from backhome.core.rules.risk import score
from tests.builders import dana, make_intake

rule = pytest.mark.rule


def startback(agree: list[bool], bothersome: str = "slightly") -> dict[str, object]:
    return {"agree": agree, "bothersome": bothersome}


@rule("SB-01", fires=True)
@rule("SB-04", fires=True)
@rule("SB-12", fires=True)
@rule("TBC-06", fires=True)
def test_the_shared_high_risk_example_scores_7_and_4_and_refers() -> None:
    agree = [True, False, True, True, True, True, False, True]
    decision = decide(make_intake(startback=startback(agree, "very_much")))
    assert decision.risk is not None
    assert (decision.risk.total, decision.risk.psychosocial, decision.risk.category) == (7, 4, "high")
    assert decision.tier is Tier.REFER
    assert {"SB-01", "SB-04", "SB-12", "TBC-06"} <= set(decision.rules)
    assert decision.exercises  # risk never blocks an exercise (B6)


@rule("SB-03", fires=True)
@rule("SB-11", fires=True)
def test_four_physical_items_and_no_worry_is_medium_risk_and_refers() -> None:
    # total 4 with a psychosocial subscale of 0 -> medium (SB-03)
    decision = decide(make_intake(startback=startback([True, True, True, True, False, False, False, False])))
    assert decision.risk is not None and decision.risk.category == "medium"
    assert decision.tier is Tier.REFER and {"SB-03", "SB-11"} <= set(decision.rules)


@rule("SB-02", fires=True)
@rule("SB-10", fires=True)
@rule("SB-03", fires=False)
@rule("SB-04", fires=False)
@rule("SB-11", fires=False)
@rule("SB-12", fires=False)
@rule("TBC-06", fires=False)
def test_three_items_is_low_risk_and_proceeds() -> None:
    decision = decide(make_intake(startback=startback([True, True, False, False, True, False, False, False])))
    assert decision.risk is not None and decision.risk.category == "low"
    assert decision.tier is Tier.PROCEED
    assert {"SB-02", "SB-10"} <= set(decision.rules)
    assert not {"SB-03", "SB-04", "SB-11", "SB-12", "TBC-06"} & set(decision.rules)


@rule("SB-02", fires=False)
@rule("SB-10", fires=False)
def test_high_risk_is_not_low() -> None:
    decision = decide(make_intake(startback=startback([True] * 8, "extremely")))
    assert not {"SB-02", "SB-10"} & set(decision.rules)


def test_the_boundary_between_medium_and_high_is_a_psychosocial_score_of_4() -> None:
    medium = score(StartBackAnswers((False, False, False, False, True, True, True, False), "very_much"))
    high = score(StartBackAnswers((False, False, False, False, True, True, True, True), "very_much"))
    assert (medium.total, medium.psychosocial, medium.category) == (4, 4, "high")
    assert (high.total, high.psychosocial, high.category) == (5, 5, "high")
    three = score(StartBackAnswers((True, False, False, False, True, True, False, False), "very_much"))
    assert (three.total, three.psychosocial, three.category) == (4, 3, "medium")


def test_only_very_much_and_extremely_count_for_item_9() -> None:
    answers = [False] * 8
    counted = {
        b: score(StartBackAnswers(tuple(answers), b)).total  # type: ignore[arg-type]
        for b in ("not_at_all", "slightly", "moderately", "very_much", "extremely")
    }
    assert counted == {"not_at_all": 0, "slightly": 0, "moderately": 0, "very_much": 1, "extremely": 1}


@rule("SB-05", fires=True)
@rule("SB-01", fires=False)
def test_no_risk_answers_means_no_risk_result_not_a_guess() -> None:
    decision = decide(dana())
    assert decision.risk is None
    assert "SB-05" in decision.rules and "SB-01" not in decision.rules


@rule("SB-05", fires=False)
def test_answered_risk_questions_are_not_sb05() -> None:
    assert "SB-05" not in decide(make_intake(startback=startback([False] * 8))).rules
