"""Who the client is (behind a reverse proxy too), and limits on what anonymous clients may repeat.

:func:`client_address` is the one place the client's address is read: the login limits (django-axes,
``AXES_CLIENT_IP_CALLABLE``), the limits below, and the public triage's limit use it. Without a trusted
proxy it is the connection's address (``REMOTE_ADDR``). When the connection comes from one of
``BACKHOME_TRUSTED_PROXIES`` (addresses or networks, e.g. ``127.0.0.1,10.0.0.0/8``), it is the right-most
address of ``X-Forwarded-For`` that is not itself a trusted proxy: each proxy appends the address it was
reached from, so everything left of the last untrusted one could have been written by the client.

:class:`RateLimitMiddleware` counts, per client address, the requests of a few views that an anonymous
client could repeat to guess or to flood (``RATE_LIMITS`` in the settings): password reset emails, sign-ups,
new guests starting the questions, screen requests to a clinic, and invitation codes and links. Past the
limit the answer is 429 with ``Retry-After`` and a page that says when to try again. The counts are kept
in the ``shared`` cache, which every worker process reads (fixed windows: ``N`` requests per period).
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

PERIODS = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600, "day": 86400, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/h"`` as (10, 3600): how many requests in how many seconds."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*", rate.lower())
    if found is None or found.group(3) not in PERIODS:
        raise ValueError(f"not a rate: {rate!r} (like 10/h; s, min, h or day)")
    return int(found.group(1)), int(found.group(2) or 1) * PERIODS[found.group(3)]


def trusted_networks(value: str) -> list[Network]:
    """``BACKHOME_TRUSTED_PROXIES`` read: comma-separated addresses or networks."""
    return [ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip()]


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or behind a trusted proxy the one it was forwarded for."""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    networks: list[Network] = settings.TRUSTED_PROXIES
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = [item.strip() for item in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for address in reversed([item for item in forwarded if item]):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # a made-up value where an address should be: count the proxy's
    return remote


def hit(scope: str, ident: str, rate: str, *, now: float | None = None) -> int | None:
    """Count one request of ``ident`` in ``scope``; None if it is within ``rate``, else the seconds until
    the window ends (for ``Retry-After``)."""
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    key = f"limit:{scope}:{window}:{ident}"
    cache = caches["shared"]
    if cache.add(key, 1, period):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, period)
            count = 1
    if count <= limit:
        return None
    return max(1, int((window + 1) * period - now))


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, (retry_after + 59) // 60)
    response = render(request, "accounts/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _new_guest(request: HttpRequest) -> bool:
    from backhome.web.patient.services import SESSION_KEY

    return request.method == "POST" and not request.session.get(SESSION_KEY)


#: Which requests each limit counts (URL name -> the limit's name in RATE_LIMITS, and which requests).
COUNTED: dict[str, tuple[str, Callable[[HttpRequest], bool]]] = {
    "accounts:password_reset": ("password_reset", lambda r: r.method == "POST"),
    "accounts:signup": ("signup", lambda r: r.method == "POST"),
    "patient:screening_step": ("guest", _new_guest),
    "clinic:request_screen": ("screen_request", lambda r: r.method == "POST"),
    "clinic:join": ("join", lambda r: r.method == "POST"),
    "clinic:join_token": ("join", lambda r: True),
}


class RateLimitMiddleware:
    """The limits of ``COUNTED``, before the view runs (after the session and the login are known)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        counted = COUNTED.get(match.view_name) if match is not None else None
        if counted is None or not counted[1](request):
            return None
        name = counted[0]
        retry_after = hit(name, client_address(request), settings.RATE_LIMITS[name])
        return None if retry_after is None else too_many(request, retry_after)
