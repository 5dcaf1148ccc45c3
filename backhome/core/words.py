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


#: Every language the front ends offer (the web's settings.LANGUAGES): each content text exists in each.
#: English is the source; decisions never depend on the language (reasons are looked up by rule id).
LANGUAGES: tuple[str, ...] = ("en", "es")
SOURCE_LANGUAGE = "en"


def language_or_source(lang: str | None) -> str:
    """``lang`` if offered ("es-MX" is read as "es"), else English."""
    code = (lang or "").lower().split("-")[0].split("_")[0]
    return code if code in LANGUAGES else SOURCE_LANGUAGE


def _tier_table(raw: dict[str, object], where: str) -> dict[Tier, TierText]:
    texts: dict[Tier, TierText] = {}
    for key, value in raw.items():
        if key in LANGUAGES:
            continue
        if not isinstance(value, dict):
            raise ValueError(f"tiers.toml: {where}{key} is not a table")
        texts[Tier(key)] = TierText(value["title"], value["headline"], tuple(value["steps"]))
    missing = set(Tier) - set(texts)
    if missing:
        raise ValueError(f"tiers.toml lacks {where}{sorted(t.value for t in missing)}")
    return texts


@cache
def tier_texts_all() -> dict[str, dict[Tier, TierText]]:
    """Each language's tier texts; a language of LANGUAGES without every tier is an error."""
    raw = tomllib.loads(resources.files("backhome.core.content").joinpath("tiers.toml").read_text("utf-8"))
    texts = {SOURCE_LANGUAGE: _tier_table(raw, "")}
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        table = raw.get(lang)
        if not isinstance(table, dict):
            raise ValueError(f"tiers.toml lacks the language {lang!r}")
        texts[lang] = _tier_table(table, f"{lang}.")
        for tier, text in texts[lang].items():
            if len(text.steps) != len(texts[SOURCE_LANGUAGE][tier].steps):
                raise ValueError(
                    f"tiers.toml: {lang}.{tier.value} has not the same number of steps as English"
                )
    return texts


def tier_texts(lang: str = SOURCE_LANGUAGE) -> dict[Tier, TierText]:
    return tier_texts_all()[language_or_source(lang)]


def tier_text(tier: Tier, lang: str = SOURCE_LANGUAGE) -> TierText:
    return tier_texts(lang)[tier]


def seconds(value: int) -> str:
    """30 -> '30 seconds', 60 -> '1 minute', 90 -> '1 min 30 s'."""
    if value < 60:
        return f"{value} second{'s' if value != 1 else ''}"
    minutes, rest = divmod(value, 60)
    if rest == 0:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes} min {rest} s"


# --------------------------------------------------------------------------- reasons in every language


@cache
def reason_table() -> dict[str, dict[str, dict[str, str]]]:
    """rule id -> English text -> {language: text}, from content/reasons.toml."""
    raw = tomllib.loads(resources.files("backhome.core.content").joinpath("reasons.toml").read_text("utf-8"))
    table: dict[str, dict[str, dict[str, str]]] = {}
    for entry in raw.get("reason", []):
        words = {lang: str(entry[lang]) for lang in LANGUAGES if lang in entry}
        table.setdefault(str(entry["rule"]), {})[str(entry[SOURCE_LANGUAGE])] = words
    return table


def reason_words(rule: str, text: str, lang: str) -> str:
    """A reason's ``text`` (the decision's English) in ``lang``; English when no translation is known.

    A rule's reason may be several of its texts joined by a space (backhome.core.engine): each is
    looked up; if any part is unknown, the whole reason stays English rather than half translated.
    """
    lang = language_or_source(lang)
    if lang == SOURCE_LANGUAGE:
        return text
    known = reason_table().get(rule, {})
    parts: list[str] = []
    rest = text
    while rest:
        match = next((en for en in sorted(known, key=len, reverse=True) if rest.startswith(en)), None)
        if match is None or lang not in known[match]:
            return text
        parts.append(known[match][lang])
        rest = rest[len(match) :].lstrip(" ")
    return " ".join(parts)


def reason_untranslated(rule: str, text: str, lang: str) -> bool:
    """True when ``reason_words`` would show this reason in English although ``lang`` is not English."""
    return language_or_source(lang) != SOURCE_LANGUAGE and reason_words(rule, text, lang) == text


# --------------------------------------------------------------------------- doses in other languages


def seconds_in(value: int, lang: str) -> str:
    """``seconds`` in ``lang``: 30 -> '30 segundos', 60 -> '1 minuto', 90 -> '1 min 30 s'."""
    if language_or_source(lang) != "es":
        return seconds(value)
    if value < 60:
        return f"{value} segundo{'s' if value != 1 else ''}"
    minutes, rest = divmod(value, 60)
    if rest == 0:
        return f"{minutes} minuto{'s' if minutes != 1 else ''}"
    return f"{minutes} min {rest} s"


def dose_words(sets: int, reps: int, hold_s: int, per_side: bool, lang: str) -> str:
    """A dose in plain words in ``lang`` (English: backhome.core.dose.describe_dose's words)."""
    if language_or_source(lang) != "es":
        side = " on each side" if per_side else ""
        if reps == 1:
            text = f"Hold for {seconds(hold_s)}{side}" if hold_s else f"Once{side}"
        else:
            text = f"{reps} times{side}" + (f", hold each {seconds(hold_s)}" if hold_s else "")
        return f"{sets} sets of: {text[0].lower()}{text[1:]}" if sets > 1 else text
    side = " en cada lado" if per_side else ""
    if reps == 1:
        text = f"Mantenga {seconds_in(hold_s, 'es')}{side}" if hold_s else f"Una vez{side}"
    else:
        text = f"{reps} veces{side}" + (
            f", manteniendo cada una {seconds_in(hold_s, 'es')}" if hold_s else ""
        )
    return f"{sets} series de: {text[0].lower()}{text[1:]}" if sets > 1 else text
