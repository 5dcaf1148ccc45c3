"""Patient-facing wording shared by every front end: tier texts and durations in plain words (a dose's
words are ``backhome.core.dose``'s)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from backhome.core.model import Tier


@dataclass(frozen=True, slots=True)
class TierText:
    title: str
    headline: str
    steps: tuple[str, ...]


@cache
def tier_texts() -> dict[Tier, TierText]:
    raw = tomllib.loads(resources.files("backhome.core.content").joinpath("tiers.toml").read_text("utf-8"))
    texts = {
        Tier(key): TierText(value["title"], value["headline"], tuple(value["steps"]))
        for key, value in raw.items()
    }
    missing = set(Tier) - set(texts)
    if missing:
        raise ValueError(f"tiers.toml lacks {sorted(t.value for t in missing)}")
    return texts


def tier_text(tier: Tier) -> TierText:
    return tier_texts()[tier]


def seconds(value: int) -> str:
    """30 -> '30 seconds', 60 -> '1 minute', 90 -> '1 min 30 s'."""
    if value < 60:
        return f"{value} second{'s' if value != 1 else ''}"
    minutes, rest = divmod(value, 60)
    if rest == 0:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes} min {rest} s"
