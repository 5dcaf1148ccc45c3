"""``backhome triage`` and ``backhome plan``: the contract at the command line (issue 2, item 4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from backhome.core import schemas
from tests.builders import DANA, EXAMPLES, intake_doc
from tests.cli.helpers import run

SCHEMA = schemas.load("decision")


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_triage_prints_a_valid_decision_and_exits_0_for_every_contract_example(example: Path) -> None:
    result = run("triage", str(example))
    assert result.code == 0, result.err
    jsonschema.validate(json.loads(result.out), SCHEMA)
    assert result.err == ""


def test_an_emergency_still_exits_0_with_a_decision() -> None:
    result = run("triage", str(EXAMPLES / "saddle-numbness.json"))
    decision = json.loads(result.out)
    assert result.code == 0 and decision["tier"] == "emergency" and decision["exercises"] == []


def test_triage_reads_standard_input_with_a_dash() -> None:
    result = run("triage", "-", stdin=json.dumps(DANA))
    assert result.code == 0 and json.loads(result.out)["tier"] == "proceed"


def test_a_missing_answer_prints_the_field_on_stderr_no_decision_and_exits_2() -> None:
    doc = intake_doc()
    del doc["symptoms"]["bladder_change"]
    result = run("triage", "-", stdin=json.dumps(doc))
    assert result.code == 2
    assert result.out == ""
    assert "symptoms.bladder_change" in result.err


def test_each_wrong_field_gets_its_own_line() -> None:
    result = run("triage", "-", stdin=json.dumps(intake_doc(age="forty", pain={"leg": 12}, extra=1)))
    lines = [line.strip() for line in result.err.splitlines()[1:]]
    assert result.code == 2
    assert {line.split(":")[0] for line in lines} == {"age", "pain.leg", "extra"}


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[1, 2]", '{"schema": "backhome.intake/1"', "null"],
    ids=["empty", "text", "list", "truncated", "null"],
)
def test_input_that_is_not_an_intake_exits_2_with_a_message(text: str) -> None:
    result = run("triage", "-", stdin=text)
    assert result.code == 2 and result.out == "" and "backhome:" in result.err


def test_a_missing_file_exits_2_with_a_message(tmp_path: Path) -> None:
    result = run("triage", str(tmp_path / "nope.json"))
    assert result.code == 2 and "no such file" in result.err


def test_the_real_command_never_shows_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe not utf-8")
    for args in (["triage", str(bad)], ["triage", str(tmp_path)], ["plan", "-"]):
        done = subprocess.run(
            [sys.executable, "-m", "backhome", *args], input="{}", capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2, done
        assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize("opening", ['{"a": ', "["], ids=["objects", "lists"])
def test_an_intake_nested_a_thousand_levels_deep_exits_2_with_one_line_and_no_traceback(
    tmp_path: Path, opening: str
) -> None:
    closing = "}" if opening.startswith("{") else "]"
    deep = tmp_path / "deep.json"
    deep.write_text(opening * 1000 + "1" + closing * 1000, "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "backhome", "triage", str(deep)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    # the usual form of a refused intake: the header, then one line for the one problem
    header, problem = done.stderr.splitlines()
    assert "nothing was decided" in header
    assert problem.strip() == "(document): is nested too deeply (more than 32 levels of objects or lists)"


def test_a_clearance_given_by_a_clinician_is_applied() -> None:
    doc = json.dumps(intake_doc(history={"lumbar_surgery": "past"}))
    without = json.loads(run("triage", "-", stdin=doc).out)
    cleared = json.loads(run("triage", "-", "--clearance", "EL-03", stdin=doc).out)
    assert "sciatic-nerve-glide" in {b["id"] for b in without["blocked"]}
    assert "sciatic-nerve-glide" in {e["id"] for e in cleared["exercises"]}


def test_an_unknown_clearance_is_refused() -> None:
    result = run("triage", "-", "--clearance", "RF-03", stdin=json.dumps(DANA))
    assert result.code == 2


def test_plan_shows_the_programme_doses_and_what_is_held_back_for_walt() -> None:
    result = run("plan", str(EXAMPLES / "stenosis-walking-leg-pain.json"))
    assert result.code == 0
    assert "Single knee to chest" in result.out
    assert "2 times on each side, hold each 15 seconds" in result.out
    held = result.out.split("Held back, and why:")[1].split("Why (the rules")[0]
    assert "Prone press-up" in held and "EL-06" in held
    assert "not a diagnosis" in result.out


def test_plan_and_triage_give_the_same_decision() -> None:
    decision = json.loads(run("triage", str(EXAMPLES / "disc-herniation-thigh-pain.json")).out)
    plan = run("plan", str(EXAMPLES / "disc-herniation-thigh-pain.json")).out
    for rule in decision["rules"]:
        assert rule in plan
    assert f"[{decision['tier']}]" in plan


def test_plan_for_an_emergency_says_what_to_do_now_and_lists_no_exercise() -> None:
    result = run("plan", str(EXAMPLES / "saddle-numbness.json"))
    assert "GET EMERGENCY HELP NOW" in result.out
    assert "Your programme (once a day" not in result.out


def _programme_ids(text: str) -> list[str]:
    return [
        line.split()[-1] for line in text.splitlines() if line.startswith("  ") and line.split()[0].isdigit()
    ]


def test_plan_in_spanish_prints_danas_programme_in_spanish_with_the_same_decision() -> None:
    spanish = run("plan", "--lang", "es", str(EXAMPLES.parent / "dana.json"))
    english = run("plan", str(EXAMPLES.parent / "dana.json"))
    assert spanish.code == english.code == 0
    assert spanish.out.startswith("PUEDE EMPEZAR SU PROGRAMA  [proceed]")
    for words in (
        "Su programa (una vez al día, en este orden):",
        "Extensión boca abajo",
        "10 veces en cada lado",
    ):
        assert words in spanish.out
    for words in ("Your programme", "Prone press-up", "Why (the rules", "disc herniation"):
        assert words not in spanish.out
    assert _programme_ids(spanish.out) == _programme_ids(english.out)
    assert _programme_ids(english.out) == ["sciatic-nerve-glide", "prone-press-up", "cat-camel"]
