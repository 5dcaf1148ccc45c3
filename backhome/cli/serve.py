"""``backhome serve``: migrate, collect the static files, and serve the web app with gunicorn."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from backhome.cli import IO

SETTINGS = "backhome.web.config.settings"


def register(sub: Any) -> None:
    help_ = "set up the database and serve the web app (gunicorn) until stopped"
    parser = sub.add_parser("serve", help=help_, description=help_)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("BACKHOME_WORKERS", default_workers())),
        help="gunicorn worker processes (default 2 a core, at least 2 and at most 8, or BACKHOME_WORKERS)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("BACKHOME_THREADS", DEFAULT_THREADS)),
        help=f"threads of each worker (default {DEFAULT_THREADS}, or BACKHOME_THREADS)",
    )
    parser.set_defaults(handler=_serve)


#: Threads of each worker process (gunicorn's ``gthread`` worker).
DEFAULT_THREADS = 4


def default_workers() -> int:
    """Two worker processes for each core this process may use, at least 2 and at most 8 (docs/web.md).

    Python runs one thread of a process at a time, so the cores are used by processes; two a core keep
    them busy while a worker waits for the database or the network, and each worker's threads
    (``DEFAULT_THREADS``) serve other requests meanwhile, and slow or kept-alive connections. Each
    worker keeps its own memory (about 80 MB), hence the cap.
    """
    return max(2, min(8, 2 * len(os.sched_getaffinity(0))))


def prepare(io: IO) -> None:
    """Migrations and static files: everything the site needs before its first request."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0, stdout=io.stdout, stderr=io.stderr)
    call_command("collectstatic", interactive=False, verbosity=0, stdout=io.stdout, stderr=io.stderr)
    from django.db import connections

    connections.close_all()  # the workers are forked from this process: each opens its own connections


def gunicorn_argv(args: argparse.Namespace) -> list[str]:
    return [
        "gunicorn",
        "backhome.web.config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--logger-class",  # the access log without the secrets of feed, reset and join links
        "backhome.web.config.accesslog.RedactingLogger",
        "--forwarded-allow-ips",
        os.environ.get("BACKHOME_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


def database_problem(error: BaseException) -> str | None:
    """One line for a database that cannot be reached or opened at start (what, where, what to do), or
    None for any other error. It names the host, port and database, never the password."""
    from django.db import DatabaseError, connection

    from backhome.web.config.dberrors import classify

    if not isinstance(error, DatabaseError) or classify(error) not in ("unreachable", "busy"):
        return None
    settings = connection.settings_dict
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    reason = first_line.rsplit(": ", 1)[-1].strip()[:200]  # "Connection refused", without the driver's hints
    if connection.vendor == "sqlite":
        where = f"the SQLite database {settings['NAME']}"
        todo = "check that its folder (BACKHOME_DATA_DIR) exists and can be written, or set DATABASE_URL"
    else:
        host = settings.get("HOST") or "localhost"
        port = settings.get("PORT") or "the default port"
        where = f"the {connection.display_name} database {settings.get('NAME')!r} at {host}:{port}"
        todo = "start the database server or correct DATABASE_URL, then start backhome again"
    return f"backhome serve: cannot reach the database: {where} ({reason}); {todo}."


def _serve(args: argparse.Namespace, io: IO) -> int:
    try:
        prepare(io)
    except Exception as error:
        line = database_problem(error)
        if line is None:
            raise
        io.stderr.write(line + "\n")
        return 1
    from backhome.web.config.datadir import report_and_fix

    report_and_fix(io.stderr)  # anything in the data folder that others could read is made owner-only
    host = f"[{args.host}]" if ":" in args.host else args.host
    io.stdout.write(f"backhome is running at http://{host}:{args.port}\n")
    io.stdout.flush()
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = gunicorn_argv(args)
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    return 0
