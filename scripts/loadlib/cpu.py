"""CPU time of the server's processes, read from /proc, for the capacity figures.

- The gunicorn master and its workers (one process group): sampled every half second while the load
  runs and once more just before each kill or stop, each process by its id and start time, so a killed
  worker keeps what it had used. Each (re)start's boot (migrations, static files, imports) is left out:
  the count starts when the server answers its health check.
- PostgreSQL (when it runs on this machine): its postmaster's own time, the time of the children it has
  reaped (connections that ended), and that of its live children (connections, checkpointer, ...).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name: [0] is field 3 (state)."""
    try:
        text = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _own_seconds(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _reaped_seconds(fields: list[str]) -> float:
    return (int(fields[13]) + int(fields[14])) / TICK  # cutime, cstime


def _all_stats() -> dict[int, list[str]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[0] != "Z":
                found[int(entry.name)] = fields
    return found


class GroupMeter:
    """CPU seconds used by the members of a process group (the server), boots left out."""

    def __init__(self) -> None:
        self._last: dict[tuple[int, str], float] = {}  # (pid, start time) -> seconds at the last sample
        self._base: dict[tuple[int, str], float] = {}  # seconds when the server became ready (its boot)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.pgid: int | None = None

    def sample(self) -> None:
        if self.pgid is None:
            return
        stats = _all_stats()
        with self._lock:
            for pid, fields in stats.items():
                if int(fields[2]) == self.pgid:
                    self._last[(pid, fields[19])] = _own_seconds(fields)

    def ready(self, pgid: int) -> None:
        """The server of this group answers now: what its processes used so far was its boot."""
        self.pgid = pgid
        self.sample()
        with self._lock:
            for key, seconds in self._last.items():
                self._base.setdefault(key, seconds)

    def seconds(self) -> float:
        with self._lock:
            return sum(last - self._base.get(key, 0.0) for key, last in self._last.items())

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(0.5):
                self.sample()

        self._thread = threading.Thread(target=loop, name="cpu-meter", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def postgres_seconds(postmaster: int | None) -> float | None:
    """CPU seconds used so far by a local PostgreSQL cluster (None when it is not on this machine)."""
    if postmaster is None:
        return None
    head = _stat(postmaster)
    if head is None:
        return None
    total = _own_seconds(head) + _reaped_seconds(head)
    for fields in _all_stats().values():
        if int(fields[1]) == postmaster:
            total += _own_seconds(fields)
    return total
