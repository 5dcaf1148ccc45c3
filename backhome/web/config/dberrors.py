"""When the database cannot be written or reached: a clear 503 in our words and one log line, not a crash.

A read-only database file or file system, a full disk, a PostgreSQL server that is read-only, down or
refusing connections: each raises a database error deep inside a view, a service or a middleware (the
session is saved on the way out). This module knows those errors by the driver's own codes, never by
their wording (:func:`classify`): SQLite's result code (``sqlite_errorcode``) and PostgreSQL's SQLSTATE
(``sqlstate``). :class:`DatabaseFaultMiddleware` turns them into

- for a page: status 503, ``Retry-After`` and the ``503.html`` page (rendered without the request, so
  neither the session nor a context processor can touch the database again);
- for JSON (``/api/...``, or a request that sends or asks for JSON): status 503, ``Retry-After`` and the
  error envelope ``{"error": {"code": "unavailable", "message": ..., "fields": []}}``, the same as a
  service's ``Unavailable``;
- one ERROR line on the ``backhome.database`` logger naming the cause, the request and the error.

Nothing here retries or hides a failed write: the transaction was rolled back by ``transaction.atomic``,
so nothing half-written is kept, and what was saved before is untouched. The process keeps serving:
reads still work on a read-only or full database. :func:`database_state` is what ``/healthz`` reports.
Any other error stays a 500, as before (in the envelope for JSON).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

from backhome.web.api.errors import RETRY_AFTER_S, envelope

log = logging.getLogger("backhome.database")

SAVE_MESSAGE = (
    "We could not save that. Nothing was lost of what you saved before. Please try again in a few minutes."
)
READ_MESSAGE = (
    "We could not open this page just now. Nothing was lost of what you saved before. "
    "Please try again in a few minutes."
)

#: SQLite's primary result codes (the low byte of ``sqlite_errorcode``) for each cause.
SQLITE_CAUSES: dict[int, str] = {
    sqlite3.SQLITE_READONLY: "read-only",  # a read-only file, folder or file system; PRAGMA query_only
    sqlite3.SQLITE_FULL: "disk-full",  # no room for another page (the disk, or max_page_count)
    sqlite3.SQLITE_IOERR: "disk-full",  # a write the file system refused (ENOSPC, EFBIG)
    sqlite3.SQLITE_CANTOPEN: "unreachable",  # the file or its folder is gone or cannot be opened
    sqlite3.SQLITE_BUSY: "busy",  # another connection holds the write lock past the timeout
    sqlite3.SQLITE_LOCKED: "busy",
}

#: PostgreSQL's SQLSTATE codes (and two-character classes) for each cause.
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


def _driver_cause(error: BaseException) -> str | None:
    """The cause one driver exception names by its code, if it is one we answer with 503."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return SQLITE_CAUSES.get(code & 0xFF) if isinstance(code, int) else None
    if isinstance(error, psycopg.Error):
        sqlstate = error.sqlstate or error.diag.sqlstate
        if sqlstate is None:
            # The server sent no SQLSTATE: the client could not connect, or lost the connection.
            return "unreachable" if isinstance(error, psycopg.OperationalError) else None
        for cause, codes in CAUSE_SQLSTATES.items():
            if any(sqlstate == code or (len(code) == 2 and sqlstate.startswith(code)) for code in codes):
                return cause
    return None


def classify(error: BaseException | None) -> str | None:
    """The cause of a database error we answer with 503, or None for any other error. Django wraps the
    driver's exception (``__cause__``): its code decides."""
    if not isinstance(error, DatabaseError):
        return None
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        cause = _driver_cause(current)
        if cause is not None:
            return cause
        current = current.__cause__ or current.__context__
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
    """Whether a refusal should be the JSON envelope: the API, and any request that sends or asks for JSON."""
    if request.path.startswith("/api/") or (request.content_type or "") == "application/json":
        return True
    return "application/json" in request.headers.get("Accept", "")


def fault_response(request: HttpRequest, cause: str) -> HttpResponse:
    reading = request.method in ("GET", "HEAD")
    message = READ_MESSAGE if reading else SAVE_MESSAGE
    response: HttpResponse
    if wants_json(request):
        response = envelope(503, "unavailable", message)
    else:
        title = "This page cannot open just now" if reading else "We could not save that"
        page = render_to_string("503.html", {"title": title, "message": message})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_S)
        response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # report() wrote its one line; not Django too
    return response


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
    its ``process_exception`` then sees what the views raise (the API's too: its handler hands database
    errors on). A fault raised by another middleware (the session saved on the way out) reaches
    ``handler500`` (:func:`server_error`), which answers the same."""

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
    """``handler500``: a database fault outside a view is a 503 too; anything else a 500, in the
    envelope for JSON and Django's plain page otherwise."""
    error = sys.exc_info()[1]
    cause = classify(error)
    if cause is not None and error is not None:
        report(request, error, cause)
        return fault_response(request, cause)
    if wants_json(request):
        return envelope(
            500, "server_error", "Something went wrong on our side. Nothing was changed; try again."
        )
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
