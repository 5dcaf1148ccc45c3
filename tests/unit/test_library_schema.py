"""The strict shape of one exercise file, and the Library value the loader builds."""

from __future__ import annotations

import dataclasses
import tomllib
from typing import Any

import pytest
from pydantic import ValidationError

from backhome.core.library.check import CONTENT_ROOT
from backhome.core.library.load import Library, default_library, load_library, to_exercise
from backhome.core.library.schema import CONTRAINDICATION_TAGS, ExerciseDoc
from backhome.core.model import Direction, Exercise


def raw(exercise_id: str = "sciatic-nerve-glide") -> dict[str, Any]:
    """The parsed TOML of one real exercise file, to change in a test."""
    return tomllib.loads((CONTENT_ROOT / f"{exercise_id}.toml").read_text("utf-8"))


def errors(document: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        ExerciseDoc.model_validate(document)
    return [(".".join(str(p) for p in e["loc"]), e["type"]) for e in caught.value.errors()]


def test_a_real_exercise_file_fits_the_schema() -> None:
    doc = ExerciseDoc.model_validate(raw())
    assert doc.id == "sciatic-nerve-glide"
    assert [mode.id for mode in doc.modes] == ["slider", "tensioner"]


def test_an_unknown_field_is_refused() -> None:
    document = raw()
    document["colour"] = "blue"
    assert errors(document) == [("colour", "extra_forbidden")]


def test_an_unknown_field_inside_the_dose_is_refused() -> None:
    document = raw()
    document["dose"]["sets"]["middle"] = 1
    assert errors(document) == [("dose.sets.middle", "extra_forbidden")]


def test_a_number_written_as_text_is_not_coerced() -> None:
    document = raw()
    document["sequence"] = "20"
    assert errors(document) == [("sequence", "int_type")]


def test_a_true_false_field_does_not_accept_a_number() -> None:
    document = raw()
    document["dose"]["per_side"] = 1
    assert errors(document) == [("dose.per_side", "bool_type")]


def test_a_direction_outside_the_four_families_is_refused() -> None:
    document = raw()
    document["direction"] = "sideways"
    assert errors(document) == [("direction", "literal_error")]


def test_a_contraindication_tag_outside_the_closed_set_is_refused() -> None:
    document = raw()
    document["contraindications"][0]["tag"] = "bad_knees"
    assert errors(document) == [("contraindications.0.tag", "literal_error")]


def test_the_closed_set_of_contraindication_tags() -> None:
    assert set(CONTRAINDICATION_TAGS) == {
        "spinal_stenosis",
        "vertebral_fracture",
        "osteoporosis",
        "long_term_steroids",
        "pregnancy",
        "lumbar_surgery",
        "worse_in_self_check",
    }


def test_a_limit_to_a_mode_must_name_the_mode() -> None:
    document = raw("cat-camel")
    del document["contraindications"][0]["mode"]
    assert errors(document) == [("contraindications.0", "value_error")]


def test_a_block_takes_no_mode() -> None:
    document = raw("cat-camel")
    document["contraindications"][0]["effect"] = "block"
    assert errors(document) == [("contraindications.0", "value_error")]


def test_a_mode_outside_the_known_modes_is_refused() -> None:
    document = raw()
    document["modes"][0]["id"] = "flosser"
    assert errors(document) == [("modes.0.id", "literal_error")]


def test_more_than_seven_steps_is_too_many() -> None:
    document = raw()
    document["steps"] = [f"Step number {n}." for n in range(8)]
    assert errors(document) == [("steps", "too_long")]


def test_a_step_must_be_one_line() -> None:
    document = raw()
    document["steps"][0] = "Lie down.\nThen rest."
    assert errors(document) == [("steps.0", "string_pattern_mismatch")]


def test_an_exercise_is_done_at_least_once() -> None:
    document = raw()
    document["dose"]["reps"]["min"] = 0
    assert errors(document) == [("dose", "value_error")]


def test_a_rule_id_must_look_like_a_rule_id() -> None:
    document = raw()
    document["rules"] = ["nd01"]
    assert errors(document) == [("rules.0", "string_pattern_mismatch")]


def test_a_source_must_be_a_source_id() -> None:
    document = raw()
    document["sources"][0]["ref"] = "the article"
    assert errors(document) == [("sources.0.ref", "string_pattern_mismatch")]


def test_links_and_modes_are_optional() -> None:
    document = raw("childs-pose")
    del document["progresses_to"]
    assert ExerciseDoc.model_validate(document).progresses_to is None


def test_a_file_becomes_a_frozen_exercise_with_every_cited_rule() -> None:
    exercise = to_exercise(ExerciseDoc.model_validate(raw()))
    assert exercise.direction is Direction.NEURAL
    assert exercise.rules == ("EL-02", "EL-03", "ND-01", "ND-02", "ND-03", "ND-04", "ND-05")
    assert exercise.contraindications == ("lumbar_surgery", "pregnancy")
    assert [mode.id for mode in exercise.modes] == ["slider", "tensioner"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        exercise.name = "Other"  # type: ignore[misc]


def test_the_document_is_frozen_too() -> None:
    doc = ExerciseDoc.model_validate(raw())
    with pytest.raises(ValidationError):
        doc.name = "Other"  # type: ignore[misc]


# --------------------------------------------------------------------------- the Library value


def test_the_library_is_a_mapping_from_id_to_exercise() -> None:
    library = load_library()
    assert isinstance(library["prone-press-up"], Exercise)
    assert library.get("bird-dog") is None
    assert "cat-camel" in library
    assert "bird-dog" not in library
    assert len(library) == 9


def test_iterating_the_library_follows_the_programme_sequence() -> None:
    library = load_library()
    sequences = [library[exercise_id].sequence for exercise_id in library]
    assert sequences == sorted(sequences)
    assert library.ids == tuple(library)
    assert [e.id for e in library.exercises] == list(library.ids)
    assert library.ids[0] == "single-knee-to-chest"


def test_the_library_is_frozen() -> None:
    library = load_library()
    with pytest.raises(AttributeError):
        library.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        library["cat-camel"] = library["childs-pose"]  # type: ignore[index]


def test_a_library_can_be_built_from_exercises_in_any_order() -> None:
    exercises = list(load_library().exercises)
    assert Library(reversed(exercises)).ids == Library(exercises).ids


def test_the_default_library_is_loaded_once() -> None:
    assert default_library() is default_library()
