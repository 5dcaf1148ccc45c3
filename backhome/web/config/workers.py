"""gunicorn's threaded worker, with new connections shared evenly between the worker processes.

gunicorn's ``gthread`` workers all wait on the same listening socket and each accepts every connection
it can. Browsers, proxies and load generators keep their connections open (keep-alive), so whichever
worker wins a burst of new connections keeps serving them. With 32 connections opened at once, one of
the two workers often won nearly all of them: that worker's threads then shared one interpreter lock
(one core's worth of Python) while the other worker idled. Measured with ``make bench-web`` on
2026-11-24, three runs of the plan page in a row gave 590, 630 and 1,835 requests a second: the fast
run was the one where the two workers had each taken about half of the connections.

``BalancedThreadWorker`` adds one rule: a worker takes a new connection only while it holds no more
open connections than every other live worker. It leaves the connection in the listen queue
otherwise, for a worker with fewer, which the same readiness of the socket wakes. Each worker
publishes its count in a small table of memory shared by every worker (made by the master process
before it forks them). A worker is counted only while its process exists and it has written its count
in the last ``STALE_S`` seconds (every turn of its event loop, at least once a second): a worker alone
always accepts, and the survivors of a killed worker stop waiting for it when its process is gone.

Nothing else changes: which thread answers a request, keep-alive, timeouts and the limit of
connections are gunicorn's own.
"""

from __future__ import annotations

import mmap
import os
import socket
import struct
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

#: Slots of the shared table; a worker uses slot ``age % SLOTS`` (its number in the master's order of
#: starting workers). Far more than the workers of one server, so two live workers seldom share one.
SLOTS = 64
#: A worker that has not written its count for this long is not counted (it has stopped or is stuck).
STALE_S = 2.5
#: How long a worker over its share leaves the listen queue to the others before it looks again.
YIELD_S = 0.0005

_ROW = struct.Struct("qqd")  # process id, open connections, when written (time.monotonic)
# Anonymous and shared: made when the master imports this module, before it forks any worker.
_TABLE = mmap.mmap(-1, SLOTS * _ROW.size)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BalancedThreadWorker(ThreadWorker):
    """``gthread`` that lets another worker take a new connection while that one holds fewer."""

    def init_process(self) -> None:
        self._row = (self.age % SLOTS) * _ROW.size
        self._pid = os.getpid()
        self._publish()
        super().init_process()  # runs the event loop until the worker stops

    def _publish(self) -> None:
        _ROW.pack_into(_TABLE, self._row, self._pid, self.nr_conns, time.monotonic())

    def over_share(self) -> bool:
        """Whether another live worker holds fewer open connections than this one."""
        mine, now = self.nr_conns, time.monotonic()
        if mine == 0:
            return False
        for offset in range(0, SLOTS * _ROW.size, _ROW.size):
            pid, count, written = _ROW.unpack_from(_TABLE, offset)
            if pid and pid != self._pid and count < mine and now - written < STALE_S and _alive(pid):
                return True
        return False

    def accept(self, server: Any, listener: socket.socket) -> None:
        if self.over_share():
            time.sleep(YIELD_S)
            return
        super().accept(server, listener)
        self._publish()

    def murder_keepalived(self) -> None:
        # called by gunicorn's event loop on every turn, after any connection has been closed
        super().murder_keepalived()
        self._publish()
