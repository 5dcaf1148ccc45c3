"""How every rule function reports what fired: sorted unique rule ids, one patient reason for each."""

from __future__ import annotations

from collections.abc import Iterable

from backhome.core.model import Reason


def fired(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], tuple[Reason, ...]]:
    """Sorted unique rule ids and one reason per id (the first text given for an id wins)."""
    texts: dict[str, str] = {}
    for rule, text in pairs:
        texts.setdefault(rule, text)
    rules = tuple(sorted(texts))
    return rules, tuple(Reason(rule, texts[rule]) for rule in rules)
