"""``backhome``: the one command-line entry point (``python -m backhome`` too).

Each sub-command lives in its own module with a ``register(subparsers)`` function that adds its
parser and sets ``handler`` to a function ``(args, io) -> int``. The handlers stay thin: they read
input, call the core, and print.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO, TypeAlias

from backhome import __version__

if TYPE_CHECKING:
    from backhome.cli.session import Clock


@dataclass
class IO:
    """The streams a command uses, so tests can drive it without a terminal."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    clock: Clock | None = None  # what `backhome session` waits with; None = the real clock


#: What ``register`` gets: ``add_parser`` on it adds a sub-command (typeshed's name for argparse's class).
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
#: What a sub-command's parser sets as ``handler``: it runs the command and returns the exit status.
Handler: TypeAlias = Callable[[argparse.Namespace, IO], int]


def build_parser() -> argparse.ArgumentParser:
    from backhome.cli import (
        backup,
        clinic,
        export,
        handout,
        library,
        reminders,
        serve,
        session,
        token,
        triage,
    )

    parser = argparse.ArgumentParser(
        prog="backhome",
        description="backhome: a home exercise programme for low back pain. Not a diagnosis.",
    )
    parser.add_argument("--version", action="version", version=f"backhome {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    triage.register(sub)
    library.register(sub)
    session.register(sub)
    serve.register(sub)
    handout.register(sub)
    clinic.register(sub)
    backup.register(sub)
    token.register(sub)
    reminders.register(sub)
    export.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, io: IO | None = None) -> int:
    io = io or IO(sys.stdin, sys.stdout, sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse prints its own usage message
        return int(exit_.code or 0)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(io.stdout)
        return 0
    try:
        return int(handler(args, io))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        io.stderr.write("\nStopped.\n")
        return 130
