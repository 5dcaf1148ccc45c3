"""Latency as the server measures it: gunicorn's access log with the request time in microseconds.

``backhome serve`` runs gunicorn with its access log on standard output. The load test gives its server
one more gunicorn setting through ``GUNICORN_CMD_ARGS`` (gunicorn's documented way to add settings
from the environment): an access-log format that carries the method, the path, the status and
``%(D)s``, the time from the parsed request to the last byte of the answer. Ordinary ``backhome serve``
is unchanged. The time does not include a request's wait in the listen queue before a worker takes it;
the generator's own timings (labelled as such) do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scripts.loadlib.paths import kind_of

MARK = "backhome-timing"
#: One access-log line: the mark, method, path (without the query), status, microseconds, worker pid.
ACCESS_FORMAT = MARK + " %(m)s %(U)s %(s)s %(D)s %(p)s"
_LINE = re.compile(MARK + r" (\S+) (\S+) (\d{3}) (\d+) <(\d+)>")


@dataclass(frozen=True)
class Timed:
    kind: str
    ms: float
    status: int


def gunicorn_env() -> dict[str, str]:
    """What to add to the server's environment for the timed access log, on standard output (which the
    load test keeps in its server log) whether or not ``backhome serve`` itself asks for one."""
    return {"GUNICORN_CMD_ARGS": f"--access-logfile - --access-logformat '{ACCESS_FORMAT}'"}


def parse(lines: Iterable[str]) -> list[Timed]:
    """The timed requests among ``lines`` (other log lines and the health check are left out)."""
    found = []
    for line in lines:
        match = _LINE.search(line)
        if match is None:
            continue
        method, url_path, status, micros, _pid = match.groups()
        kind = kind_of(method, url_path)
        if kind != "health":
            found.append(Timed(kind, int(micros) / 1000, int(status)))
    return found


def read(path: Path) -> list[Timed]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return parse(handle)
