"""Every patient text of the content outside the exercise files, in every language the site offers.

The questionnaires (content/questionnaires/<name>.toml) are written in English; each other language has
``<name>.<code>.toml`` with one table ``[texts]``: the English text's key (its path in the file, list items
named by their ``id``, ``field`` or ``value``, else their position) and its words. The tier texts and the
rules' reasons carry their languages in tiers.toml and reasons.toml (backhome.core.words).

``problems()`` names every text missing in a language (stable codes, shown by ``backhome library check``);
the content is complete only when it returns nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from backhome.core.words import LANGUAGES, SOURCE_LANGUAGE, language_or_source, reason_table, tier_texts_all

#: The questionnaires whose texts are translated.
QUESTIONNAIRES: tuple[str, ...] = ("screening", "startback", "psfs")
#: The keys whose string values a person reads.
TEXT_KEYS = frozenset(
    {"title", "intro", "text", "hint", "label", "recall", "name_prompt", "rate_prompt", "low", "high"}
)
#: The problem codes of ``problems()`` (docs/translating.md).
TEXT_PROBLEM_CODES: tuple[str, ...] = ("text-missing-language", "text-unknown-key", "reason-missing-language")


@dataclass(frozen=True, slots=True)
class TextProblem:
    code: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}  {self.file}: {self.message}"


def _folder() -> Any:
    return resources.files("backhome.core.content").joinpath("questionnaires")


def _name_of(item: Any, position: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "field", "value"):
            if key in item:
                return str(item[key])
    return str(position)


def _walk(node: Any, path: str, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else key
            if key in TEXT_KEYS and isinstance(value, str):
                out[where] = value
            else:
                _walk(value, where, out)
    elif isinstance(node, list):
        for position, item in enumerate(node):
            _walk(item, f"{path}.{_name_of(item, position)}", out)


@cache
def english_texts(name: str) -> dict[str, str]:
    """key -> English text of questionnaire ``name``."""
    out: dict[str, str] = {}
    _walk(tomllib.loads(_folder().joinpath(f"{name}.toml").read_text("utf-8")), "", out)
    return out


@cache
def _translated(name: str, lang: str) -> dict[str, str]:
    file = _folder().joinpath(f"{name}.{lang}.toml")
    if not file.is_file():
        return {}
    raw = tomllib.loads(file.read_text("utf-8")).get("texts", {})
    return {str(key): str(value) for key, value in raw.items()}


def texts(name: str, lang: str) -> dict[str, str]:
    """key -> text of questionnaire ``name`` in ``lang``; a key not translated keeps its English."""
    lang = language_or_source(lang)
    english = english_texts(name)
    if lang == SOURCE_LANGUAGE:
        return dict(english)
    words = _translated(name, lang)
    return {key: words.get(key, text) for key, text in english.items()}


def text(name: str, key: str, lang: str) -> str:
    return texts(name, lang)[key]


def problems() -> list[TextProblem]:
    """Every text missing in a language the site offers; [] when every language is complete."""
    found: list[TextProblem] = []
    tier_texts_all()  # raises when a language lacks a tier text
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        for name in QUESTIONNAIRES:
            file = f"questionnaires/{name}.{lang}.toml"
            english, words = english_texts(name), _translated(name, lang)
            for key in english:
                if key not in words:
                    found.append(TextProblem("text-missing-language", file, f"{key} has no {lang!r} text"))
            for key in sorted(words.keys() - english.keys()):
                found.append(TextProblem("text-unknown-key", file, f"{key} is not a text of {name}.toml"))
        for rule, entries in sorted(reason_table().items()):
            for english_text, languages in entries.items():
                if lang not in languages:
                    found.append(
                        TextProblem(
                            "reason-missing-language",
                            "reasons.toml",
                            f"{rule} {english_text[:40]!r}... has no {lang!r}",
                        )
                    )
    return found
