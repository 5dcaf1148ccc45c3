"""Thin views of the session player: the page, the summary, and four JSON endpoints.

The JSON endpoints read the person from the browser session, parse the body strictly (``api``), call
one service and answer with what was stored (``selectors``). Refusals use one envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from backhome.core.model import PainCheck
from backhome.web.patient.selectors import person_for_session, person_ref_for_session
from backhome.web.practice import api, selectors, services

View = Callable[..., HttpResponse]


def json_endpoint(view: View) -> View:
    """POST only, CSRF token in the ``X-CSRFToken`` header, every refusal in the JSON envelope."""

    @wraps(view)
    def inner(request: HttpRequest, *args: str, **kwargs: str) -> HttpResponse:
        if request.method != "POST":
            response = api.error_response(api.ApiError(405, "method_not_allowed", "Use POST."))
            response["Allow"] = "POST"
            return response
        try:
            return view(request, *args, **kwargs)
        except api.ApiError as error:
            return api.error_response(error)

    # Django's own CSRF refusal is an HTML page: the same check runs inside, answering in JSON.
    return csrf_exempt(api.no_store(api.json_csrf_protect(inner)))


def _check(body: api.BeforeCheck | api.AfterCheck) -> PainCheck:
    weakness = body.weakness if isinstance(body, api.AfterCheck) else False
    return PainCheck(body.back, body.leg, body.zone, body.numbness, weakness, body.red_flag)


# --------------------------------------------------------------------------- pages


def _checkin_url() -> str:
    """The morning check-in (another app's page; its plain address until its URL name exists)."""
    try:
        return reverse("progress:checkin")
    except NoReverseMatch:
        return "/check-in/"


@never_cache
@require_GET
@ensure_csrf_cookie
@gzip_page
def player(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    page = selectors.player_page(person)
    if page.state == "locked":
        return redirect("patient:emergency")
    return render(
        request,
        "practice/player.html",
        {
            "page": page,
            "rows": selectors.check_rows(),
            "data": page.data,
            "light_words": selectors.LIGHT_WORDS,
            "checkin_url": _checkin_url(),
        },
    )


@never_cache
@require_GET
@gzip_page
def summary(request: HttpRequest, session_id: str) -> HttpResponse:
    try:
        key = UUID(session_id)
    except ValueError:
        raise Http404("no such session") from None
    found = selectors.session_summary(person_for_session(request.session), key)
    if found is None:
        raise Http404("no such session")
    return render(
        request,
        "practice/summary.html",
        {"summary": found, "checkin_url": _checkin_url(), "today": timezone.localdate().isoformat()},
    )


# --------------------------------------------------------------------------- JSON


@json_endpoint
def start(request: HttpRequest) -> HttpResponse:
    body = api.parse(request, api.StartBody)
    session, created = services.session_start(
        person=person_for_session(request.session), id=body.id, before=_check(body.before)
    )
    return JsonResponse(selectors.session_json(session), status=201 if created else 200)


@json_endpoint
def log(request: HttpRequest, session_id: str) -> HttpResponse:
    key = api.path_uuid(session_id)
    body = api.parse(request, api.LogBody)
    api.log_fields(body)
    entry, created = services.log_record(
        # log_record reads the person's session with their id: the person's own row is not needed
        person=person_ref_for_session(request.session),
        session_id=key,
        id=body.id,
        position=body.position,
        sets_done=body.sets_done,
        skipped=body.skipped,
        it_hurts=body.it_hurts,
        after=_check(body.after) if body.after is not None else None,
    )
    # A new log is the session's latest: as many exercises are recorded as its position says.
    logged = entry.position if created else None
    return JsonResponse(selectors.log_json(entry, logged=logged), status=201 if created else 200)


@json_endpoint
def recheck(request: HttpRequest, session_id: str, log_id: str) -> HttpResponse:
    key, log_key = api.path_uuid(session_id), api.path_uuid(log_id)
    body = api.parse(request, api.RecheckBody)
    entry, _ = services.log_recheck(
        person=person_for_session(request.session), session_id=key, log_id=log_key, settled=body.settled
    )
    return JsonResponse(selectors.log_json(entry))


@json_endpoint
def finish(request: HttpRequest, session_id: str) -> HttpResponse:
    key = api.path_uuid(session_id)
    api.parse(request, api.FinishBody)
    session, _ = services.session_finish(person=person_for_session(request.session), session_id=key)
    return JsonResponse(selectors.session_json(session))
