"""Every problem in a folder of exercise files, each with a stable code.

``check_library`` is the one validation of the library: ``load_library`` refuses content it finds
problems in, ``backhome library check`` prints them, the data tests assert there are none (and the
Django system check will call it too). ``docs/library.md`` lists every code and what it means.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from backhome.core.library.coach import coach_problems
from backhome.core.library.schema import ExerciseDoc, RangeDoc
from backhome.core.model import CAT_CAMEL, EXERCISE_IDS, EXTENSION_FAMILY, FLEXION_STRETCHES, NERVE_GLIDE
from backhome.core.rules.ids import KNOWN_RULE_IDS
from backhome.core.words import LANGUAGES, SOURCE_LANGUAGE

#: The packaged exercise files.
CONTENT_ROOT = Path(__file__).resolve().parent.parent / "content" / "exercises"

#: The source list of the clinical spec (section 0.2): S0 (the clinic's article) to S49.
KNOWN_SOURCE_IDS: frozenset[str] = frozenset(f"S{n}" for n in range(50))

#: B11: the direction family of every exercise id.
EXPECTED_DIRECTION: Mapping[str, str] = {
    **dict.fromkeys(EXTENSION_FAMILY, "extension"),
    **dict.fromkeys(FLEXION_STRETCHES, "flexion"),
    CAT_CAMEL: "both",
    NERVE_GLIDE: "neural",
}

#: The modes an exercise may have: the glide's slider and tensioner (ND-02, ND-03, B8) and
#: cat-camel's single phases (B29). Every exercise must have exactly these.
ALLOWED_MODES: Mapping[str, frozenset[str]] = {
    NERVE_GLIDE: frozenset({"slider", "tensioner"}),
    CAT_CAMEL: frozenset({"extension_only", "flexion_only"}),
}

#: The rule that governs each contraindication tag; a file must cite it with the tag.
GOVERNING_RULE: Mapping[str, str] = {
    "spinal_stenosis": "EL-06",
    "vertebral_fracture": "EL-04",
    "osteoporosis": "EL-05",
    "long_term_steroids": "EL-05",
    "pregnancy": "EL-02",
    "lumbar_surgery": "EL-03",
    "worse_in_self_check": "DPT-24",
}

#: B12 and EL-03: the contraindications each exercise must carry (blocks or limits).
REQUIRED_CONTRAINDICATIONS: Mapping[str, frozenset[str]] = {
    **dict.fromkeys(EXTENSION_FAMILY, frozenset({"spinal_stenosis", "vertebral_fracture"})),
    **dict.fromkeys(
        FLEXION_STRETCHES, frozenset({"vertebral_fracture", "osteoporosis", "long_term_steroids"})
    ),
    CAT_CAMEL: frozenset({"osteoporosis", "long_term_steroids", "spinal_stenosis", "vertebral_fracture"}),
    NERVE_GLIDE: frozenset({"lumbar_surgery"}),
}

#: Words a person should not have to know; said plainly instead ("lie on your front", not "prone").
JARGON: frozenset[str] = frozenset(
    {
        "prone",
        "supine",
        "flexion",
        "flex",
        "extension",
        "lumbar",
        "thoracic",
        "dorsiflex",
        "dorsiflexion",
        "plantarflex",
        "plantarflexion",
        "torso",
        "pelvis",
        "lordosis",
        "repetition",
        "repetitions",
        "reps",
        "anterior",
        "posterior",
        "lateral",
        "sciatic",
        "musculature",
    }
)

#: Every problem code this module can report, in the order docs/library.md explains them.
PROBLEM_CODES: tuple[str, ...] = (
    "missing-folder",
    "unreadable-file",
    "toml-syntax",
    "schema",
    "id-not-file-name",
    "unknown-exercise-id",
    "missing-exercise",
    "duplicate-sequence",
    "direction-mismatch",
    "range-inverted",
    "start-outside-envelope",
    "step-does-not-fit",
    "unknown-link",
    "link-not-mutual",
    "progression-cycle",
    "progression-crosses-direction",
    "mode-not-allowed",
    "mode-missing",
    "duplicate-mode",
    "unknown-rule-id",
    "unknown-source-id",
    "contraindication-rule",
    "missing-contraindication",
    "duplicate-contraindication",
    "jargon",
    "missing-language",
    "unknown-language",
    "translation-mismatch",
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the library: a stable code, the file it is in, and what is wrong."""

    code: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}  {self.file}: {self.message}"


def check_library(root: Path | None = None) -> list[Problem]:
    """Every problem in the exercise files under ``root`` (default: the packaged ones); [] if valid."""
    problems, _ = inspect_library(root)
    # the packaged library also carries the camera coach's thresholds (codes in coach.py)
    return problems if root is not None else problems + [Problem(*p) for p in coach_problems()]


def inspect_library(root: Path | None = None) -> tuple[list[Problem], dict[str, ExerciseDoc]]:
    """The problems, and the files that passed the schema keyed by file stem.

    ``load_library`` uses this so that a folder is read and validated once.
    """
    folder = CONTENT_ROOT if root is None else root
    if not folder.is_dir():
        return [Problem("missing-folder", str(folder), "there is no folder of exercise files here")], {}
    problems: list[Problem] = []
    docs: dict[str, ExerciseDoc] = {}
    for path in sorted(folder.glob("*.toml")):
        doc = _read(path, problems)
        if doc is not None:
            docs[path.stem] = doc
    problems.extend(_check_files(docs))
    problems.extend(_check_set(docs, stems={p.stem for p in folder.glob("*.toml")}))
    problems.extend(_check_links(docs))
    return problems, docs


# --------------------------------------------------------------------------- one file


def _read(path: Path, problems: list[Problem]) -> ExerciseDoc | None:
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem("unreadable-file", path.name, f"cannot be read as UTF-8 text: {error}"))
        return None
    except tomllib.TOMLDecodeError as error:
        problems.append(Problem("toml-syntax", path.name, str(error)))
        return None
    try:
        return ExerciseDoc.model_validate(raw)
    except ValidationError as error:
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "(file)"
            problems.append(Problem("schema", path.name, f"{where}: {item['msg']}"))
        return None


def _check_files(docs: Mapping[str, ExerciseDoc]) -> Iterator[Problem]:
    for stem, doc in docs.items():
        file = f"{stem}.toml"
        if doc.id != stem:
            yield Problem("id-not-file-name", file, f"id {doc.id!r} differs from the file name {stem!r}")
        if doc.id not in EXERCISE_IDS:
            yield Problem(
                "unknown-exercise-id", file, f"{doc.id!r} is not an exercise id of clinical-spec B11"
            )
        expected = EXPECTED_DIRECTION.get(doc.id)
        if expected is not None and doc.direction != expected:
            yield Problem(
                "direction-mismatch",
                file,
                f"direction is {doc.direction!r}; B11 puts {doc.id} in {expected!r}",
            )
        yield from _check_envelope(file, doc)
        yield from _check_modes(file, doc)
        yield from _check_citations(file, doc)
        yield from _check_contraindications(file, doc)
        yield from _check_words(file, doc)
        yield from _check_languages(file, doc)


def _check_envelope(file: str, doc: ExerciseDoc) -> Iterator[Problem]:
    for name in ("sets", "reps", "hold_s"):
        dim: RangeDoc = getattr(doc.dose, name)
        where = f"dose.{name}"
        if dim.min > dim.max:
            yield Problem("range-inverted", file, f"{where}: min {dim.min} is above max {dim.max}")
            continue
        if not dim.min <= dim.start <= dim.max:
            yield Problem(
                "start-outside-envelope", file, f"{where}: start {dim.start} is outside {dim.min}..{dim.max}"
            )
            continue
        if dim.step == 0 and dim.start != dim.max:
            yield Problem(
                "step-does-not-fit",
                file,
                f"{where}: step 0 means no ladder, so start ({dim.start}) must equal max ({dim.max})",
            )
        elif dim.step > 0 and (dim.max - dim.start) % dim.step != 0:
            yield Problem(
                "step-does-not-fit",
                file,
                f"{where}: steps of {dim.step} from {dim.start} do not land on max {dim.max}",
            )


def _check_modes(file: str, doc: ExerciseDoc) -> Iterator[Problem]:
    allowed = ALLOWED_MODES.get(doc.id, frozenset())
    seen: set[str] = set()
    for mode in doc.modes:
        if mode.id in seen:
            yield Problem("duplicate-mode", file, f"mode {mode.id!r} appears twice")
        seen.add(mode.id)
        if mode.id not in allowed:
            may = ", ".join(sorted(allowed)) or "no modes"
            yield Problem(
                "mode-not-allowed", file, f"mode {mode.id!r} is not allowed here ({doc.id} has {may})"
            )
    if doc.id in ALLOWED_MODES:
        for missing in sorted(allowed - seen):
            yield Problem("mode-missing", file, f"{doc.id} must describe its {missing!r} mode")
    for item in doc.contraindications:
        if item.mode is not None and item.mode not in seen:
            yield Problem(
                "mode-not-allowed",
                file,
                f"contraindication {item.tag!r} limits to mode {item.mode!r}, not described",
            )


def _check_citations(file: str, doc: ExerciseDoc) -> Iterator[Problem]:
    for rule in doc.all_rule_ids():
        if rule not in KNOWN_RULE_IDS:
            yield Problem("unknown-rule-id", file, f"{rule} is not a rule id of the clinical spec")
    for source in doc.sources:
        if source.ref not in KNOWN_SOURCE_IDS:
            yield Problem(
                "unknown-source-id", file, f"{source.ref} is not in the clinical spec's source list"
            )


def _check_contraindications(file: str, doc: ExerciseDoc) -> Iterator[Problem]:
    tags: list[str] = [item.tag for item in doc.contraindications]
    for twice in sorted({t for t in tags if tags.count(t) > 1}):
        yield Problem("duplicate-contraindication", file, f"{twice!r} appears more than once")
    for item in doc.contraindications:
        rule = GOVERNING_RULE[item.tag]
        if rule not in item.rules:
            yield Problem(
                "contraindication-rule", file, f"{item.tag!r} must cite {rule}, the rule that governs it"
            )
    for tag in sorted(REQUIRED_CONTRAINDICATIONS.get(doc.id, frozenset()) - set(tags)):
        yield Problem(
            "missing-contraindication", file, f"{doc.id} must list {tag!r} ({GOVERNING_RULE[tag]}, B12)"
        )


def _patient_text(doc: ExerciseDoc) -> Iterator[tuple[str, str]]:
    yield "summary", doc.summary
    yield "start_position", doc.start_position
    for field in ("steps", "may_feel", "must_not"):
        for n, line in enumerate(getattr(doc, field)):
            yield f"{field}.{n}", line
    for m, mode in enumerate(doc.modes):
        yield f"modes.{m}.name", mode.name
        for n, line in enumerate(mode.steps):
            yield f"modes.{m}.steps.{n}", line


def _check_words(file: str, doc: ExerciseDoc) -> Iterator[Problem]:
    for where, text in _patient_text(doc):
        words = {w.strip(".,;:!?()'\"").lower() for w in text.replace("-", " ").split()}
        for word in sorted(words & JARGON):
            yield Problem("jargon", file, f"{where}: say {word!r} in plain words")


def _check_languages(file: str, doc: ExerciseDoc) -> Iterator[Problem]:
    """Every language the site offers has every text, shaped as the English (docs/translating.md)."""
    wanted = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
    for lang in wanted:
        if lang not in doc.translations:
            yield Problem(
                "missing-language", file, f"no [translations.{lang}]: every text is missing in {lang!r}"
            )
    for lang, words in doc.translations.items():
        if lang not in wanted:
            yield Problem("unknown-language", file, f"[translations.{lang}]: the site offers no {lang!r}")
            continue
        for field in ("steps", "may_feel", "must_not"):
            ours, theirs = len(getattr(doc, field)), len(getattr(words, field))
            if ours != theirs:
                yield Problem(
                    "translation-mismatch",
                    file,
                    f"translations.{lang}.{field}: {theirs} lines, English has {ours}",
                )
        english_modes = {mode.id: len(mode.steps) for mode in doc.modes}
        their_modes = {mode.id: len(mode.steps) for mode in words.modes}
        for mode_id in sorted(english_modes.keys() - their_modes.keys()):
            yield Problem("missing-language", file, f"translations.{lang}.modes: mode {mode_id!r} is missing")
        for mode_id in sorted(their_modes.keys() - english_modes.keys()):
            yield Problem(
                "translation-mismatch", file, f"translations.{lang}.modes: no English mode {mode_id!r}"
            )
        for mode_id in sorted(english_modes.keys() & their_modes.keys()):
            if english_modes[mode_id] != their_modes[mode_id]:
                yield Problem(
                    "translation-mismatch",
                    file,
                    f"translations.{lang}.modes.{mode_id}.steps: {their_modes[mode_id]} lines, "
                    f"English has {english_modes[mode_id]}",
                )


# --------------------------------------------------------------------------- the set of files


def _check_set(docs: Mapping[str, ExerciseDoc], stems: Iterable[str]) -> Iterator[Problem]:
    present = set(stems)
    for exercise_id in EXERCISE_IDS:
        if exercise_id not in present:
            yield Problem(
                "missing-exercise", f"{exercise_id}.toml", f"B11 exercise {exercise_id!r} has no file"
            )
    first: dict[int, str] = {}
    for stem, doc in sorted(docs.items(), key=lambda item: item[0]):
        other = first.setdefault(doc.sequence, stem)
        if other != stem:
            yield Problem(
                "duplicate-sequence",
                f"{stem}.toml",
                f"sequence {doc.sequence} is already used by {other}.toml",
            )


def _check_links(docs: Mapping[str, ExerciseDoc]) -> Iterator[Problem]:
    by_id = {doc.id: doc for doc in docs.values()}
    file_of = {doc.id: f"{stem}.toml" for stem, doc in docs.items()}
    for doc in docs.values():
        file = file_of[doc.id]
        for field, back in (("progresses_to", "regresses_to"), ("regresses_to", "progresses_to")):
            target_id: str | None = getattr(doc, field)
            if target_id is None:
                continue
            target = by_id.get(target_id)
            if target is None:
                yield Problem("unknown-link", file, f"{field} names {target_id!r}, which has no exercise")
                continue
            if getattr(target, back) != doc.id:
                yield Problem(
                    "link-not-mutual",
                    file,
                    f"{doc.id} {field} {target_id}, but {target_id} {back} {getattr(target, back)!r}",
                )
            if field == "progresses_to" and target.direction != doc.direction:
                yield Problem(
                    "progression-crosses-direction",
                    file,
                    f"{doc.id} ({doc.direction}) progresses to {target_id} ({target.direction})",
                )
    yield from _cycles(by_id, file_of)


def _cycles(by_id: Mapping[str, ExerciseDoc], file_of: Mapping[str, str]) -> Iterator[Problem]:
    reported: set[frozenset[str]] = set()
    for field in ("progresses_to", "regresses_to"):
        for start in sorted(by_id):
            path: list[str] = []
            current: str | None = start
            while current is not None and current in by_id and current not in path:
                path.append(current)
                current = getattr(by_id[current], field)
            if current is None or current not in path:
                continue
            cycle = path[path.index(current) :]
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
            shown = " -> ".join([*cycle, cycle[0]])
            yield Problem("progression-cycle", file_of[cycle[0]], f"{field} goes round in a circle: {shown}")
