"""The screening questions file: strict, complete, warning signs first."""

from __future__ import annotations

import pydantic
import pytest

from backhome.core import schemas
from backhome.web.patient import questions

SCHEMA = schemas.load("intake")


def _required_paths(schema: dict, prefix: str = "") -> list[str]:
    paths = []
    for name in schema.get("required", []):
        if name == "schema":
            continue
        sub = schema["properties"][name]
        if sub.get("type") == "object":
            paths.extend(_required_paths(sub, f"{prefix}{name}."))
        else:
            paths.append(f"{prefix}{name}")
    return paths


def test_every_required_intake_field_is_asked_exactly_once() -> None:
    asked = questions.asked_fields()
    required = _required_paths(SCHEMA)
    assert len(required) == 33
    assert sorted(f for f in required if asked.count(f) != 1) == []
    assert sorted(set(required)) == sorted(questions.required_intake_fields())


def test_the_nine_risk_topics_are_asked_in_the_words_of_the_startback_file() -> None:
    asked = questions.asked_fields()
    assert [f for f in asked if f.startswith("startback.")] == list(questions.STARTBACK_FIELDS)


def test_the_emergency_questions_come_before_any_other_topic() -> None:
    steps = questions.screening().steps
    first_plain = next(i for i, s in enumerate(steps) if not s.warning_signs)
    assert all(s.warning_signs for s in steps[:first_plain])
    emergency_steps = {i for i, s in enumerate(steps) for q in s.questions if q.emergency}
    assert len({q.field for s in steps for q in s.questions if q.emergency}) == len(
        questions.EMERGENCY_FIELDS
    )
    assert max(emergency_steps) < first_plain
    assert steps[0].questions[0].emergency


def test_a_questions_file_with_an_unknown_key_is_refused() -> None:
    text = 'id = "screening"\ntitle = "t"\ncolour = "red"\n[[steps]]\nid = "a"\ntitle = "A"\n'
    with pytest.raises(pydantic.ValidationError):
        questions.load_screening(text)


def test_a_question_about_a_field_the_intake_does_not_have_is_refused() -> None:
    text = (
        'id = "screening"\ntitle = "t"\n[[steps]]\nid = "a"\ntitle = "A"\n'
        '[[steps.questions]]\nfield = "symptoms.headache"\nkind = "yes_no"\ntext = "Do you have a headache?"\n'
    )
    with pytest.raises(pydantic.ValidationError, match="not a field"):
        questions.load_screening(text)


def test_a_field_asked_twice_is_refused() -> None:
    question = '[[steps.questions]]\nfield = "numbness"\nkind = "yes_no"\ntext = "Any numbness at all?"\n'
    text = f'id = "screening"\ntitle = "t"\n[[steps]]\nid = "a"\ntitle = "A"\n{question}{question}'
    with pytest.raises(pydantic.ValidationError, match="more than once"):
        questions.load_screening(text)


def test_answers_are_reshaped_into_an_intake_without_changing_any() -> None:
    doc = questions.intake_document(
        {"pain.back": 5, "age": 38, "startback.agree.1": True, "startback.agree.0": False}
    )
    assert doc == {
        "schema": "backhome.intake/1",
        "pain": {"back": 5},
        "age": 38,
        "startback": {"agree": [False, True, None, None, None, None, None, None]},
    }
