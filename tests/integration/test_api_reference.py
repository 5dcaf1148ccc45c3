"""The API reference in the docs is generated from the published OpenAPI document and cannot drift."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from django.test import Client

REPO = Path(__file__).resolve().parents[2]


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_reference", REPO / "scripts" / "api_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_reference_is_what_the_script_makes_from_the_published_document() -> None:
    published = Client().get("/api/v1/openapi.json").json()
    expected = script().render(published)
    committed = (REPO / "docs" / "api-reference.md").read_text("utf-8")
    assert committed == expected, "docs/api-reference.md is out of date: run python scripts/api_reference.py"


def test_the_reference_names_every_endpoint_of_the_document() -> None:
    published = Client().get("/api/v1/openapi.json").json()
    committed = (REPO / "docs" / "api-reference.md").read_text("utf-8")
    for path, item in published["paths"].items():
        for method in item:
            assert f"### {method.upper()} `{path}`" in committed
