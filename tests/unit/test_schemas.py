"""The contract's JSON Schemas are generated from its pydantic models, kept in the repository, and say
what the contract says: the same required fields, enums and ranges, and every example passes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest

from backhome.core import schemas
from backhome.core.contract import DECISION_MODEL, DoseMode, ExerciseId, decision_to_json, parse_intake_json
from backhome.core.engine import decide
from backhome.core.model import EXERCISE_IDS, Mode, Monitoring, Tier
from backhome.core.schemas.__main__ import main
from tests.builders import DANA, EXAMPLES

EXAMPLE_INTAKES = sorted(EXAMPLES.glob("*.json"))

#: What the contract fixes, by path ("history.cancer", "exercises[].mode"): written down from the
#: contract of backhome.intake/1 and backhome.decision/1, so that regenerating the schemas from changed
#: models cannot quietly drop a required field, an allowed value or a bound.
REQUIRED: dict[str, dict[str, list[str]]] = {
    "intake": {
        "(document)": [
            "age",
            "distal_zone",
            "history",
            "numbness",
            "pain",
            "pregnant",
            "schema",
            "symptoms",
            "weeks",
        ],
        "pain": ["back", "leg"],
        "history": [
            "cancer",
            "disc_herniation",
            "immunosuppression",
            "iv_drug_use",
            "long_term_steroids",
            "lumbar_surgery",
            "osteoporosis",
            "spinal_stenosis",
            "vertebral_fracture",
        ],
        "symptoms": [
            "bladder_change",
            "both_legs",
            "bowel_change",
            "eased_by_bending_forward",
            "fever",
            "lateral_shift",
            "leg_weakness",
            "major_trauma",
            "minor_trauma",
            "night_pain",
            "progressive_pain",
            "saddle_numbness",
            "sexual_dysfunction",
            "thoracic_pain",
            "unwell",
            "weight_loss",
            "worse_straining",
        ],
        "startback": ["agree", "bothersome"],
    },
    "decision": {
        "(document)": ["blocked", "exercises", "monitoring", "reasons", "risk", "rules", "schema", "tier"],
        "reasons[]": ["rule", "text"],
        "exercises[]": ["hold_s", "id", "mode", "per_side", "reps", "sets"],
        "blocked[]": ["id", "reason", "rules"],
        "risk": ["category", "psychosocial", "tool", "total"],
    },
}
EXERCISES = sorted(EXERCISE_IDS)
ALLOWED: dict[str, dict[str, Any]] = {
    "intake": {
        "schema": "backhome.intake/1",
        "history.lumbar_surgery": ["none", "past", "recent"],
        "symptoms.leg_weakness": ["none", "stable", "worsening"],
        "startback.bothersome": ["extremely", "moderately", "not_at_all", "slightly", "very_much"],
        "directional.extension": ["favourable", "no_effect", "worse"],
        "directional.flexion": ["favourable", "no_effect", "worse"],
    },
    "decision": {
        "schema": "backhome.decision/1",
        "tier": ["emergency", "proceed", "refer", "soon", "urgent"],
        "exercises[].id": EXERCISES,
        "exercises[].mode": [None, "extension_only", "flexion_only", "slider", "tensioner"],
        "blocked[].id": EXERCISES,
        "risk.tool": "startback",
        "risk.category": ["high", "low", "medium"],
        "monitoring": ["monitored", "strict"],
    },
}
#: (minimum, maximum) of numbers, or of list lengths; None where there is no bound.
BOUNDS: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "intake": {
        "age": (0, 120),
        "weeks": (0, 2600),
        "pain.back": (0, 10),
        "pain.leg": (0, 10),
        "distal_zone": (0, 5),
        "startback.agree": (8, 8),
    },
    "decision": {
        "exercises[].sets": (1, None),
        "exercises[].reps": (1, None),
        "exercises[].hold_s": (0, None),
        "blocked[].rules": (1, None),
        "risk.total": (0, 9),
        "risk.psychosocial": (0, 5),
    },
}
#: Objects that refuse a field they do not name (B15 fails closed on the intake; the decision is open).
CLOSED = {
    "intake": ["(document)", "pain", "history", "symptoms", "startback", "directional"],
    "decision": [],
}


def nodes(schema: dict[str, Any], path: str = "(document)") -> dict[str, dict[str, Any]]:
    """Every subschema by path, with a nullable one (``anyOf`` with null) read as its non-null member."""
    members = schema.get("anyOf") or schema.get("oneOf")
    if members:
        found: dict[str, dict[str, Any]] = {}
        for member in members:
            if member.get("type") != "null":
                found |= nodes(member, path)
        return found
    found = {path: schema}
    prefix = "" if path == "(document)" else f"{path}."
    for name, sub in schema.get("properties", {}).items():
        found |= nodes(sub, prefix + name)
    if "items" in schema:
        found |= nodes(schema["items"], f"{path}[]")
    return found


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_committed_schema_is_what_the_models_generate(name: str) -> None:
    assert schemas.path(name).read_text("utf-8") == schemas.render(name), (
        f"{schemas.path(name).name} is stale: run python -m backhome.core.schemas"
    )


def test_the_check_command_finds_nothing_to_rewrite(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_schema_is_valid_json_schema_with_its_contract_id(name: str) -> None:
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"backhome.{name}/1"
    assert "$defs" not in schema and "$ref" not in json.dumps(schema)


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_required_fields_are_the_contracts(name: str) -> None:
    found = {
        path: sorted(node["required"])
        for path, node in nodes(schemas.load(name)).items()
        if "required" in node
    }
    assert found == REQUIRED[name]


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_allowed_values_are_the_contracts(name: str) -> None:
    found = {
        path: node["const"] if "const" in node else sorted(node["enum"], key=str)
        for path, node in nodes(schemas.load(name)).items()
        if "const" in node or "enum" in node
    }
    assert found == ALLOWED[name]


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_bounds_are_the_contracts(name: str) -> None:
    found = {
        path: (node.get("minimum", node.get("minItems")), node.get("maximum", node.get("maxItems")))
        for path, node in nodes(schemas.load(name)).items()
        if {"minimum", "maximum", "minItems", "maxItems"} & set(node)
    }
    assert found == BOUNDS[name]


@pytest.mark.parametrize("name", schemas.NAMES)
def test_only_the_intakes_objects_refuse_unknown_fields(name: str) -> None:
    found = [
        path for path, node in nodes(schemas.load(name)).items() if node.get("additionalProperties") is False
    ]
    assert found == CLOSED[name]


def test_a_decisions_rule_ids_are_unique_and_shaped_like_rule_ids() -> None:
    rules = nodes(schemas.load("decision"))["rules"]
    assert rules["uniqueItems"] is True
    assert rules["items"]["pattern"] == "^[A-Z]{1,4}-[0-9]{2}[a-z]?$"


def test_the_decision_model_allows_every_value_the_core_can_write() -> None:
    assert get_args(ExerciseId) == EXERCISE_IDS
    field = DECISION_MODEL.model_fields
    assert get_args(field["tier"].annotation) == tuple(tier.value for tier in Tier)
    assert get_args(field["monitoring"].annotation) == tuple(mode.value for mode in Monitoring)
    assert set(get_args(Mode)) <= set(get_args(DoseMode))


@pytest.mark.parametrize("example", EXAMPLE_INTAKES, ids=lambda p: p.stem)
def test_every_example_intake_passes_the_intake_schema(example: Path) -> None:
    jsonschema.validate(json.loads(example.read_text("utf-8")), schemas.load("intake"))


def test_the_personas_intake_passes_the_intake_schema() -> None:
    jsonschema.validate(DANA, schemas.load("intake"))


@pytest.mark.parametrize("example", EXAMPLE_INTAKES, ids=lambda p: p.stem)
def test_every_example_decision_passes_the_decision_schema_and_its_model(example: Path) -> None:
    document = decision_to_json(decide(parse_intake_json(example.read_text("utf-8"))))
    jsonschema.validate(document, schemas.load("decision"))
    # The model gives back exactly the document: the decision has no field the model does not know.
    assert DECISION_MODEL.model_validate(document).model_dump(mode="json", by_alias=True) == document


def test_the_schema_refuses_what_the_parser_refuses() -> None:
    intake = schemas.load("intake")
    for wrong in ({**DANA, "age": 121}, {**DANA, "mood": "fine"}, {**DANA, "pain": {"back": 4}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, intake)


def test_the_examples_are_in_the_repository_with_what_they_must_decide() -> None:
    assert len(EXAMPLE_INTAKES) >= 4
    assert all(example.with_suffix(".expect.txt").exists() for example in EXAMPLE_INTAKES)
