"""The camera coach's thresholds are content: strict, sourced, and checked with the library."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest

from backhome.core.library.check import check_library
from backhome.core.library.coach import COACH_ROOT, Feature, coach_content, coach_problems

STATIC = Path(__file__).resolve().parents[2] / "backhome" / "web" / "practice" / "static"
LANDMARKS_JS = STATIC / "practice" / "coach" / "landmarks.js"
GOOD = (COACH_ROOT / "prone-press-up.toml").read_text(encoding="utf-8")


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_packaged_coach_files_have_no_problem() -> None:
    assert coach_problems() == []
    assert not [p for p in check_library() if p.code.startswith("coach-")]


def test_the_coach_covers_the_exercises_a_side_view_can_count() -> None:
    assert set(coach_content()) == {
        "prone-press-up",
        "single-knee-to-chest",
        "double-knee-to-chest",
        "childs-pose",
        "cat-camel",
    }


def test_every_threshold_names_a_source_or_says_it_is_a_design_default() -> None:
    for doc in coach_content().values():
        items = doc["start"] + doc.get("corrections", [])
        items += [t for p in doc["positions"] for t in p["reach"] + p.get("form", [])]
        assert all(re.fullmatch(r"S\d+|\{D\}", t["source"]) for t in items)


def test_the_content_and_the_counter_know_the_same_measures() -> None:
    js = LANDMARKS_JS.read_text(encoding="utf-8")
    block = js.split("export const FEATURES = Object.freeze([", 1)[1].split("]);", 1)[0]
    assert set(re.findall(r'"([a-z_]+)"', block)) == set(get_args(Feature))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda t: t.replace('feature = "hip_lift"', 'feature = "hip_wiggle"', 1), "coach-schema"),
        (lambda t: t.replace('source = "S0"', 'source = "a blog"', 1), "coach-schema"),
        (lambda t: t.replace("max = 12", "max = 12\nmin = 40", 1), "coach-schema"),
        (lambda t: t + "\nsurprise = 1\n", "coach-schema"),
        (lambda t: t.replace('exercise = "prone-press-up"', 'exercise = "press-up"'), "coach-file"),
        (lambda t: t.replace('view = "side"', "view = [side"), "coach-file"),
    ],
)
def test_a_broken_coach_file_is_reported_with_a_stable_code(
    tmp_path: Path, change: Callable[[str], str], code: str
) -> None:
    folder = _folder(tmp_path, "prone-press-up", change(GOOD))
    assert {p[0] for p in coach_problems(folder)} == {code}
