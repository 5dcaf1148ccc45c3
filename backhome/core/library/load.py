"""Load the exercise library into frozen :class:`~backhome.core.model.Exercise` values.

``load_library`` refuses content that ``check.check_library`` finds any problem in, so a
:class:`Library` is always valid; ``default_library`` caches the packaged content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

from backhome.core.library.check import Problem, inspect_library
from backhome.core.library.schema import ExerciseDoc, ExerciseWordsDoc, RangeDoc
from backhome.core.model import Direction, Envelope, Exercise, ExerciseMode, Range, Source
from backhome.core.words import SOURCE_LANGUAGE, language_or_source


class LibraryError(ValueError):
    """The exercise files have problems; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"the exercise library has {len(self.problems)} problem(s):\n{lines}")


class Library(Mapping[str, Exercise]):
    """The exercises by id; iterating gives the ids in programme order (``sequence``)."""

    __slots__ = ("_by_id",)
    _by_id: Mapping[str, Exercise]

    def __init__(self, exercises: Iterable[Exercise]) -> None:
        ordered = sorted(exercises, key=lambda exercise: exercise.sequence)
        object.__setattr__(self, "_by_id", MappingProxyType({e.id: e for e in ordered}))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("a Library is frozen")

    def __getitem__(self, exercise_id: str) -> Exercise:
        return self._by_id[exercise_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"Library({', '.join(self._by_id)})"

    @property
    def ids(self) -> tuple[str, ...]:
        """The exercise ids in programme order."""
        return tuple(self._by_id)

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        """The exercises in programme order."""
        return tuple(self._by_id.values())


def load_library(root: Path | None = None) -> Library:
    """The exercises in ``root`` (default: the packaged content); LibraryError if any problem."""
    problems, docs = inspect_library(root)
    if problems:
        raise LibraryError(problems)
    return Library([to_exercise(doc) for doc in docs.values()])


@cache
def default_library() -> Library:
    """The packaged library, loaded once."""
    return load_library()


@cache
def _packaged_translations() -> dict[str, dict[str, ExerciseWordsDoc]]:
    _, docs = inspect_library()
    return {doc.id: dict(doc.translations) for doc in docs.values()}


def in_language(exercise: Exercise, lang: str) -> Exercise:
    """``exercise`` with its patient texts in ``lang`` (same id, dose, rules: only the words differ).

    The packaged files carry every offered language (``backhome library check``); an exercise or a
    language without words stays English.
    """
    lang = language_or_source(lang)
    words = _packaged_translations().get(exercise.id, {}).get(lang)
    if lang == SOURCE_LANGUAGE or words is None:
        return exercise
    mode_words = {mode.id: mode for mode in words.modes}
    return replace(
        exercise,
        name=words.name,
        summary=words.summary,
        start_position=words.start_position,
        steps=tuple(words.steps),
        may_feel=tuple(words.may_feel),
        must_not=tuple(words.must_not),
        modes=tuple(
            ExerciseMode(mode.id, mode_words[mode.id].name, tuple(mode_words[mode.id].steps))
            if mode.id in mode_words
            else mode
            for mode in exercise.modes
        ),
    )


def to_exercise(doc: ExerciseDoc) -> Exercise:
    """The domain value of one (already checked) exercise file."""
    dose = doc.dose
    return Exercise(
        id=doc.id,
        name=doc.name,
        other_names=tuple(doc.other_names),
        direction=Direction(doc.direction),
        sequence=doc.sequence,
        start_position=doc.start_position,
        summary=doc.summary,
        steps=tuple(doc.steps),
        may_feel=tuple(doc.may_feel),
        must_not=tuple(doc.must_not),
        envelope=Envelope(_range(dose.sets), _range(dose.reps), _range(dose.hold_s), dose.per_side),
        progresses_to=doc.progresses_to,
        regresses_to=doc.regresses_to,
        modes=tuple(ExerciseMode(mode.id, mode.name, tuple(mode.steps)) for mode in doc.modes),
        contraindications=tuple(item.tag for item in doc.contraindications),
        rules=tuple(sorted(doc.all_rule_ids())),
        sources=tuple(Source(source.ref, source.note or "") for source in doc.sources),
    )


def _range(doc: RangeDoc) -> Range:
    return Range(doc.min, doc.start, doc.step, doc.max)
