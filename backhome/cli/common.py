"""Helpers shared by the sub-commands: reading FILE or '-' and reporting a bad intake."""

from __future__ import annotations

from pathlib import Path

from backhome.cli import IO
from backhome.core.contract import IntakeError, parse_intake_json
from backhome.core.model import Intake

#: An intake document larger than this is refused before parsing.
MAX_INTAKE_BYTES = 1_000_000


def read_text(source: str, io: IO) -> str | None:
    """The text of FILE, or of standard input for '-'; None (with a message) if it cannot be read."""
    try:
        if source == "-":
            text = io.stdin.read(MAX_INTAKE_BYTES + 1)
        else:
            path = Path(source)
            if path.is_dir():
                io.stderr.write(f"backhome: {source} is a folder, not a file\n")
                return None
            with path.open("rb") as handle:
                data = handle.read(MAX_INTAKE_BYTES + 1)
            text = data.decode("utf-8")
    except FileNotFoundError:
        io.stderr.write(f"backhome: no such file: {source}\n")
        return None
    except PermissionError:
        io.stderr.write(f"backhome: cannot read {source}: permission denied\n")
        return None
    except UnicodeDecodeError:
        io.stderr.write(f"backhome: {source} is not UTF-8 text\n")
        return None
    except OSError as error:
        io.stderr.write(f"backhome: cannot read {source}: {error.strerror or error}\n")
        return None
    if len(text) > MAX_INTAKE_BYTES:
        io.stderr.write(f"backhome: {source} is larger than {MAX_INTAKE_BYTES:,} bytes; refusing it\n")
        return None
    return text


def read_intake(source: str, io: IO) -> Intake | None:
    """Read and check an intake; on any problem print one line per wrong field and return None."""
    text = read_text(source, io)
    if text is None:
        return None
    try:
        return parse_intake_json(text)
    except IntakeError as error:
        name = "standard input" if source == "-" else source
        io.stderr.write(f"backhome: {name} is not a valid backhome.intake/1 document; nothing was decided.\n")
        for problem in error.problems:
            io.stderr.write(f"  {problem.field}: {problem.message}\n")
        return None
