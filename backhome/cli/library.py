"""``backhome library``: check the exercise files, list them, show one (and draw it)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from backhome.cli import IO, Handler, Subcommands
from backhome.core.dose import describe_dose
from backhome.core.library.check import Problem, check_library
from backhome.core.library.load import default_library
from backhome.core.model import Exercise, Range
from backhome.core.words import seconds

CONTRAINDICATION_WORDS = {
    "spinal_stenosis": "spinal stenosis (narrowing of the spinal canal)",
    "vertebral_fracture": "a known fracture of a bone of the spine",
    "osteoporosis": "osteoporosis (thin bones)",
    "long_term_steroids": "long-term steroid tablets",
    "pregnancy": "pregnancy",
    "lumbar_surgery": "surgery on the lower back",
    "worse_in_self_check": "this direction made things worse in the self-check",
}


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "library", help="check, list and show the exercise library", description="The exercise library."
    )
    parser.set_defaults(handler=_help(parser))
    commands = parser.add_subparsers(dest="library_command", metavar="ACTION")

    check = commands.add_parser("check", help="check every exercise file; exit 1 on any problem")
    check.add_argument(
        "--root", metavar="DIR", type=Path, help="check this folder instead of the packaged one"
    )
    check.set_defaults(handler=_check)

    list_ = commands.add_parser("list", help="the exercises in programme order")
    list_.set_defaults(handler=_list)

    show = commands.add_parser("show", help="everything about one exercise")
    show.add_argument("exercise_id", metavar="ID", help="an exercise id, e.g. prone-press-up")
    show.add_argument("--svg", metavar="FILE", type=Path, help="also write the exercise's illustration here")
    show.add_argument(
        "--panels",
        action="store_true",
        help="with --svg: the numbered static panels (for print), not the animation",
    )
    show.set_defaults(handler=_show)


def _help(parser: argparse.ArgumentParser) -> Handler:
    def handler(args: argparse.Namespace, io: IO) -> int:
        parser.print_help(io.stdout)
        return 0

    return handler


def _check(args: argparse.Namespace, io: IO) -> int:
    from backhome.core.texts import TextProblem
    from backhome.core.texts import problems as text_problems

    # The exercise files, then every other text in every language the site offers (docs/translating.md).
    problems: list[Problem | TextProblem] = [*check_library(args.root), *text_problems()]
    if problems:
        for problem in problems:
            io.stdout.write(f"{problem.code}  {problem.file}: {problem.message}\n")
        io.stdout.write(f"library has {len(problems)} problem{'s' if len(problems) != 1 else ''}\n")
        return 1
    from backhome.core.library.load import load_library

    io.stdout.write(f"library OK: {len(load_library(args.root))} exercises\n")
    return 0


def _list(args: argparse.Namespace, io: IO) -> int:
    library = default_library()
    rows = [("ID", "NAME", "DIRECTION", "START DOSE")]
    rows += [
        (e.id, e.name, e.direction.value, describe_dose(e.envelope.start_dose())) for e in library.values()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        io.stdout.write("  ".join([*cells, row[3]]).rstrip() + "\n")
    return 0


def _show(args: argparse.Namespace, io: IO) -> int:
    library = default_library()
    exercise = library.get(args.exercise_id)
    if exercise is None:
        io.stderr.write(
            f"backhome: no exercise {args.exercise_id!r}; the exercises are: {', '.join(library.ids)}\n"
        )
        return 2
    io.stdout.write(describe_exercise(exercise))
    if args.svg is not None:
        return _write_svg(exercise.id, args.svg, io, panels=args.panels)
    return 0


def _write_svg(exercise_id: str, target: Path, io: IO, *, panels: bool) -> int:
    from backhome.illustrate.svg import exercise_panels_svg, exercise_svg

    svg = exercise_panels_svg(exercise_id) if panels else exercise_svg(exercise_id)
    try:
        target.write_text(svg, encoding="utf-8")
    except OSError as error:
        io.stderr.write(f"backhome: cannot write {target}: {error.strerror or error}\n")
        return 1
    io.stdout.write(f"\nIllustration written to {target}\n")
    return 0


def describe_exercise(exercise: Exercise) -> str:
    """Everything about one exercise as plain text."""
    lines = [exercise.name, "=" * len(exercise.name)]
    if exercise.other_names:
        lines.append(f"Also called: {', '.join(exercise.other_names)}")
    lines += [f"Id: {exercise.id}   Direction: {exercise.direction.value}", "", exercise.summary, ""]
    lines.append(f"Starting position: {exercise.start_position}")
    lines += ["", "Steps:", *_numbered(exercise.steps)]
    lines += ["", "You may feel:", *(f"  - {line}" for line in exercise.may_feel)]
    lines += ["", "This must not happen:", *(f"  - {line}" for line in exercise.must_not)]
    envelope = exercise.envelope
    lines += ["", f"Dose: {describe_dose(envelope.start_dose())} to start."]
    lines.append(f"  Sets: {_ladder(envelope.sets, str)}")
    lines.append(f"  Repeats{' on each side' if envelope.per_side else ''}: {_ladder(envelope.reps, str)}")
    lines.append(f"  Hold: {_ladder(envelope.hold_s, seconds)}")
    if exercise.progresses_to or exercise.regresses_to:
        lines.append("")
    if exercise.progresses_to:
        lines.append(f"Next step up: {exercise.progresses_to}")
    if exercise.regresses_to:
        lines.append(f"Step back to: {exercise.regresses_to}")
    for mode in exercise.modes:
        lines += ["", f"Version '{mode.id}': {mode.name}"]
        lines += _numbered(mode.steps)
    if exercise.contraindications:
        lines += ["", "Held back, or limited to one version, until a clinician clears it, with:"]
        lines += [f"  - {CONTRAINDICATION_WORDS.get(tag, tag)}" for tag in exercise.contraindications]
    lines += ["", f"Rules: {', '.join(exercise.rules)}", "Sources:"]
    lines += [f"  - {s.ref}{': ' + s.note if s.note else ''}" for s in exercise.sources]
    return "\n".join(lines) + "\n"


def _numbered(steps: tuple[str, ...]) -> list[str]:
    return [f"  {n}. {step}" for n, step in enumerate(steps, start=1)]


def _ladder(dim: Range, show: Callable[[int], str]) -> str:
    if dim.step == 0:
        text = f"{show(dim.start)}, no build-up"
    else:
        text = f"{show(dim.start)} at first, adding {show(dim.step)} at a time up to {show(dim.max)}"
    if dim.min < dim.start:
        text += f"; as few as {show(dim.min)} when easing off"
    return text
