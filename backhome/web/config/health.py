"""``/healthz``: "ok" for a load balancer, cheaply; 503 with a JSON reason when the database is in trouble.

Plain ``GET /healthz`` makes no query: it answers "ok" unless it can see a problem without one (a SQLite
file or folder that cannot be written, a disk with less than 1 MB free, or a database fault this process
met in the last minute, after which it asks the database again until the fault clears). It stays the
baseline of the web benchmark (``make bench``). ``GET /healthz?database=1`` always asks the database: can
it be reached, and written (SQLite: ``PRAGMA query_only`` and a write of the unchanged ``user_version``;
PostgreSQL: ``transaction_read_only`` and ``pg_is_in_recovery()``). A problem is answered with status 503
and ``{"status": "unavailable", "database": "<cause>", "reason": "<detail>"}``, where cause is
``read-only``, ``disk-full``, ``unreachable`` or ``busy`` (backhome/web/config/dberrors.py).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backhome.web.config import dberrors


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    deep = request.GET.get("database", "") not in ("", "0")
    problem = dberrors.database_state(deep=deep)
    if problem is not None:
        cause, reason = problem
        response = JsonResponse({"status": "unavailable", "database": cause, "reason": reason}, status=503)
        response._has_been_logged = True  # type: ignore[attr-defined]  # polled every few seconds: no log flood
        return response
    if deep:
        return JsonResponse({"status": "ok", "database": "ok"})
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
