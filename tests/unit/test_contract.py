"""The machine contract: strict intake (B15, fail closed) and the decision document's shape."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from backhome.core import schemas
from backhome.core.contract import IntakeError, decision_to_json, parse_intake, parse_intake_json
from backhome.core.engine import decide
from tests.builders import DANA, EXAMPLES, intake_doc


def problems(doc: Any) -> dict[str, str]:
    with pytest.raises(IntakeError) as caught:
        parse_intake(doc)
    return {p.field: p.message for p in caught.value.problems}


@pytest.fixture(scope="module")
def decision_schema() -> dict[str, Any]:
    return schemas.load("decision")


@pytest.fixture(scope="module")
def intake_schema() -> dict[str, Any]:
    return schemas.load("intake")


def test_dana_is_a_valid_intake(intake_schema: dict[str, Any]) -> None:
    jsonschema.validate(DANA, intake_schema)
    assert parse_intake(DANA).history.disc_herniation is True


def test_a_missing_red_flag_answer_names_the_field() -> None:
    doc = intake_doc()
    del doc["symptoms"]["saddle_numbness"]
    assert "symptoms.saddle_numbness" in problems(doc)
    assert "missing" in problems(doc)["symptoms.saddle_numbness"]


def test_a_missing_history_answer_names_the_field() -> None:
    doc = intake_doc()
    del doc["history"]["cancer"]
    assert list(problems(doc)) == ["history.cancer"]


def test_yes_as_text_is_not_true() -> None:
    assert "symptoms.fever" in problems(intake_doc(symptoms={"fever": "yes"}))


def test_a_number_is_not_a_boolean_and_a_boolean_is_not_a_number() -> None:
    found = problems(intake_doc(pregnant=0, age=True))
    assert set(found) == {"pregnant", "age"}


def test_pain_above_10_is_out_of_range() -> None:
    found = problems(intake_doc(pain={"back": 11, "leg": -1}))
    assert "at most 10" in found["pain.back"] and "at least 0" in found["pain.leg"]


def test_a_fractional_pain_score_is_refused() -> None:
    assert "pain.back" in problems(intake_doc(pain={"back": 4.5}))


def test_a_zone_of_6_is_out_of_range() -> None:
    assert "distal_zone" in problems(intake_doc(distal_zone=6))


def test_an_unknown_field_is_an_error_at_any_depth() -> None:
    found = problems(intake_doc(mood="fine", symptoms={"dizzy": True}))
    assert set(found) == {"mood", "symptoms.dizzy"}


def test_an_unknown_surgery_answer_lists_the_allowed_ones() -> None:
    message = problems(intake_doc(history={"lumbar_surgery": "yesterday"}))["history.lumbar_surgery"]
    assert "'none'" in message and "'recent'" in message


def test_startback_needs_exactly_eight_agree_answers() -> None:
    found = problems(intake_doc(startback={"agree": [True] * 7, "bothersome": "slightly"}))
    assert "startback.agree" in found


def test_the_wrong_schema_name_is_refused() -> None:
    assert "schema" in problems(intake_doc(schema="backhome.intake/2"))


def test_every_wrong_field_is_reported_at_once() -> None:
    doc = intake_doc(age=-3, distal_zone="thigh")
    del doc["numbness"]
    assert set(problems(doc)) == {"age", "distal_zone", "numbness"}


def test_a_document_that_is_not_an_object_is_refused() -> None:
    assert problems([1, 2]) == {"(document)": "must be a JSON object, not a list"}


def test_text_that_is_not_json_is_refused_with_its_position() -> None:
    with pytest.raises(IntakeError) as caught:
        parse_intake_json('{"age": 4')
    assert "not valid JSON" in str(caught.value) and "line 1" in str(caught.value)


def test_nan_and_repeated_keys_are_refused() -> None:
    with pytest.raises(IntakeError):
        parse_intake_json('{"age": NaN}')
    with pytest.raises(IntakeError, match="given twice"):
        parse_intake_json('{"age": 40, "age": 41}')


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_contract_example_gives_a_decision_that_matches_the_schema(
    example: Any, decision_schema: dict[str, Any]
) -> None:
    decision = decide(parse_intake_json(example.read_text("utf-8")))
    document = decision_to_json(decision)
    jsonschema.validate(document, decision_schema)
    assert document["rules"] == sorted(document["rules"])
    assert {r["rule"] for r in document["reasons"]} == set(document["rules"])
