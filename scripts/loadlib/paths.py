"""Every URL the simulated patients use, in one table, and the kind of request each one is.

The generator builds its URLs from ``ROUTES`` (``path``), and both the generator's timings and the
server's access log are sorted into kinds by the same table (``kind_of``), so a moved endpoint is changed
here and nowhere else. A template's ``{name}`` stands for one path segment (an id, a step).
"""

from __future__ import annotations

import re

#: kind -> (method, path template). The kinds are also the rows of the report, in this order.
ROUTES: dict[str, tuple[str, str]] = {
    "home": ("GET", "/"),
    "screening start": ("GET", "/screening/"),
    "screening page": ("GET", "/screening/{step}/"),
    "screening step": ("POST", "/screening/{step}/"),
    "plan": ("GET", "/plan/"),
    "session page": ("GET", "/session/"),
    "session start": ("POST", "/api/v1/me/sessions"),
    "session log": ("POST", "/api/v1/me/sessions/{session}/logs"),
    "session recheck": ("POST", "/api/v1/me/sessions/{session}/logs/{log}/recheck"),
    "session finish": ("POST", "/api/v1/me/sessions/{session}/finish"),
    "session summary": ("GET", "/session/{session}/"),
    "check-in page": ("GET", "/check-in/"),
    "check-in": ("POST", "/check-in/"),
    "check-in result": ("GET", "/check-in/{checkin}/"),
}

#: The kinds that make up one part of a patient's day, for the CPU share of each part.
PARTS: dict[str, tuple[str, ...]] = {
    "screening": ("home", "screening start", "screening page", "screening step"),
    "plan": ("plan",),
    "session": (
        "session page",
        "session start",
        "session log",
        "session recheck",
        "session finish",
        "session summary",
    ),
    "check-in": ("check-in page", "check-in", "check-in result"),
}

#: The health check the load test polls while it waits for the server; not part of any journey.
HEALTH = "/healthz"


def path(kind: str, **values: str) -> str:
    """The URL of ``kind`` with its ``{name}`` segments filled in."""
    return ROUTES[kind][1].format(**values)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(body + r"\Z")


# Literal paths first, so that a literal segment is never taken for an id.
_MATCHERS = sorted(
    ((method, _pattern(template), kind) for kind, (method, template) in ROUTES.items()),
    key=lambda m: "[^/]+" in m[1].pattern,
)


def kind_of(method: str, url_path: str) -> str:
    """The kind of a request (``ROUTES``), ``"health"`` for the health check, else ``"other"``."""
    if url_path == HEALTH:
        return "health"
    for route_method, pattern, kind in _MATCHERS:
        if route_method == method and pattern.match(url_path):
            return kind
    return "other"
