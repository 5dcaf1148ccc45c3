"""Headers Django does not set by itself: a Content-Security-Policy without 'unsafe-inline'.

Each response gets a fresh nonce for styles (``request.csp_nonce``): the exercise pictures are inline
SVG with their own ``<style>`` (the animation), and only elements that carry this response's nonce may
style the page. Nothing else inline runs or styles.

The camera is off everywhere (``Permissions-Policy: camera=()``) except on the session player (its camera
coach, docs/camera-coach.md): there ``camera=(self)``, and that page and the coach's own scripts may
compile WebAssembly (``'wasm-unsafe-eval'``: the pose model; it still allows no ``eval``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from backhome.web.http import NoncedHttpRequest

#: The camera coach's static scripts (its worker compiles the pose model's WebAssembly).
COACH_STATIC = f"{settings.STATIC_URL}practice/coach/"


#: The pages that may use the camera, by URL name.
CAMERA_VIEWS = frozenset({"practice:player"})


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: NoncedHttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
        )
        permissions = settings.PERMISSIONS_POLICY
        camera = getattr(request.resolver_match, "view_name", None) in CAMERA_VIEWS
        if camera or request.path.startswith(COACH_STATIC):
            policy = policy.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
        if camera:
            permissions = permissions.replace("camera=()", "camera=(self)")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", permissions)
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Template context: ``csp_nonce`` for the inline exercise pictures."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
