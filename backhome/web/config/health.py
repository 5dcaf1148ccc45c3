"""``/healthz``: "ok" for a load balancer, cheaply; 503 with a JSON reason when the database is in trouble.

Plain ``GET /healthz`` makes no query: it answers "ok" unless it can see a problem without one (a SQLite
file or folder that cannot be written, a disk with less than 1 MB free, or a database fault this process
met in the last minute, after which it asks the database again until the fault clears). It stays the
baseline of the web benchmark (``make bench``). ``GET /healthz?database=1`` always asks the database: can
it be reached, and written (SQLite: ``PRAGMA query_only`` and a write of the unchanged ``user_version``;
PostgreSQL: ``transaction_read_only`` and ``pg_is_in_recovery()``). A problem is answered with status 503
and ``{"status": "unavailable", "database": "<cause>", "reason": "<detail>"}``, where cause is
``read-only``, ``disk-full``, ``unreachable`` or ``busy`` (backhome/web/config/dberrors.py).

Anyone may call it, so the write is made at most once a minute (``WRITE_PROBE_SECONDS``) for the whole
installation (the shared cache holds when it was made); between writes the database is still asked
(reached, ``query_only``), without writing. A write that failed does not count: the next call tries again.
"""

from __future__ import annotations

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backhome.web.config import dberrors

#: The deep check writes to the database at most once in this many seconds.
WRITE_PROBE_SECONDS = 60
WRITE_PROBE_KEY = "healthz:write-probe"


def read_probe() -> tuple[str, str] | None:
    """Ask the database without writing: can it be reached, and is it switched to read-only?"""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only")
                if cursor.fetchone()[0]:
                    return "read-only", "PRAGMA query_only is on"
            else:
                cursor.execute("SELECT 1")
    except DatabaseError as error:
        return dberrors.classify(error) or "unreachable", " ".join(str(error).split())[:300]
    return None


def deep_state() -> tuple[str, str] | None:
    """The deep check: the full probe (with its write) once a minute, a read-only one in between."""
    cache = caches["shared"]
    if connection.vendor != "sqlite" or cache.add(WRITE_PROBE_KEY, True, WRITE_PROBE_SECONDS):
        problem = dberrors.database_state(deep=True)
        if problem is not None:
            cache.delete(WRITE_PROBE_KEY)  # nothing was written: the next call may try again
        return problem
    return dberrors.cheap_state() or read_probe()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    deep = request.GET.get("database", "") not in ("", "0")
    problem = deep_state() if deep else dberrors.database_state(deep=False)
    if problem is not None:
        cause, reason = problem
        response = JsonResponse({"status": "unavailable", "database": cause, "reason": reason}, status=503)
        response._has_been_logged = True  # type: ignore[attr-defined]  # polled every few seconds: no log flood
        return response
    if deep:
        return JsonResponse({"status": "ok", "database": "ok"})
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
