"""``backhome backup FILE`` and ``backhome restore FILE``: a copy of the whole database, and back.

- SQLite: SQLite's online backup API copies the database page by page while the server keeps running;
  the copy is consistent (one moment of the database), a single file (rollback journal, not WAL), and
  passes ``PRAGMA integrity_check`` before it is kept. A restore checks the file the same way, then
  copies it into the live database with the same API, under SQLite's write lock: other connections see
  the old database or the new one, never half of each.
- PostgreSQL (``DATABASE_URL=postgresql://...``): ``pg_dump --format=custom``, and ``pg_restore --clean
  --if-exists --single-transaction``, so a restore that fails changes nothing.

A backup holds health data: it is written with mode 600, to a temporary name first, and renamed only
when it is complete and checked, so FILE is never half a backup. An existing FILE is not replaced
without ``--force``. A restore replaces every row of a database that has data only with ``--force``,
and first keeps a backup of what it replaces in ``<data dir>/backups/``.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import itertools
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backhome.cli import IO, Subcommands

SETTINGS = "backhome.web.config.settings"
SQLITE_HEADER = b"SQLite format 3\x00"
PG_ARCHIVE_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why in plain words."""


def register(sub: Subcommands) -> None:
    help_ = "copy the whole database to FILE while the site runs (SQLite or PostgreSQL)"
    parser = sub.add_parser("backup", help=help_, description=help_)
    parser.add_argument("file", metavar="FILE", help="where to write the backup")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.set_defaults(handler=_backup)

    help_ = "replace the database with the backup in FILE (checked first; keeps a copy of the old one)"
    parser = sub.add_parser("restore", help=help_, description=help_)
    parser.add_argument("file", metavar="FILE", help="a file made by `backhome backup`")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a database that already holds data (stop the server first)",
    )
    parser.set_defaults(handler=_restore)


# --------------------------------------------------------------------------- the database in use


@dataclass(frozen=True)
class Database:
    """The database Django uses: its engine, and how to reach it."""

    vendor: str  # "sqlite" or "postgresql"
    settings: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.settings["NAME"])

    def describe(self) -> str:
        if self.vendor == "sqlite":
            return f"the SQLite database {self.name}"
        host = self.settings.get("HOST") or "the local socket"
        return f"the PostgreSQL database {self.name} on {host}"


def current_database() -> Database:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backhome backup knows SQLite and PostgreSQL, not {connection.vendor}")
    return Database(connection.vendor, dict(connection.settings_dict))


# --------------------------------------------------------------------------- SQLite


def _sqlite_connect(name: str) -> sqlite3.Connection:
    # Django's tests use a shared in-memory database named as a URI ("file:memorydb_default?mode=memory...").
    return sqlite3.connect(name, uri=name.startswith("file:"), timeout=30)


def _sqlite_check(path: Path) -> sqlite3.Connection:
    """An open connection to a SQLite file that is whole and holds a backhome database."""
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite backup of backhome")
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise BackupError(f"{path} is damaged: PRAGMA integrity_check says {'; '.join(result[:5])}")
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "django_migrations" not in tables:
            raise BackupError(f"{path} is a SQLite file, but not a backhome database")
    except sqlite3.DatabaseError as error:
        copy.close()
        raise BackupError(f"{path} cannot be read as a SQLite database: {error}") from error
    return copy


def _sqlite_backup(database: Database, target: Path) -> None:
    source = _sqlite_connect(database.name)
    copy = sqlite3.connect(target)
    try:
        # pages=0: one step, under one read transaction: the copy is one moment of the database.
        source.backup(copy, pages=0)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, not a WAL database
        copy.commit()
    finally:
        copy.close()
        source.close()
    _sqlite_check(target).close()


def _sqlite_has_data(database: Database) -> bool:
    if not database.name.startswith("file:") and not Path(database.name).exists():
        return False
    live = _sqlite_connect(database.name)
    try:
        tables = {row[0] for row in live.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return "django_migrations" in tables
    finally:
        live.close()


def _sqlite_restore(database: Database, source: Path) -> None:
    backup = _sqlite_check(source)
    live = _sqlite_connect(database.name)
    try:
        backup.backup(live, pages=0)  # holds the live database's write lock until every page is in
        result = [row[0] for row in live.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise BackupError(f"the restored database fails its integrity check: {'; '.join(result[:5])}")
    finally:
        live.close()
        backup.close()


# --------------------------------------------------------------------------- PostgreSQL


def pg_program(name: str) -> str:
    """pg_dump or pg_restore: the newest of Debian's server folders, else the PATH's."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client, or run scripts/ensure-postgres.sh)"
        )
    return found


def _version_key(folder: str) -> tuple[int, ...]:
    version = Path(folder).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _pg_env(database: Database) -> dict[str, str]:
    """libpq's variables for the database (the password never goes on a command line)."""
    s = database.settings
    env = {**os.environ, "PGDATABASE": database.name, "PGAPPNAME": "backhome-backup"}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if s.get(key):
            env[variable] = str(s[key])
    sslmode = (s.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _pg_run(argv: list[str], database: Database, what: str) -> str:
    done = subprocess.run(argv, env=_pg_env(database), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _pg_backup(database: Database, target: Path) -> None:
    _pg_run(
        [pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
        database,
        "pg_dump",
    )
    _pg_check(database, target)


def _pg_check(database: Database, path: Path) -> None:
    with path.open("rb") as handle:
        if handle.read(len(PG_ARCHIVE_HEADER)) != PG_ARCHIVE_HEADER:
            raise BackupError(f"{path} is not a PostgreSQL backup of backhome (pg_dump --format=custom)")
    listing = _pg_run([pg_program("pg_restore"), "--list", str(path)], database, "pg_restore --list")
    if "django_migrations" not in listing:
        raise BackupError(f"{path} is a PostgreSQL archive, but not of a backhome database")


def _pg_has_data(database: Database) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        return "django_migrations" in connection.introspection.table_names(cursor)


def _pg_restore(database: Database, source: Path) -> None:
    _pg_check(database, source)
    from django.db import connections

    connections.close_all()  # our own idle connections must not hold locks on the tables it drops
    _pg_run(
        [
            pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            database.name,
            str(source),
        ],
        database,
        "pg_restore",
    )


# --------------------------------------------------------------------------- both


@contextlib.contextmanager
def _private_temporary(target: Path) -> Iterator[Path]:
    """A new, empty, owner-only file beside ``target``; deleted unless the caller renamed it."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    os.chmod(name, 0o600)
    os.unlink(name)  # the tools create it themselves; the name is ours
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def backup_to(database: Database, target: Path, *, force: bool = False) -> int:
    """Write a checked backup of ``database`` to ``target``; its size in bytes."""
    target = target.expanduser().absolute()
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give the name of the backup file")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; nothing was written. Add --force to replace it.")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    with _private_temporary(target) as partial:
        old_umask = os.umask(0o077)
        try:
            if database.vendor == "sqlite":
                _sqlite_backup(database, partial)
            else:
                _pg_backup(database, partial)
        finally:
            os.umask(old_umask)
        os.chmod(partial, 0o600)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return target.stat().st_size


def safety_copy_path(database: Database) -> Path:
    from django.conf import settings

    folder = Path(settings.DATA_DIR) / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    suffix = "sqlite3" if database.vendor == "sqlite" else "pgdump"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for count in itertools.count(1):
        path = folder / f"before-restore-{stamp}-{count}.{suffix}"
        if not path.exists():
            return path
    raise AssertionError("unreachable")


def restore_from(database: Database, source: Path, *, force: bool = False) -> Path | None:
    """Replace ``database`` with the backup in ``source``; the safety copy of what it held, if any."""
    source = source.expanduser().absolute()
    if not source.is_file():
        raise BackupError(f"no such backup file: {source}")
    if database.vendor == "sqlite":
        _sqlite_check(source).close()
    else:
        _pg_check(database, source)
    has_data = _sqlite_has_data(database) if database.vendor == "sqlite" else _pg_has_data(database)
    safety = None
    if has_data:
        if not force:
            raise BackupError(
                f"{database.describe()} already holds data, and a restore replaces all of it; nothing "
                "was changed. Stop the server, then add --force (a copy of the current database is kept)."
            )
        safety = safety_copy_path(database)
        backup_to(database, safety)
    if database.vendor == "sqlite":
        _sqlite_restore(database, source)
    else:
        _pg_restore(database, source)
    return safety


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count / 1000:.1f} KB"


def _backup(args: argparse.Namespace, io: IO) -> int:
    try:
        database = current_database()
        size = backup_to(database, Path(args.file), force=args.force)
    except BackupError as error:
        io.stderr.write(f"backhome backup: {error}\n")
        return 1
    io.stdout.write(f"Backed up {database.describe()} to {args.file} ({_size(size)}); it passed its check.\n")
    return 0


def _restore(args: argparse.Namespace, io: IO) -> int:
    try:
        database = current_database()
        safety = restore_from(database, Path(args.file), force=args.force)
    except BackupError as error:
        io.stderr.write(f"backhome restore: {error}\n")
        return 1
    io.stdout.write(f"Restored {database.describe()} from {args.file}.\n")
    if safety is not None:
        io.stdout.write(f"What it held before is kept in {safety}.\n")
    return 0
