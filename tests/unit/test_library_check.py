"""Each problem code of ``check_library`` fires on a library broken in exactly one way.

Every test copies the real content into ``tmp_path`` and breaks one thing, so the copy is valid
except for what the test names.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from backhome.core.library.check import CONTENT_ROOT, PROBLEM_CODES, Problem, check_library
from backhome.core.library.load import LibraryError, load_library


def copy_library(tmp_path: Path) -> Path:
    root = tmp_path / "exercises"
    shutil.copytree(CONTENT_ROOT, root)
    return root


def edit(root: Path, exercise_id: str, old: str, new: str) -> None:
    """Replace one exact piece of text in one exercise file (it must be there exactly once)."""
    path = root / f"{exercise_id}.toml"
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
    path.write_text(text.replace(old, new), "utf-8")


def codes(problems: list[Problem]) -> set[str]:
    return {problem.code for problem in problems}


Breaker = Callable[[Path], None]


def _toml_syntax(root: Path) -> None:
    edit(root, "cat-camel", 'id = "cat-camel"', 'id = "cat-camel')


def _unreadable(root: Path) -> None:
    (root / "cat-camel.toml").write_bytes(b'id = "\xff\xfe"\n')


def _schema(root: Path) -> None:
    edit(root, "cat-camel", "sequence = 40", 'sequence = "40"')


def _id_not_file_name(root: Path) -> None:
    (root / "cat-camel.toml").rename(root / "cat-cow.toml")


def _unknown_exercise_id(root: Path) -> None:
    text = (root / "cat-camel.toml").read_text("utf-8").replace('"cat-camel"', '"bird-dog"')
    (root / "bird-dog.toml").write_text(text.replace("sequence = 40", "sequence = 41"), "utf-8")


def _missing_exercise(root: Path) -> None:
    (root / "cat-camel.toml").unlink()


def _duplicate_sequence(root: Path) -> None:
    edit(root, "cat-camel", "sequence = 40", "sequence = 50")


def _direction_mismatch(root: Path) -> None:
    edit(root, "cat-camel", 'direction = "both"', 'direction = "flexion"')


def _range_inverted(root: Path) -> None:
    edit(
        root,
        "cat-camel",
        "hold_s = { min = 5, start = 5, step = 5, max = 20 }",
        "hold_s = { min = 25, start = 5, step = 5, max = 20 }",
    )


def _start_outside_envelope(root: Path) -> None:
    edit(
        root,
        "cat-camel",
        "reps = { min = 2, start = 5, step = 1, max = 10 }",
        "reps = { min = 2, start = 12, step = 1, max = 10 }",
    )


def _step_does_not_fit(root: Path) -> None:
    edit(
        root,
        "cat-camel",
        "hold_s = { min = 5, start = 5, step = 5, max = 20 }",
        "hold_s = { min = 5, start = 5, step = 4, max = 20 }",
    )


def _unknown_link(root: Path) -> None:
    edit(
        root, "childs-pose", 'progresses_to = "childs-pose-side-reach"', 'progresses_to = "childs-pose-twist"'
    )


def _link_not_mutual(root: Path) -> None:
    edit(root, "childs-pose-side-reach", 'regresses_to = "childs-pose"\n', "")


def _progression_cycle(root: Path) -> None:
    edit(
        root,
        "childs-pose-side-reach",
        'regresses_to = "childs-pose"',
        'progresses_to = "childs-pose"\nregresses_to = "childs-pose"',
    )
    edit(
        root,
        "childs-pose",
        'progresses_to = "childs-pose-side-reach"',
        'progresses_to = "childs-pose-side-reach"\nregresses_to = "childs-pose-side-reach"',
    )


def _progression_crosses_direction(root: Path) -> None:
    edit(
        root,
        "prone-press-up",
        'regresses_to = "prone-on-elbows"',
        'regresses_to = "prone-on-elbows"\nprogresses_to = "cat-camel"',
    )


def _mode_not_allowed(root: Path) -> None:
    edit(
        root,
        "prone-press-up",
        '[[contraindications]]\ntag = "spinal_stenosis"',
        '[[modes]]\nid = "slider"\nname = "Half press-up"\nrules = ["ND-02"]\n'
        'steps = ["Lie down.", "Press up halfway.", "Come down."]\n\n'
        '[[contraindications]]\ntag = "spinal_stenosis"',
    )


def _mode_missing(root: Path) -> None:
    path = root / "sciatic-nerve-glide.toml"
    text = path.read_text("utf-8")
    start = text.index('[[modes]]\nid = "tensioner"')
    end = text.index("[[contraindications]]")
    path.write_text(text[:start] + text[end:], "utf-8")


def _duplicate_mode(root: Path) -> None:
    edit(root, "sciatic-nerve-glide", '[[modes]]\nid = "tensioner"', '[[modes]]\nid = "slider"')


def _unknown_rule_id(root: Path) -> None:
    edit(root, "cat-camel", 'rules = ["DS-02", "DPT-22"]', 'rules = ["DS-02", "DS-99"]')


def _unknown_source_id(root: Path) -> None:
    edit(root, "cat-camel", 'ref = "S47"', 'ref = "S99"')


def _contraindication_rule(root: Path) -> None:
    edit(
        root,
        "sciatic-nerve-glide",
        'tag = "lumbar_surgery"\nrules = ["EL-03"]',
        'tag = "lumbar_surgery"\nrules = ["EL-04"]',
    )


def _missing_contraindication(root: Path) -> None:
    edit(root, "prone-press-up", 'tag = "spinal_stenosis"', 'tag = "long_term_steroids"')
    edit(root, "prone-press-up", 'rules = ["EL-06"]', 'rules = ["EL-05"]')


def _duplicate_contraindication(root: Path) -> None:
    edit(
        root,
        "prone-press-up",
        'tag = "worse_in_self_check"\nrules = ["DPT-24"]',
        'tag = "pregnancy"\nrules = ["EL-02"]',
    )


def _jargon(root: Path) -> None:
    edit(root, "prone-lying", 'summary = "Rest flat on your front', 'summary = "Rest prone on your front')


def _missing_language(root: Path) -> None:
    path = root / "prone-lying.toml"
    text = path.read_text("utf-8")
    path.write_text(text[: text.index("[translations.es]")], "utf-8")


def _unknown_language(root: Path) -> None:
    edit(root, "prone-lying", "[translations.es]", "[translations.fr]")


def _translation_mismatch(root: Path) -> None:
    edit(root, "prone-lying", '  "Gire la cabeza hacia el lado que le resulte cómodo.",\n', "")


def _missing_folder(root: Path) -> None:
    shutil.rmtree(root)


BREAKERS: dict[str, Breaker] = {
    "missing-folder": _missing_folder,
    "unreadable-file": _unreadable,
    "toml-syntax": _toml_syntax,
    "schema": _schema,
    "id-not-file-name": _id_not_file_name,
    "unknown-exercise-id": _unknown_exercise_id,
    "missing-exercise": _missing_exercise,
    "duplicate-sequence": _duplicate_sequence,
    "direction-mismatch": _direction_mismatch,
    "range-inverted": _range_inverted,
    "start-outside-envelope": _start_outside_envelope,
    "step-does-not-fit": _step_does_not_fit,
    "unknown-link": _unknown_link,
    "link-not-mutual": _link_not_mutual,
    "progression-cycle": _progression_cycle,
    "progression-crosses-direction": _progression_crosses_direction,
    "mode-not-allowed": _mode_not_allowed,
    "mode-missing": _mode_missing,
    "duplicate-mode": _duplicate_mode,
    "unknown-rule-id": _unknown_rule_id,
    "unknown-source-id": _unknown_source_id,
    "contraindication-rule": _contraindication_rule,
    "missing-contraindication": _missing_contraindication,
    "duplicate-contraindication": _duplicate_contraindication,
    "jargon": _jargon,
    "missing-language": _missing_language,
    "unknown-language": _unknown_language,
    "translation-mismatch": _translation_mismatch,
}


def test_every_problem_code_has_a_library_broken_to_show_it() -> None:
    assert set(BREAKERS) == set(PROBLEM_CODES)


def test_an_unbroken_copy_of_the_library_has_no_problems(tmp_path: Path) -> None:
    assert check_library(copy_library(tmp_path)) == []


@pytest.mark.parametrize("code", PROBLEM_CODES)
def test_each_way_of_breaking_the_library_is_reported_with_its_own_code(tmp_path: Path, code: str) -> None:
    root = copy_library(tmp_path)
    BREAKERS[code](root)
    problems = check_library(root)
    assert code in codes(problems), problems
    assert all(problem.message for problem in problems)


@pytest.mark.parametrize("code", PROBLEM_CODES)
def test_loading_a_broken_library_raises_with_the_same_problems(tmp_path: Path, code: str) -> None:
    root = copy_library(tmp_path)
    BREAKERS[code](root)
    with pytest.raises(LibraryError) as caught:
        load_library(root)
    assert list(caught.value.problems) == check_library(root)
    assert code in str(caught.value)


def test_a_link_to_a_missing_exercise_is_an_unknown_link(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    _unknown_link(root)
    assert Problem(
        "unknown-link", "childs-pose.toml", "progresses_to names 'childs-pose-twist', which has no exercise"
    ) in check_library(root)


def test_a_schema_problem_names_the_field_path(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    edit(
        root,
        "cat-camel",
        "hold_s = { min = 5, start = 5, step = 5, max = 20 }",
        'hold_s = { min = 5, start = "5", step = 5, max = 20 }',
    )
    (problem,) = check_library(root)
    assert (problem.code, problem.file) == ("schema", "cat-camel.toml")
    assert problem.message.startswith("dose.hold_s.start: ")


def test_each_pydantic_error_is_its_own_schema_problem(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    edit(root, "cat-camel", "sequence = 40", 'sequence = "40"\ncolour = "blue"')
    problems = check_library(root)
    assert [(p.code, p.message.split(":")[0]) for p in problems] == [
        ("schema", "sequence"),
        ("schema", "colour"),
    ]


def test_a_file_renamed_away_from_its_id_is_reported_and_its_id_counts_as_missing(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    _id_not_file_name(root)
    assert codes(check_library(root)) == {"id-not-file-name", "missing-exercise"}


def test_a_one_sided_progression_is_reported_on_the_file_that_makes_it(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    _link_not_mutual(root)
    (problem,) = check_library(root)
    assert (problem.code, problem.file) == ("link-not-mutual", "childs-pose.toml")


def test_a_progression_cycle_is_reported_once(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    _progression_cycle(root)
    cycles = [p for p in check_library(root) if p.code == "progression-cycle"]
    assert len(cycles) == 1
    assert "childs-pose -> childs-pose-side-reach -> childs-pose" in cycles[0].message


def test_an_exercise_that_progresses_to_itself_is_a_cycle(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    edit(
        root,
        "cat-camel",
        'rules = ["DS-02", "DPT-22"]',
        'progresses_to = "cat-camel"\nregresses_to = "cat-camel"\nrules = ["DS-02", "DPT-22"]',
    )
    assert "progression-cycle" in codes(check_library(root))


def test_a_ladder_step_of_zero_needs_start_equal_to_max(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    edit(
        root,
        "cat-camel",
        "hold_s = { min = 5, start = 5, step = 5, max = 20 }",
        "hold_s = { min = 5, start = 5, step = 0, max = 20 }",
    )
    (problem,) = check_library(root)
    assert problem.code == "step-does-not-fit"
    assert "step 0" in problem.message


def test_a_limit_to_a_mode_the_exercise_does_not_describe_is_not_allowed(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    edit(
        root,
        "cat-camel",
        'effect = "limit_to_mode"\nmode = "extension_only"\nrules = ["EL-05"]\nnote = "With',
        'effect = "limit_to_mode"\nmode = "slider"\nrules = ["EL-05"]\nnote = "With',
    )
    assert codes(check_library(root)) == {"mode-not-allowed"}


def test_a_rule_id_cited_by_a_mode_must_exist(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    edit(root, "sciatic-nerve-glide", 'rules = ["ND-02"]', 'rules = ["ND-22"]')
    (problem,) = check_library(root)
    assert (problem.code, problem.message) == (
        "unknown-rule-id",
        "ND-22 is not a rule id of the clinical spec",
    )


def test_files_that_are_not_toml_are_ignored(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    (root / "README.txt").write_text("notes", "utf-8")
    assert check_library(root) == []


def test_a_problem_prints_as_code_file_and_message() -> None:
    assert str(Problem("unknown-link", "a.toml", "oops")) == "unknown-link  a.toml: oops"


def test_a_file_without_spanish_is_named_with_the_missing_language(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    _missing_language(root)
    assert check_library(root) == [
        Problem("missing-language", "prone-lying.toml", "no [translations.es]: every text is missing in 'es'")
    ]


def test_a_translation_with_a_step_less_than_the_english_is_named(tmp_path: Path) -> None:
    root = copy_library(tmp_path)
    _translation_mismatch(root)
    assert check_library(root) == [
        Problem("translation-mismatch", "prone-lying.toml", "translations.es.steps: 4 lines, English has 5")
    ]
