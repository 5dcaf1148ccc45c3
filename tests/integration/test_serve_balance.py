"""The workers of ``backhome serve`` share a burst of keep-alive connections (config/workers.py).

Stock gthread workers let whichever worker wins the race keep nearly every connection of a burst; the
plan page then ran at a third of its speed (BENCHMARKS.md). Here 32 connections are opened at once and
each sends a request, and each worker must hold a fair part of them.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from backhome.web.config import workers
from scripts.loadlib.server import HOST, Server, group_members, server_env

CONNECTIONS = 32


def _established_inodes(port: int) -> set[str]:
    """Socket inodes of the server's side of established TCP connections to ``port`` (IPv4 loopback)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01":
            found.add(fields[9])
    return found


def _held(pid: int, inodes: set[str]) -> int:
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            held += 1
    return held


@pytest.mark.slow
def test_a_burst_of_keep_alive_connections_is_shared_between_the_workers(tmp_path: Path) -> None:
    env = {**server_env(tmp_path, os.environ.get("DATABASE_URL")), "BACKHOME_WORKERS": "2"}
    server = Server(tmp_path, env)
    server.start()
    clients: list[socket.socket] = []
    try:
        server.wait_ready()
        for _ in range(CONNECTIONS):  # all at once, before any request
            clients.append(socket.create_connection((HOST, server.port), timeout=10))
        request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: keep-alive\r\n\r\n".encode()
        for client in clients:
            client.sendall(request)
        for client in clients:
            assert client.recv(4096).startswith(b"HTTP/1.1 200"), "every connection is answered"
        assert server.process is not None
        master = server.process.pid  # the process group's leader: gunicorn's master
        worker_pids = [pid for pid in group_members(master) if pid != master]
        assert len(worker_pids) == 2
        deadline = time.monotonic() + 5
        while True:
            inodes = _established_inodes(server.port)
            held = [_held(pid, inodes) for pid in worker_pids]
            if sum(held) >= CONNECTIONS or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert sum(held) == CONNECTIONS, held
        assert min(held) >= CONNECTIONS // 2 - 3, f"connections held by each worker: {held}"
    finally:
        for client in clients:
            client.close()
        server.stop()


class _Worker(workers.BalancedThreadWorker):
    """The balancing rule alone, without gunicorn's process around it."""

    def __init__(self, connections: int) -> None:
        self.nr_conns = connections
        self._row = 0
        self._pid = os.getpid()


def _write_row(slot: int, pid: int, connections: int, written: float) -> None:
    workers._ROW.pack_into(workers._TABLE, slot * workers._ROW.size, pid, connections, written)


def test_a_worker_leaves_a_new_connection_only_to_a_live_worker_that_holds_fewer() -> None:
    saved = bytes(workers._TABLE)
    try:
        worker = _Worker(connections=5)
        _write_row(0, os.getpid(), 5, time.monotonic())
        sibling = os.getppid()  # a process that exists
        _write_row(1, sibling, 4, time.monotonic())
        assert worker.over_share(), "a live sibling with fewer connections takes the next one"
        _write_row(1, sibling, 5, time.monotonic())
        assert not worker.over_share(), "equal counts: both accept"
        _write_row(1, sibling, 0, time.monotonic() - workers.STALE_S - 1)
        assert not worker.over_share(), "a sibling that stopped writing its count is not waited for"
        _write_row(1, 2**22 + 12345, 0, time.monotonic())  # above Linux's largest process id
        assert not worker.over_share(), "a sibling whose process is gone is not waited for"
        assert not _Worker(connections=0).over_share(), "a worker with no connection always accepts"
    finally:
        workers._TABLE[:] = saved
