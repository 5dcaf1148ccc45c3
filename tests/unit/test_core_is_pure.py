"""The core never imports Django, the web app or the CLI (house style, habit 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import backhome.core

CORE = Path(backhome.core.__file__).parent
FORBIDDEN = ("django", "backhome.web", "backhome.cli", "ninja")


def imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_no_module_of_the_core_imports_django_the_web_or_the_cli() -> None:
    offenders = [
        f"{path.relative_to(CORE)} imports {name}"
        for path in sorted(CORE.rglob("*.py"))
        for name in imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert offenders == []


def test_the_purity_check_would_catch_a_django_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from django.db import models\nimport backhome.web.x\n")
    assert imports(bad) == ["django.db", "backhome.web.x"]
