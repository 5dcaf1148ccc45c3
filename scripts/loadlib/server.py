"""``backhome serve`` (gunicorn, as in production) in its own process group, on a fresh data folder and
database, that can be killed with SIGKILL and started again on the same port and data."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HOST = "127.0.0.1"
SETTINGS = "backhome.web.config.settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(workdir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of the server (and of the checks that read its database afterwards)."""
    env = {
        **os.environ,
        "BACKHOME_DATA_DIR": str(workdir / "data"),
        "BACKHOME_SECRET_KEY": "load-" + secrets.token_urlsafe(40),
        "BACKHOME_ALLOWED_HOSTS": f"{HOST},localhost",
        # Every simulated phone comes from this machine: each sends its own X-Forwarded-For address, read
        # as a proxy's (throttle.client_address), so the per-address limits count per phone as in real life.
        "BACKHOME_TRUSTED_PROXIES": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
    }
    for name in ("BACKHOME_DEBUG", "DATABASE_URL"):
        env.pop(name, None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def group_members(pgid: int) -> list[int]:
    """The live processes of a process group (the gunicorn master and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return sorted(found)


class Server:
    """One ``backhome serve`` at a time on a fixed port; ``start`` again after ``kill`` or ``stop``."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.env = env
        self.log_path = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        backhome = Path(sys.executable).with_name("backhome")
        command = [str(backhome), "serve", "--host", HOST, "--port", str(self.port)]
        with self.log_path.open("a") as log:
            log.write(f"----- start {self.starts} -----\n")
            log.flush()
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def ready(self) -> bool:
        """Whether /healthz answers 200 now; raises if the server process has ended."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(
                f"backhome serve stopped (exit {self.process.returncode}); see {self.log_path}"
            )
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def wait_ready(self, timeout: float = 90.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.ready():
                return
            time.sleep(0.2)
        raise RuntimeError("backhome serve did not answer /healthz in time")

    def kill(self) -> list[int]:
        """SIGKILL to the whole process group at once: the gunicorn master and every worker.
        Returns the process ids that were killed."""
        assert self.process is not None
        pids = group_members(self.process.pid)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for _ in range(100):  # the workers are reaped by init; wait until none is left
            if not group_members(self.process.pid):
                break
            time.sleep(0.05)
        return pids

    def stop(self) -> None:
        """A graceful stop (SIGTERM), then SIGKILL if it does not end in 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --------------------------------------------------------------------------- PostgreSQL


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@contextlib.contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    """A new, empty database in the cluster of ``url`` for one run; dropped afterwards."""
    import psycopg

    name = "backhome_load_" + uuid.uuid4().hex[:12]
    admin = _with_database(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in {"postgres", "postgresql", "pgsql"}


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """The cluster to use: ``DATABASE_URL`` when it names PostgreSQL (a run that gives one), else a
    throw-away cluster from ``scripts/pg_cluster.py``, durable (fsync on) so its figures mean something."""
    given = os.environ.get("DATABASE_URL")
    if is_postgres(given):
        assert given is not None
        yield given
        return
    try:
        from scripts.pg_cluster import pg_cluster
    except ImportError as error:
        raise SystemExit(
            "--database postgres needs DATABASE_URL=postgres://... or scripts/pg_cluster.py"
        ) from error
    with pg_cluster(durable=True) as url:
        yield url
