"""A throw-away PostgreSQL cluster on loopback, in a temporary folder, for the tests and the load tests.

From Python::

    from scripts.pg_cluster import pg_cluster

    with pg_cluster() as url:  # postgresql://backhome@127.0.0.1:<port>/backhome
        ...                    # the cluster is stopped and its folder deleted afterwards, whatever happens

From the shell (what `make test-postgres` does)::

    python -m scripts.pg_cluster -- pytest -q      # runs the command with DATABASE_URL set, then stops
    python -m scripts.pg_cluster --durable -- CMD  # fsync on, for figures that mean something

The cluster: Debian's PostgreSQL server (``scripts/ensure-postgres.sh`` installs it with apt when it is
missing), ``initdb`` into a new temporary folder, listening on 127.0.0.1 only, on a free port, with its
Unix socket in that folder too. Authentication is ``trust``, for the loopback address and the socket only:
nothing else can reach it. Its one role, ``backhome``, is a superuser, so pytest-django may create and
drop ``test_backhome``. initdb refuses to run as root: as root, the server runs as the ``postgres`` user
that Debian's package creates (through ``runuser``), and owns the folder.

Unless ``durable=True``, the cluster trades durability for speed (``fsync=off``, no full-page writes,
asynchronous commit): a crash of the machine may lose it, which does not matter for a throw-away cluster
whose server is never killed by the tests. Killing the web server does not lose what PostgreSQL
acknowledged either way.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROLE = "backhome"


class ClusterError(RuntimeError):
    """The cluster could not be made or started; the message says why and where its log is."""


@dataclass(frozen=True)
class Cluster:
    """A running cluster: ``url`` is its DATABASE_URL."""

    folder: Path
    port: int
    database: str
    bindir: Path

    @property
    def url(self) -> str:
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{self.database}"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"


def server_bindir() -> Path:
    """The folder of initdb and pg_ctl, installing Debian's server first when it is missing."""
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "ensure-postgres.sh")],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return Path(done.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """The user the server runs as when we are root (initdb refuses root); None: ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ClusterError("running as root, and there is no 'postgres' user to run the server as")


def _as_server_user(argv: list[str], user: str | None) -> list[str]:
    return argv if user is None else ["runuser", "-u", user, "--", *argv]


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        raise ClusterError(f"{what} failed ({done.returncode}):\n{done.stdout}")


def _settings(folder: Path, port: int, *, durable: bool) -> str:
    lines = [
        "listen_addresses = '127.0.0.1'",
        f"port = {port}",
        f"unix_socket_directories = '{folder}'",
        "max_connections = 200",
        "shared_buffers = 128MB",
        "log_min_messages = warning",
        "log_min_error_statement = panic",
    ]
    if not durable:
        lines += ["fsync = off", "full_page_writes = off", "synchronous_commit = off"]
    return "\n".join(lines) + "\n"


HBA = (
    "# Only this machine's loopback address and the socket in the cluster's own folder.\n"
    "local all all trust\n"
    "host  all all 127.0.0.1/32 trust\n"
)


def start(*, database: str = "backhome", durable: bool = False, bindir: Path | None = None) -> Cluster:
    """Make and start a cluster; the caller must :func:`stop` it. Prefer :func:`pg_cluster`."""
    bindir = bindir or server_bindir()
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="backhome-pg-"))
    try:
        data = folder / "data"
        if user is not None:
            shutil.chown(folder, user=user)
        _run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "--pgdata",
                    str(data),
                    "--username",
                    ROLE,
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-instructions",
                    "--no-sync",
                ],
                user,
            ),
            "initdb",
        )
        # Debian's initdb writes the files as the server user; these two are ours to set.
        (data / "pg_hba.conf").write_text(HBA, "utf-8")
        for attempt in range(5):
            port = _free_port()
            with (data / "postgresql.auto.conf").open("w", encoding="utf-8") as handle:
                handle.write(_settings(folder, port, durable=durable))
            if user is not None:
                shutil.chown(data / "postgresql.auto.conf", user=user)
                shutil.chown(data / "pg_hba.conf", user=user)
            cluster = Cluster(folder=folder, port=port, database=database, bindir=bindir)
            done = subprocess.run(
                _as_server_user(
                    [
                        str(bindir / "pg_ctl"),
                        "--pgdata",
                        str(data),
                        "--log",
                        str(cluster.log),
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ],
                    user,
                ),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            if done.returncode == 0:
                break
            log = cluster.log.read_text("utf-8", errors="replace") if cluster.log.exists() else ""
            if "could not bind" not in log or attempt == 4:  # another program took the port: try again
                raise ClusterError(f"pg_ctl start failed:\n{done.stdout}\n{log}")
        _run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", ROLE, database],
            "createdb",
        )
        return cluster
    except BaseException:
        _stop_folder(folder, bindir, user)
        raise


def _stop_folder(folder: Path, bindir: Path, user: str | None) -> None:
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(
            _as_server_user(
                [str(bindir / "pg_ctl"), "--pgdata", str(data), "-m", "fast", "-w", "stop"], user
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    shutil.rmtree(folder, ignore_errors=True)


def stop(cluster: Cluster) -> None:
    """Stop the server (fast shutdown: open sessions are ended) and delete its folder."""
    _stop_folder(cluster.folder, cluster.bindir, _server_user())


@contextlib.contextmanager
def pg_cluster(*, database: str = "backhome", durable: bool = False) -> Iterator[str]:
    """A running cluster's DATABASE_URL for the ``with`` block; stopped and deleted afterwards."""
    cluster = start(database=database, durable=durable)
    try:
        yield cluster.url
    finally:
        stop(cluster)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.pg_cluster",
        description="Run COMMAND with DATABASE_URL set to a throw-away PostgreSQL cluster on loopback; "
        "the cluster is stopped and deleted when the command ends, whatever its exit status.",
    )
    parser.add_argument("--database", default="backhome", help="the database to create (default backhome)")
    parser.add_argument("--durable", action="store_true", help="keep fsync on (for benchmarks)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command to run, after --")

    def _terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    started = time.monotonic()
    try:
        with pg_cluster(database=args.database, durable=args.durable) as url:
            print(f"pg_cluster: DATABASE_URL={url} (ready in {time.monotonic() - started:.1f} s)", flush=True)
            child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": url})
            try:
                return child.wait()
            except BaseException:
                child.terminate()
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
                raise
    except ClusterError as error:
        print(f"pg_cluster: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
