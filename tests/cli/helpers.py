"""Run ``backhome`` in-process with captured streams (and a fake clock for sessions)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from backhome.cli import IO, main


class FakeClock:
    """Time that passes instantly; counts the seconds a session waited."""

    def __init__(self, interrupt_at: float | None = None) -> None:
        self.waited = 0.0
        self.interrupt_at = interrupt_at

    def sleep(self, seconds: float) -> None:
        if self.interrupt_at is not None and self.waited >= self.interrupt_at:
            self.interrupt_at = None
            raise KeyboardInterrupt
        self.waited += seconds


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(*argv: str, stdin: str = "", clock: FakeClock | None = None) -> Result:
    streams = IO(io.StringIO(stdin), io.StringIO(), io.StringIO(), clock=clock or FakeClock())
    code = main(list(argv), io=streams)
    return Result(code, streams.stdout.getvalue(), streams.stderr.getvalue())
