"""Headers Django does not set by itself: a Content-Security-Policy without 'unsafe-inline'.

Each response gets a fresh nonce for styles (``request.csp_nonce``): the exercise pictures are inline
SVG with their own ``<style>`` (the animation), and only elements that carry this response's nonce may
style the page. Nothing else inline runs or styles.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from backhome.web.http import NoncedHttpRequest


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
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Template context: ``csp_nonce`` for the inline exercise pictures."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
