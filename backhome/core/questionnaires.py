"""The questionnaires backhome asks in its own words (content/questionnaires/*.toml), strictly checked."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class AgreeItem(BaseModel):
    model_config = _STRICT
    topic: str
    text: Annotated[str, Field(min_length=10)]


class Option(BaseModel):
    model_config = _STRICT
    value: Literal["not_at_all", "slightly", "moderately", "very_much", "extremely"]
    text: str


class BothersomeItem(BaseModel):
    model_config = _STRICT
    topic: str
    text: str
    options: Annotated[list[Option], Field(min_length=5, max_length=5)]


class StartBackTopics(BaseModel):
    """B6: the nine STarT Back item topics in our words, labelled as an adaptation."""

    model_config = _STRICT
    id: Literal["startback-topics"]
    title: str
    label: str
    recall: str
    agree: Annotated[list[AgreeItem], Field(min_length=8, max_length=8)]
    bothersome: BothersomeItem


@cache
def startback_topics() -> StartBackTopics:
    files = resources.files("backhome.core.content").joinpath("questionnaires").joinpath("startback.toml")
    return StartBackTopics.model_validate(tomllib.loads(files.read_text("utf-8")))
