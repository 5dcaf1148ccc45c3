"""The real exercise content: it passes the check, covers B11 and carries the binding doses."""

from __future__ import annotations

import re
import time
import tomllib
from pathlib import Path

import pytest

from backhome.core.library.check import CONTENT_ROOT, KNOWN_SOURCE_IDS, PROBLEM_CODES, check_library
from backhome.core.library.load import default_library, load_library
from backhome.core.library.schema import ExerciseDoc, ModeDoc
from backhome.core.model import (
    EXERCISE_IDS,
    EXTENSION_FAMILY,
    FLEXION_STRETCHES,
    Direction,
    Envelope,
    Exercise,
    Range,
)
from tests.builders import CLINICAL_RULES, REPO
from tests.data.article_runs import article_fingerprints, fingerprint, runs

DOCS = REPO / "docs" / "library.md"


def r(text: str) -> Range:
    low, start, step, high = (int(part) for part in text.split("/"))
    return Range(low, start, step, high)


#: The binding dose table of the exercise-library issue: sets, reps, hold (min/start/step/max), per side.
DOSES: dict[str, Envelope] = {
    "prone-lying": Envelope(r("1/1/0/1"), r("1/1/0/1"), r("60/60/60/300"), False),
    "prone-on-elbows": Envelope(r("1/1/0/1"), r("1/1/0/1"), r("60/60/60/300"), False),
    "prone-press-up": Envelope(r("1/1/1/3"), r("5/10/0/10"), r("10/10/5/30"), False),
    "single-knee-to-chest": Envelope(r("1/1/0/1"), r("1/2/1/3"), r("15/15/5/30"), True),
    "double-knee-to-chest": Envelope(r("1/1/0/1"), r("1/2/1/3"), r("15/15/5/30"), False),
    "childs-pose": Envelope(r("1/1/0/1"), r("1/2/1/3"), r("10/10/5/30"), False),
    "childs-pose-side-reach": Envelope(r("1/1/0/1"), r("1/2/1/3"), r("10/10/5/30"), True),
    "cat-camel": Envelope(r("1/1/0/1"), r("2/5/1/10"), r("5/5/5/20"), False),
    "sciatic-nerve-glide": Envelope(r("1/1/0/1"), r("5/10/0/10"), r("0/0/0/0"), True),
}

LINKS: dict[str, tuple[str | None, str | None]] = {
    "prone-lying": ("prone-on-elbows", None),
    "prone-on-elbows": ("prone-press-up", "prone-lying"),
    "prone-press-up": (None, "prone-on-elbows"),
    "single-knee-to-chest": ("double-knee-to-chest", None),
    "double-knee-to-chest": (None, "single-knee-to-chest"),
    "childs-pose": ("childs-pose-side-reach", None),
    "childs-pose-side-reach": (None, "childs-pose"),
    "cat-camel": (None, None),
    "sciatic-nerve-glide": (None, None),
}

SEQUENCE = {
    "single-knee-to-chest": 10,
    "double-knee-to-chest": 11,
    "sciatic-nerve-glide": 20,
    "prone-lying": 30,
    "prone-on-elbows": 31,
    "prone-press-up": 32,
    "cat-camel": 40,
    "childs-pose": 50,
    "childs-pose-side-reach": 51,
}


def exercises() -> list[Exercise]:
    return list(default_library().values())


def test_the_packaged_library_has_no_problems() -> None:
    assert check_library() == []


def test_every_exercise_id_of_b11_has_a_file_named_after_it() -> None:
    assert sorted(path.stem for path in CONTENT_ROOT.glob("*.toml")) == sorted(EXERCISE_IDS)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_dose_envelope_is_the_binding_one(exercise_id: str) -> None:
    assert default_library()[exercise_id].envelope == DOSES[exercise_id]


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_progression_links_are_the_agreed_ladders(exercise_id: str) -> None:
    exercise = default_library()[exercise_id]
    assert (exercise.progresses_to, exercise.regresses_to) == LINKS[exercise_id]


def test_the_programme_order_needs_the_fewest_changes_of_position() -> None:
    assert {e.id: e.sequence for e in exercises()} == SEQUENCE


def test_each_exercise_is_in_its_b11_direction_family() -> None:
    library = default_library()
    assert {library[i].direction for i in EXTENSION_FAMILY} == {Direction.EXTENSION}
    assert {library[i].direction for i in FLEXION_STRETCHES} == {Direction.FLEXION}
    assert library["cat-camel"].direction is Direction.BOTH
    assert library["sciatic-nerve-glide"].direction is Direction.NEURAL


def test_the_nerve_glide_has_a_slider_and_a_tensioner_and_no_hold_ladder() -> None:
    glide = default_library()["sciatic-nerve-glide"]
    assert [mode.id for mode in glide.modes] == ["slider", "tensioner"]
    assert glide.envelope.hold_s.step == 0
    assert {"ND-02", "ND-03", "ND-04"} <= set(glide.rules)


def test_cat_camel_can_be_limited_to_its_dipping_half_or_its_rounding_half() -> None:
    cat = default_library()["cat-camel"]
    assert [mode.id for mode in cat.modes] == ["extension_only", "flexion_only"]
    assert {"osteoporosis", "long_term_steroids", "spinal_stenosis", "vertebral_fracture"} <= set(
        cat.contraindications
    )


def test_only_the_glide_and_cat_camel_have_modes() -> None:
    assert {e.id for e in exercises() if e.modes} == {"sciatic-nerve-glide", "cat-camel"}


def test_the_blocks_of_b12_are_on_the_exercises_they_block() -> None:
    library = default_library()
    for exercise_id in EXTENSION_FAMILY:
        assert {"spinal_stenosis", "vertebral_fracture", "pregnancy"} <= set(
            library[exercise_id].contraindications
        )
        assert {"EL-06", "EL-04", "EL-02"} <= set(library[exercise_id].rules)
    for exercise_id in FLEXION_STRETCHES:
        assert {"vertebral_fracture", "osteoporosis", "long_term_steroids", "pregnancy"} <= set(
            library[exercise_id].contraindications
        )
    assert "lumbar_surgery" in library["sciatic-nerve-glide"].contraindications


def test_the_article_is_a_source_of_the_five_stretches_and_s25_of_the_extension_stages() -> None:
    library = default_library()
    for exercise_id in (
        "prone-press-up",
        "single-knee-to-chest",
        "childs-pose",
        "cat-camel",
        "sciatic-nerve-glide",
    ):
        assert "S0" in {source.ref for source in library[exercise_id].sources}
    for exercise_id in EXTENSION_FAMILY:
        assert "S25" in {source.ref for source in library[exercise_id].sources}


def test_every_source_id_the_content_cites_is_in_the_source_list_of_the_clinical_rules() -> None:
    listed = set(re.findall(r"^- (S\d+) —", CLINICAL_RULES.read_text("utf-8"), flags=re.MULTILINE))
    assert listed == KNOWN_SOURCE_IDS
    cited = {source.ref for exercise in exercises() for source in exercise.sources}
    assert cited <= listed


def test_the_names_people_know_are_there() -> None:
    library = default_library()
    assert library["childs-pose"].other_names == ("Prayer stretch",)
    assert "Angry cat stretch" in library["cat-camel"].other_names
    assert library["prone-lying"].name == "Lying face down"
    assert library["prone-on-elbows"].name == "Resting on your elbows"


def _patient_lines(doc: ExerciseDoc) -> list[str]:
    modes: list[ModeDoc] = doc.modes
    return [
        doc.summary,
        doc.start_position,
        *doc.steps,
        *doc.may_feel,
        *doc.must_not,
        *(step for mode in modes for step in mode.steps),
    ]


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_no_sentence_of_the_clinics_article_is_copied(exercise_id: str) -> None:
    """Facts and doses carry over from S0, its wording does not: no run of six words is shared."""
    article = article_fingerprints()
    doc = ExerciseDoc.model_validate(tomllib.loads((CONTENT_ROOT / f"{exercise_id}.toml").read_text("utf-8")))
    copied = [
        " ".join(run) for line in _patient_lines(doc) for run in runs(line) if fingerprint(run) in article
    ]
    assert copied == []


def test_the_article_check_knows_the_article_and_finds_a_copied_sentence() -> None:
    article = article_fingerprints()
    assert len(article) > 500  # one per six-word run of the article
    # The article's own stop rule, word for word: each of its five runs of six words is the article's.
    quoted = "Stop if you have any increase in lower back pain"
    assert sum(fingerprint(run) in article for run in runs(quoted)) == 5
    assert not any(fingerprint(run) in article for run in runs("Lie on your front and rest on your elbows."))


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_steps_are_short_and_few(exercise_id: str) -> None:
    exercise = default_library()[exercise_id]
    assert 4 <= len(exercise.steps) <= 7
    assert all(len(step.split()) <= 22 for step in exercise.steps)


def test_docs_explain_every_problem_code_and_every_field() -> None:
    text = DOCS.read_text("utf-8")
    for code in PROBLEM_CODES:
        assert f"`{code}`" in text, code
    for field in ExerciseDoc.model_fields:
        assert f"`{field}`" in text, field


def test_loading_the_library_takes_under_50_ms() -> None:
    load_library()  # warm the file cache
    best = min(_timed_load() for _ in range(5))
    assert best < 0.050, f"load_library took {best * 1000:.1f} ms"


def _timed_load() -> float:
    start = time.perf_counter()
    load_library(Path(CONTENT_ROOT))
    return time.perf_counter() - start
