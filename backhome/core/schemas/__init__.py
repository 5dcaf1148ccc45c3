"""The JSON Schemas of the machine contract, generated from its pydantic models.

``intake.schema.json`` (``backhome.intake/1``) and ``decision.schema.json`` (``backhome.decision/1``)
beside this module are generated from ``INTAKE_MODEL`` and ``DECISION_MODEL`` of
:mod:`backhome.core.contract`, never edited by hand. After a change to those models::

    python -m backhome.core.schemas            # rewrite both files
    python -m backhome.core.schemas --check    # exit 1 if a file differs from what the models give

``tests/unit/test_schemas.py`` fails while a file differs from what the models generate.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from backhome.core.contract import DECISION_MODEL, DECISION_SCHEMA, INTAKE_MODEL, INTAKE_SCHEMA

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: name -> (model, schema id, title)
CONTRACT: dict[str, tuple[type[BaseModel], str, str]] = {
    "intake": (INTAKE_MODEL, INTAKE_SCHEMA, "backhome intake, version 1"),
    "decision": (DECISION_MODEL, DECISION_SCHEMA, "backhome decision, version 1"),
}
NAMES: tuple[str, ...] = tuple(CONTRACT)


def path(name: str) -> Path:
    """Where the committed schema ``name`` ("intake" or "decision") lives in the package."""
    return Path(str(resources.files(__package__).joinpath(f"{name}.schema.json")))


def load(name: str) -> dict[str, Any]:
    """The committed schema ``name``, as the tests and a reader of the repository see it."""
    schema: dict[str, Any] = json.loads(path(name).read_text("utf-8"))
    return schema


def generate(name: str) -> dict[str, Any]:
    """The schema ``name`` as the pydantic model of the contract gives it today."""
    model, schema_id, title = CONTRACT[name]
    raw = model.model_json_schema(by_alias=True, mode="validation")
    definitions = raw.pop("$defs", {})
    body: dict[str, Any] = _tidy(_inline(raw, definitions))
    head: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT, "$id": schema_id, "title": title}
    if "description" in body:
        head["description"] = body.pop("description")
    return head | body


def render(name: str) -> str:
    """The text of the schema file ``name``: two-space JSON ending in a newline."""
    return json.dumps(generate(name), indent=2, ensure_ascii=False) + "\n"


def stale() -> list[str]:
    """The schemas whose committed file differs from what the models generate."""
    return [
        name for name in NAMES if not path(name).exists() or path(name).read_text("utf-8") != render(name)
    ]


def write() -> list[str]:
    """Rewrite every schema file that differs from what the models generate; return their names."""
    changed = stale()
    for name in changed:
        path(name).write_text(render(name), "utf-8")
    return changed


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """Replace every ``$ref`` to ``$defs`` with the definition itself: each schema reads top to bottom."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = copy.deepcopy(definitions[ref.removeprefix("#/$defs/")])
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _inline(target | rest, definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


_NUMERIC = {"integer", "number"}


def _tidy(node: Any, *, in_properties: bool = False) -> Any:
    """Drop pydantic's titles (the field names again) and give a union its bounds in JSON Schema terms."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    if in_properties:  # the keys are field names, not keywords
        return {key: _tidy(value) for key, value in node.items()}
    tidy = {
        key: _tidy(value, in_properties=key == "properties") for key, value in node.items() if key != "title"
    }
    return _union_bounds(tidy)


def _union_bounds(node: dict[str, Any]) -> dict[str, Any]:
    """pydantic leaves the bounds of ``int | float`` as its own ``ge``/``le`` keys beside ``anyOf``:
    JSON Schema ignores those, so they become ``minimum``/``maximum``, and a union of integer and
    number with the same bounds is one number (every integer is a number)."""
    bounds = {"minimum": node.pop("ge")} if "ge" in node else {}
    if "le" in node:
        bounds["maximum"] = node.pop("le")
    members = node.get("anyOf")
    if not bounds or not isinstance(members, list):
        return node | bounds
    if all(isinstance(m, dict) and set(m) == {"type"} and m["type"] in _NUMERIC for m in members):
        node.pop("anyOf")
        return {"type": "number", **bounds, **node}
    node["anyOf"] = [m | bounds if m.get("type") in _NUMERIC else m for m in members]
    return node
