"""Which rule ids the core implements, module by module (for the tests and the docs)."""

from __future__ import annotations

import importlib

MODULES: tuple[str, ...] = (
    "triage",
    "risk",
    "prescribe",
    "monitor",
    "progress",
    "directional",
    "outcomes",
    "safety",
)


def implemented() -> dict[str, tuple[str, ...]]:
    """Module name -> the rule ids it implements, for every rule module present."""
    found: dict[str, tuple[str, ...]] = {}
    for name in MODULES:
        module = importlib.import_module(f"backhome.core.rules.{name}")
        found[name] = tuple(module.IMPLEMENTS)
    return found


def all_implemented() -> frozenset[str]:
    return frozenset(rule for rules in implemented().values() for rule in rules)
