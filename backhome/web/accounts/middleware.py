"""Keeps the browser's person equal to the logged-in account's person, on every request.

The patient pages find their person through the session (``patient.services.SESSION_KEY``). For a
logged-in account that key is set here from ``user.person`` before any view runs, so whatever the
session held (a guest's person, someone else's, a tampered value), a logged-in person only ever sees
their own data. A session that still names an account that no longer lets it in (deleted or made
inactive elsewhere) is emptied, so its person is not shown to whoever holds the browser now.

A guest's request costs no query here: the session is read anyway, and ``request.user`` of a session
with no login is known without the database.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.http import HttpRequest, HttpResponse

from backhome.web.accounts import selectors, services
from backhome.web.patient.services import SESSION_KEY


class AccountPersonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            person_id = selectors.account_person_id(user)
            if person_id is None:
                person_id = services.account_person_ensure(user=user).pk
            if request.session.get(SESSION_KEY) != person_id:
                request.session[SESSION_KEY] = person_id
        elif AUTH_SESSION_KEY in request.session:
            request.session.flush()
        return self.get_response(request)
