"""The data folder holds health data: everything in it is the owner's only (folders 0700, files 0600).

- :func:`owner_only_umask` sets the process's umask to 0o077. The settings call it before they make the
  data folder, so every process that loads them (``backhome serve`` and its workers, ``manage.py``, the
  WSGI module, every ``backhome`` command) creates the SQLite database and its ``-wal``/``-shm`` files,
  the secret key, the file caches, the mail folder (``EMAIL_FILE_PATH``) and its emails, the static files
  and backups owner-only, whoever creates them (SQLite, Django's cache, its file email backend).
- :func:`tighten` walks a folder and takes group and other permissions off whatever has them (an older
  installation, a file copied in by hand). ``backhome serve`` calls :func:`report_and_fix` at start:
  it says in one line how many it fixed, and nothing when all was already owner-only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

#: New files 0600, new folders 0700.
OWNER_ONLY_UMASK = 0o077


def owner_only_umask() -> None:
    os.umask(OWNER_ONLY_UMASK)


def loose(paths: Iterable[Path]) -> list[Path]:
    """Those of ``paths`` (and everything under the folders among them) that group or others may use.
    Symbolic links are not followed."""
    found: list[Path] = []
    for top in paths:
        if not top.exists() or top.is_symlink():
            continue
        walk = [top]
        if top.is_dir():
            for folder, dirs, files in os.walk(top):
                walk += [Path(folder, name) for name in dirs + files]
        for path in walk:
            try:
                mode = path.lstat().st_mode
            except OSError:  # gone meanwhile (a cache entry, a -shm file)
                continue
            if not stat.S_ISLNK(mode) and mode & 0o077:
                found.append(path)
    return found


def tighten(paths: Iterable[Path]) -> list[Path]:
    """Take group and other permissions off everything :func:`loose` finds; the ones fixed."""
    fixed: list[Path] = []
    for path in loose(paths):
        try:
            path.chmod(path.lstat().st_mode & 0o700)
        except OSError:  # not ours to change (another owner): left as it is
            continue
        fixed.append(path)
    return fixed


def data_paths() -> list[Path]:
    """The data folder, and the SQLite database's files if they are kept elsewhere."""
    from django.conf import settings
    from django.db import connection

    paths = [Path(settings.DATA_DIR)]
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name and name != ":memory:" and not name.startswith("file:"):
            database = Path(name).resolve()
            if not database.is_relative_to(paths[0]):
                paths += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    return paths


def report_and_fix(out: TextIO) -> list[Path]:
    """Tighten the data folder; one line on ``out`` if anything was readable by group or others."""
    fixed = tighten(data_paths())
    if fixed:
        shown = ", ".join(str(path) for path in fixed[:3]) + (", ..." if len(fixed) > 3 else "")
        out.write(
            f"backhome serve: {len(fixed)} file(s) or folder(s) of the data folder could be read by other "
            f"users; they are now the owner's only (folders 0700, files 0600): {shown}\n"
        )
        out.flush()
    return fixed
