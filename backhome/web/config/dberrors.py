"""When the database cannot be written or reached: a clear 503 in our words and one log line, not a crash.

A read-only database file or file system, a full disk, a PostgreSQL server that is read-only, down or
refusing connections: each raises a database error deep inside a view, a service or a middleware (the
session is saved on the way out). This module knows those errors by their message or SQLSTATE
(:func:`classify`), and :class:`DatabaseFaultMiddleware` turns them into

- for a page: status 503, ``Retry-After``, a self-contained page (it needs no database to render);
- for the JSON endpoints (``/api/...`` and the session player's ``/session/<id>/...``): status 503 and
  the error envelope ``{"error": {"code": "database_unavailable", "message": ..., "fields": []}}``;
- one ERROR line on the ``backhome.database`` logger naming the cause, the request and the error.

Nothing here retries or hides a failed write: the transaction was rolled back by ``transaction.atomic``,
so nothing half-written is kept, and what was saved before is untouched. The process keeps serving:
reads still work on a read-only or full database. :func:`database_state` is what ``/healthz`` reports.
Any other error stays a 500, as before.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static

log = logging.getLogger("backhome.database")

RETRY_AFTER_S = 120
SAVE_MESSAGE = (
    "We could not save that. Nothing was lost of what you saved before. Please try again in a few minutes."
)
READ_MESSAGE = (
    "We could not open this page just now. Nothing was lost of what you saved before. "
    "Please try again in a few minutes."
)

#: Words in the driver's message, for each cause (SQLite's messages; PostgreSQL's when no SQLSTATE).
CAUSE_WORDS: dict[str, tuple[str, ...]] = {
    "read-only": (
        "readonly database",
        "read-only transaction",
        "read-only file system",
        "read only",
    ),
    "disk-full": (
        "database or disk is full",
        "no space left on device",
        "could not extend file",
        "disk i/o error",
        "file too large",
    ),
    "unreachable": (
        "unable to open database file",
        "connection refused",
        "could not connect",
        "connection failed",
        "server closed the connection",
        "connection is closed",
        "connection already closed",
        "terminating connection",
        "the database system is starting up",
        "the database system is shutting down",
        "the database system is in recovery mode",
        "no route to host",
        "timeout expired",
    ),
    "busy": ("database is locked", "database table is locked"),
}

#: PostgreSQL's SQLSTATE codes (and classes) for each cause.
CAUSE_SQLSTATES: dict[str, tuple[str, ...]] = {
    "read-only": ("25006",),  # read_only_sql_transaction: default_transaction_read_only, a standby
    "disk-full": ("53100",),  # disk_full
    "unreachable": ("08", "57P01", "57P02", "57P03"),  # connection exceptions; admin/crash shutdown
    "busy": ("53300", "55P03", "40P01"),  # too many connections, lock not available, deadlock
}

#: What the log line says about each cause.
CAUSE_TEXT = {
    "read-only": "the database is read-only",
    "disk-full": "the disk is full (or refused the write)",
    "unreachable": "the database cannot be reached",
    "busy": "the database is busy",
}


def classify(error: BaseException) -> str | None:
    """The cause of a database error we answer with 503, or None for any other error."""
    if not isinstance(error, DatabaseError):
        return None
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in chain:
        sqlstate = getattr(item, "sqlstate", None) or getattr(getattr(item, "diag", None), "sqlstate", None)
        if sqlstate:
            for cause, codes in CAUSE_SQLSTATES.items():
                if any(sqlstate == code or (len(code) == 2 and sqlstate.startswith(code)) for code in codes):
                    return cause
    text = " ".join(str(item) for item in chain).lower()
    for cause, words in CAUSE_WORDS.items():
        if any(word in text for word in words):
            return cause
    return None


# --------------------------------------------------------------------------- what this process has seen


@dataclass(frozen=True)
class Fault:
    cause: str
    detail: str
    at: float


_last_fault: Fault | None = None
_lock = threading.Lock()
#: For this long after a fault, /healthz checks the database itself instead of answering "ok" at once.
REMEMBER_S = 60.0


def record(cause: str, detail: str) -> None:
    global _last_fault
    with _lock:
        _last_fault = Fault(cause, detail, time.monotonic())


def recent_fault() -> Fault | None:
    with _lock:
        fault = _last_fault
    if fault is None or time.monotonic() - fault.at > REMEMBER_S:
        return None
    return fault


def forget() -> None:
    global _last_fault
    with _lock:
        _last_fault = None


# --------------------------------------------------------------------------- the responses


def wants_json(request: HttpRequest) -> bool:
    path = request.path
    if path.startswith("/api/") or (path.startswith("/session/") and path != "/session/"):
        return True
    return (request.content_type or "") == "application/json"


def fault_response(request: HttpRequest, cause: str) -> HttpResponse:
    reading = request.method in ("GET", "HEAD")
    message = READ_MESSAGE if reading else SAVE_MESSAGE
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {"error": {"code": "database_unavailable", "message": message, "fields": []}}, status=503
        )
    else:
        response = HttpResponse(
            _page(message, reading=reading), status=503, content_type="text/html; charset=utf-8"
        )
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # report() wrote its one line; not Django too
    return response


def _page(message: str, *, reading: bool) -> str:
    """The page, made without templates, context processors or the session: they may need the database."""
    title = "This page cannot open just now" if reading else "We could not save that"
    lines = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)} · backhome</title>",
        f'<link rel="stylesheet" href="{html.escape(static("patient/site.css"))}">',
        "</head>",
        "<body>",
        '<header class="top"><a class="brand" href="/">backhome</a>'
        '<span class="tagline">exercises for low back pain</span></header>',
        '<main id="main" class="page">',
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(message)}</p>",
        "<p>If your back gets worse while you wait, the advice in your plan still applies. "
        '<a href="/emergency/">What to do in an emergency</a>.</p>',
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


def report(request: HttpRequest, error: BaseException, cause: str) -> None:
    detail = " ".join(str(error).split())[:300]
    record(cause, detail)
    log.error(
        "database fault: %s; %s %s answered 503; %s: %s",
        CAUSE_TEXT[cause],
        request.method,
        request.path,
        type(error).__name__,
        detail,
    )


class DatabaseFaultMiddleware:
    """Answers a view's database fault with 503 (see the module's docstring). Put it early in MIDDLEWARE:
    its ``process_exception`` then sees what the views raise. A fault raised by another middleware (the
    session saved on the way out) reaches ``handler500`` (:func:`server_error`), which answers the same."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)  # type: ignore[no-any-return]

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        cause = classify(exception)
        if cause is None:
            return None
        report(request, exception, cause)
        return fault_response(request, cause)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database fault outside a view is a 503 too; anything else, Django's plain 500."""
    import sys

    error = sys.exc_info()[1]
    cause = classify(error) if error is not None else None
    if cause is not None and error is not None:
        report(request, error, cause)
        return fault_response(request, cause)
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)


# --------------------------------------------------------------------------- /healthz


#: Below this much free space beside a SQLite file, /healthz says the disk is full.
MIN_FREE_BYTES = 1_000_000


def cheap_state() -> tuple[str, str] | None:
    """A problem seen without a query: a recent fault, or a SQLite file that cannot be written."""
    fault = recent_fault()
    if fault is not None:
        return fault.cause, fault.detail
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if "mode=ro" in name:
            return "read-only", "the database is opened read-only (mode=ro)"
        if name.startswith("file:") or name == ":memory:":
            return None
        path = Path(name)
        if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            return "read-only", f"{path.name} or its folder cannot be written"
        try:
            stats = os.statvfs(path.parent)
        except OSError:
            return "unreachable", f"the folder of {path.name} cannot be read"
        if stats.f_bavail * stats.f_frsize < MIN_FREE_BYTES:
            return "disk-full", f"less than {MIN_FREE_BYTES // 1_000_000} MB free beside {path.name}"
    return None


def probe() -> tuple[str, str] | None:
    """Ask the database itself: can it be reached, and can it be written? None when it can."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only")
                if cursor.fetchone()[0]:
                    return "read-only", "PRAGMA query_only is on"
                # A write that changes nothing: the header's user_version (Django does not use it).
                cursor.execute("PRAGMA user_version")
                version = int(cursor.fetchone()[0])
                cursor.execute(f"PRAGMA user_version = {version}")
            elif connection.vendor == "postgresql":
                cursor.execute("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()")
                read_only, in_recovery = cursor.fetchone()
                if read_only == "on" or in_recovery:
                    return "read-only", "the PostgreSQL server accepts no writes (read-only or a standby)"
            else:
                cursor.execute("SELECT 1")
    except DatabaseError as error:
        cause = classify(error) or "unreachable"
        return cause, " ".join(str(error).split())[:300]
    return None


def database_state(*, deep: bool) -> tuple[str, str] | None:
    """What /healthz reports: None when the database is fine, else (cause, detail). Without ``deep`` no
    query is made unless this process saw a fault in the last minute (then the database is asked again,
    and a fault that has cleared is forgotten)."""
    problem = cheap_state()
    if problem is None and not deep:
        return None
    if problem is not None and recent_fault() is None:
        return problem  # the file itself says so; no need to ask
    problem = probe()
    if problem is None:
        forget()
    return problem
