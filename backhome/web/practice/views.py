"""Thin views of the session player: its page and a session's summary.

The player's writes (start, log, re-check, finish) are endpoints of the JSON API
(``/api/v1/me/sessions...``, ``backhome.web.api.me_sessions``); the page gives the player their
addresses (``selectors.player_page``).
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET

from backhome.web.patient.selectors import person_for_session
from backhome.web.practice import selectors


@never_cache
@require_GET
@ensure_csrf_cookie
def player(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    page = selectors.player_page(person)
    if page.state == "locked":
        return redirect("patient:emergency")
    if page.state == "rescreen":
        return redirect("patient:screening_start")
    return render(
        request,
        "practice/player.html",
        {
            "page": page,
            "rows": selectors.check_rows(),
            "data": page.data,
            "light_words": selectors.LIGHT_WORDS,
            "checkin_url": reverse("progress:checkin"),
        },
    )


@never_cache
@require_GET
def summary(request: HttpRequest, session_id: UUID) -> HttpResponse:
    found = selectors.session_summary(person_for_session(request.session), session_id)
    if found is None:
        raise Http404("no such session")
    return render(
        request,
        "practice/summary.html",
        {
            "summary": found,
            "checkin_url": reverse("progress:checkin"),
            "today": timezone.localdate().isoformat(),
        },
    )


def queued_write(endpoint: str) -> Callable[..., HttpResponse]:
    """A write sent to the address the player used before its writes moved to the API.

    The player's offline outbox keeps each write with its address until the server has answered it
    (``static/practice/offline.js``), so a phone may send a write queued before an upgrade to its old
    address. The API's endpoint ``endpoint`` answers it: the same checks (its CSRF token included) and
    the same answer as at the new address, so nothing kept on a phone is lost (docs/web-session.md).
    """

    @csrf_exempt  # the endpoint checks the CSRF token itself, answering in the JSON envelope
    def view(request: HttpRequest, **ids: UUID) -> HttpResponse:
        match = resolve(reverse(f"api:{endpoint}", kwargs=ids))
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        return response

    return view
