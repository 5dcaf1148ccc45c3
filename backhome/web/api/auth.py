"""Who is calling: a personal access token (``Authorization: Bearer``) or the browser session.

A token carries its scopes; the browser session may do what its person may do (every scope, the clinic
ones only for a clinic's clinicians, who are checked on every clinic endpoint anyway). Tokens are not
cookies, so they skip CSRF; the browser session's writes need the CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from backhome.web.accounts import selectors as account_selectors
from backhome.web.accounts import services as account_services
from backhome.web.api import selectors, services
from backhome.web.api.models import AccessToken, Scope
from backhome.web.clinic.models import Membership
from backhome.web.clinic.permissions import CLINICIAN_IDLE_SECONDS, clinician_membership
from backhome.web.errors import NotAllowed
from backhome.web.patient.models import Person
from backhome.web.patient.selectors import person_for_session

ALL_SCOPES = frozenset(Scope.values)


@dataclass
class Caller:
    """The caller of one request: an account (None for a guest's browser), its person, its scopes, and
    for the clinic endpoints the clinician's membership."""

    user: Any
    person: Person | None
    scopes: frozenset[str]
    token: AccessToken | None = None
    membership: Membership | None = None


def _allowed(caller: Caller, scope: str) -> Caller:
    """The caller, if it may use an endpoint of ``scope``: 403 otherwise (before the body is read)."""
    if scope not in caller.scopes:
        raise AuthorizationError(message=f"This token does not have the '{scope}' scope.")
    if scope.startswith("clinic:"):
        caller.membership = clinician_membership(caller.user)
        if caller.membership is None:
            raise AuthorizationError(
                message=f"These endpoints ('{scope}') are for the clinicians of a clinic."
            )
    return caller


class BearerToken(HttpBearer):
    """``Authorization: Bearer bh_...``: a personal access token. A wrong one is refused at once (401)
    rather than falling back on the browser session."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        row = selectors.token_for_secret(token.strip())
        if row is None:
            raise AuthenticationError()
        services.token_mark_used(token=row)
        person = account_selectors.account_person(row.user) or account_services.account_person_ensure(
            user=row.user
        )
        return _allowed(
            Caller(user=row.user, person=person, scopes=frozenset(row.scopes), token=row), self.scope
        )


class BrowserSession(APIKeyCookie):
    """The site's own session cookie: a guest's person or a logged-in account (CSRF on writes)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, scope: str) -> None:
        super().__init__(csrf=True)
        self.scope = scope

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        """The session's caller, or None (then the answer is 401 with ``WWW-Authenticate``). A session
        that names someone must send the CSRF token with a write (403 without it): a cookie alone could
        come from another site's form."""
        user = request.user if request.user.is_authenticated else None
        person = person_for_session(request.session)
        if user is None and person is None:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request) is not None:
            raise NotAllowed("The request could not be checked: send the CSRF token in X-CSRFToken.")
        caller = _allowed(Caller(user=user, person=person, scopes=ALL_SCOPES), self.scope)
        if caller.membership is not None:
            request.session.set_expiry(CLINICIAN_IDLE_SECONDS)  # as every clinic page does
        return caller


def needs(scope: str) -> list[Any]:
    """The authentication of an endpoint of ``scope``: a token with that scope, or the browser session."""
    return [BearerToken(scope), BrowserSession(scope)]


def me(request: HttpRequest) -> Person:
    """The caller's own person (a guest's browser or an account's)."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    if caller.person is None:  # pragma: no cover - an account always has a person (made on first use)
        raise AuthenticationError()
    return caller.person


def clinician(request: HttpRequest) -> Membership:
    """The caller's active clinic membership (checked with the scope, before the view ran)."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    assert caller.membership is not None
    return caller.membership
