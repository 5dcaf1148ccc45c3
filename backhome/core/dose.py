"""A dose in words and as JSON: every front end (the patient's pages, the clinic, the handout, the API,
FHIR, the CLI) turns a dose into text or JSON with these functions, so one dose reads the same everywhere
and a stored dose always comes back as the ``Dose`` it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, cast

from backhome.core.model import Dose, Mode
from backhome.core.words import seconds

#: The modes' names in the patient's words.
MODE_NAMES: Mapping[str, str] = {
    "slider": "slider (gentlest)",
    "tensioner": "tensioner",
    "extension_only": "dipping half only",
    "flexion_only": "rounding half only",
}


def mode_name(mode: str | None) -> str:
    """A mode's name in words ('' for no mode; an unknown mode as it is stored)."""
    return MODE_NAMES.get(mode, mode) if mode else ""


def describe_dose(dose: Dose, *, with_mode: bool = False) -> str:
    """A dose in plain words: '10 times, hold each 10 seconds', '2 sets of: 10 times on each side'.

    ``with_mode`` adds the mode's name for a page that does not show it beside the exercise's name:
    '10 times on each side, hold each 2 seconds – slider (gentlest)'.
    """
    side = " on each side" if dose.per_side else ""
    if dose.reps == 1:
        text = f"Hold for {seconds(dose.hold_s)}{side}" if dose.hold_s else f"Once{side}"
    else:
        text = f"{dose.reps} times{side}"
        if dose.hold_s:
            text += f", hold each {seconds(dose.hold_s)}"
    if dose.sets > 1:
        text = f"{dose.sets} sets of: {text[0].lower()}{text[1:]}"
    if with_mode and dose.mode:
        text += f" – {mode_name(dose.mode)}"
    return text


def dose_json(dose: Dose) -> dict[str, Any]:
    """``{"sets", "reps", "hold_s", "per_side", "mode"}``: the shape every stored and exported dose has."""
    return {
        "sets": dose.sets,
        "reps": dose.reps,
        "hold_s": dose.hold_s,
        "per_side": dose.per_side,
        "mode": dose.mode,
    }


def dose_from_json(doc: Mapping[str, Any]) -> Dose:
    """The ``Dose`` of a ``dose_json`` document (extra keys, such as an exercise id, are ignored)."""
    return Dose(
        int(doc["sets"]),
        int(doc["reps"]),
        int(doc["hold_s"]),
        bool(doc.get("per_side")),
        cast(Mode | None, doc.get("mode") or None),
    )


class DoseFields(Protocol):
    """A stored row with a dose's columns (a plan item, a dose change, an exercise log)."""

    @property
    def sets(self) -> int: ...
    @property
    def reps(self) -> int: ...
    @property
    def hold_s(self) -> int: ...
    @property
    def per_side(self) -> bool: ...
    @property
    def mode(self) -> str: ...


def dose_of(row: DoseFields) -> Dose:
    """The ``Dose`` of a stored row, whose mode column holds '' for no mode."""
    return Dose(
        int(row.sets),
        int(row.reps),
        int(row.hold_s),
        bool(row.per_side),
        cast(Mode | None, row.mode or None),
    )
