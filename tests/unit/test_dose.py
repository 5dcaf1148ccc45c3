"""A dose in words and as JSON (``backhome.core.dose``): the one serialisation every front end calls."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from backhome.core.dose import describe_dose, dose_from_json, dose_json, dose_of, mode_name
from backhome.core.model import Dose

GLIDE = Dose(1, 10, 2, True, "slider")
PRESS_UP = Dose(1, 10, 10, False)


def test_a_dose_reads_as_times_and_holds() -> None:
    assert describe_dose(PRESS_UP) == "10 times, hold each 10 seconds"
    assert describe_dose(Dose(2, 10, 0, True)) == "2 sets of: 10 times on each side"
    assert describe_dose(Dose(1, 1, 90, False)) == "Hold for 1 min 30 s"
    assert describe_dose(Dose(3, 1, 0, False)) == "3 sets of: once"


def test_the_mode_is_named_only_when_asked_for() -> None:
    assert describe_dose(GLIDE) == "10 times on each side, hold each 2 seconds"
    assert (
        describe_dose(GLIDE, with_mode=True)
        == "10 times on each side, hold each 2 seconds – slider (gentlest)"
    )
    assert describe_dose(PRESS_UP, with_mode=True) == describe_dose(PRESS_UP)


def test_a_mode_has_a_name_in_words_and_no_mode_has_none() -> None:
    assert mode_name("extension_only") == "dipping half only"
    assert mode_name("flexion_only") == "rounding half only"
    assert mode_name(None) == mode_name("") == ""


def test_a_dose_as_json_has_the_five_fields_every_export_uses() -> None:
    assert dose_json(GLIDE) == {"sets": 1, "reps": 10, "hold_s": 2, "per_side": True, "mode": "slider"}
    assert dose_json(PRESS_UP)["mode"] is None


def test_a_stored_change_with_its_exercise_id_reads_back_as_its_dose() -> None:
    assert dose_from_json({"exercise_id": "sciatic-nerve-glide", **dose_json(GLIDE)}) == GLIDE


@dataclass
class Row:
    """A stored row's columns: the database keeps '' for no mode."""

    sets: int
    reps: int
    hold_s: int
    per_side: bool
    mode: str


def test_a_row_without_a_mode_reads_back_without_one() -> None:
    assert dose_of(Row(1, 10, 10, False, "")) == PRESS_UP
    assert dose_of(Row(1, 10, 2, True, "slider")) == GLIDE


doses = st.builds(
    Dose,
    st.integers(1, 5),
    st.integers(1, 30),
    st.integers(0, 120),
    st.booleans(),
    st.sampled_from([None, "slider", "tensioner", "extension_only"]),
)


@given(doses)
def test_every_dose_survives_a_trip_through_json_text(dose: Dose) -> None:
    assert dose_from_json(json.loads(json.dumps(dose_json(dose)))) == dose
