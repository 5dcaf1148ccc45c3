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


class PsfsFirstTime(BaseModel):
    model_config = _STRICT
    intro: Annotated[str, Field(min_length=10)]
    name_prompt: Annotated[str, Field(min_length=5)]
    rate_prompt: Annotated[str, Field(min_length=5)]


class PsfsAgain(BaseModel):
    model_config = _STRICT
    intro: Annotated[str, Field(min_length=10)]
    rate_prompt: Annotated[str, Field(min_length=5)]


class PsfsAnchors(BaseModel):
    model_config = _STRICT
    low: Annotated[str, Field(min_length=5)]
    high: Annotated[str, Field(min_length=5)]


class Psfs(BaseModel):
    """OM-05/OM-07 (B28): the Patient-Specific Functional Scale in our own words, 3-5 activities."""

    model_config = _STRICT
    id: Literal["psfs"]
    title: str
    label: str
    min_activities: Literal[3]
    max_activities: Literal[5]
    scale_min: Literal[0]
    scale_max: Literal[10]
    every_days: Literal[7]
    first_time: PsfsFirstTime
    again: PsfsAgain
    anchors: PsfsAnchors


@cache
def psfs() -> Psfs:
    files = resources.files("backhome.core.content").joinpath("questionnaires").joinpath("psfs.toml")
    return Psfs.model_validate(tomllib.loads(files.read_text("utf-8")))
