"""Request types for views whose request carries more than Django's ``HttpRequest`` declares.

Annotate a view's ``request`` with one of these when a decorator or middleware has already made the
promise true: mypy then knows ``request.user`` is an account, or that ``request.membership`` exists,
without a cast or a ``type: ignore`` in every view. They are plain subclasses for the type checker;
Django still passes its own ``HttpRequest`` (``WSGIRequest``) at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:  # models need the app registry; annotations only name them
    from django.contrib.auth.models import User

    from backhome.web.clinic.models import Membership


class AuthenticatedHttpRequest(HttpRequest):
    """A request of a logged-in account (after ``login_required`` or a check of ``is_authenticated``)."""

    user: User


class ClinicianHttpRequest(AuthenticatedHttpRequest):
    """A request let in by ``clinic.permissions.require_clinician``: the clinician's active membership."""

    membership: Membership


class NoncedHttpRequest(HttpRequest):
    """A request that has passed ``ContentSecurityPolicyMiddleware``: this response's style nonce."""

    csp_nonce: str
