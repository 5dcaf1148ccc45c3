"""Traceability (B14): every rule id in the code exists in the clinical rules (docs/clinical-rules.md),
and every rule the core implements is tested both firing and not firing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import backhome
from backhome.core.programme import DECIDES
from backhome.core.rules.ids import KNOWN_RULE_IDS
from backhome.core.rules.registry import MODULES, all_implemented, implemented
from tests.builders import CLINICAL_RULES, REPO

RULE_ID = re.compile(r"\b(?:RF|EL|SB|DPT|TBC|PM|DS|ND|OM|EV)-[0-9]{2}[a-z]?\b")
PACKAGE = Path(backhome.__file__).parent


@pytest.fixture(scope="module")
def spec_ids() -> set[str]:
    return set(RULE_ID.findall(CLINICAL_RULES.read_text("utf-8")))


def test_the_known_rule_ids_are_exactly_the_ids_of_the_clinical_rules(spec_ids: set[str]) -> None:
    assert set(KNOWN_RULE_IDS) == spec_ids


def test_every_rule_module_is_present_and_says_what_it_implements() -> None:
    found = implemented()
    assert set(found) == set(MODULES)
    assert all(found.values())


def test_every_implemented_rule_exists_in_the_clinical_rules(spec_ids: set[str]) -> None:
    assert all_implemented() - spec_ids == set()


def test_every_rule_id_written_in_the_package_exists_in_the_clinical_rules(spec_ids: set[str]) -> None:
    unknown = {
        f"{path.relative_to(PACKAGE)}: {rule}"
        for path in PACKAGE.rglob("*")
        if path.suffix in {".py", ".toml", ".html", ".js"}
        for rule in RULE_ID.findall(path.read_text("utf-8"))
        if rule not in spec_ids
    }
    assert unknown == set()


def _rule_markers() -> dict[str, set[bool]]:
    """Every ``@pytest.mark.rule("ID", fires=...)`` (or ``@rule(...)``) in the tests, by AST."""
    seen: dict[str, set[bool]] = {}
    for path in (REPO / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name != "rule" or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            fires = next((k.value for k in node.keywords if k.arg == "fires"), None)
            if isinstance(fires, ast.Constant) and isinstance(fires.value, bool):
                seen.setdefault(str(node.args[0].value), set()).add(fires.value)
    return seen


def test_every_implemented_rule_has_a_test_where_it_fires_and_one_where_it_does_not() -> None:
    markers = _rule_markers()
    missing = sorted(
        f"{rule}: no test where it {'fires' if fires else 'does not fire'}"
        for rule in all_implemented()
        for fires in (True, False)
        if fires not in markers.get(rule, set())
    )
    assert missing == []


def test_rule_markers_name_only_implemented_rules_or_binding_decisions_the_core_decides() -> None:
    assert set(_rule_markers()) - all_implemented() - set(DECIDES) == set()


def test_every_binding_decision_the_core_decides_is_in_the_clinical_rules_and_tested_both_ways() -> None:
    binding = set(re.findall(r"\*\*(B[0-9]+)\b", CLINICAL_RULES.read_text("utf-8")))
    markers = _rule_markers()
    assert set(DECIDES) - binding == set()
    assert [b for b in DECIDES if markers.get(b) != {True, False}] == []
