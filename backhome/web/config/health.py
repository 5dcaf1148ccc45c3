"""``/healthz``: a trivial view that answers "ok" without touching the database.

For a load balancer's health check, and the baseline of the web benchmark (``make bench``): the
throughput of the plan page and the session log is compared with this view's on the same server.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
