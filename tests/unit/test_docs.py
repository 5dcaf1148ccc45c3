"""Docs that cannot drift (house style, habit 12): every command, option and Makefile target is
documented, and every implemented rule is explained."""

from __future__ import annotations

import argparse
import re

from backhome.cli import build_parser
from backhome.core.rules.registry import all_implemented
from tests.builders import REPO

CLI_DOC = (REPO / "docs" / "cli.md").read_text("utf-8")
README = (REPO / "README.md").read_text("utf-8")


def _commands(
    parser: argparse.ArgumentParser, prefix: str = "backhome"
) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[f"{prefix} {name}"] = sub
                found.update(_commands(sub, f"{prefix} {name}"))
    return found


def test_every_command_is_documented_in_the_cli_doc() -> None:
    commands = _commands(build_parser())
    assert len(commands) >= 7
    leaves = [name for name, parser in commands.items() if not _commands(parser)]
    missing = [name for name in leaves if f"`{name}" not in CLI_DOC]
    assert missing == []


def test_every_option_is_documented_in_the_cli_doc() -> None:
    missing = set()
    for name, parser in _commands(build_parser()).items():
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help" and option not in CLI_DOC:
                    missing.add(f"{name} {option}")
    assert missing == set()


def test_every_makefile_target_is_in_the_readme() -> None:
    makefile = (REPO / "Makefile").read_text("utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    assert {"install", "run", "test", "bench"} <= targets
    assert sorted(t for t in targets if f"make {t}" not in README) == []


def test_every_implemented_rule_is_explained_in_the_docs() -> None:
    docs = "".join(p.read_text("utf-8") for p in (REPO / "docs").glob("*.md"))
    assert sorted(r for r in all_implemented() if r not in docs) == []


def test_the_readme_opens_with_what_backhome_is_and_the_disclaimer_before_the_commands() -> None:
    assert README.startswith("# backhome\n\nbackhome is an open")
    assert README.index("not a diagnosis") < README.index("make run")
