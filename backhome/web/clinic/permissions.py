"""Who may see which clinic page, and the audit trail of every look at a patient's data.

- ``require_clinician``: a logged-in user with an active membership of a clinic; anonymous visitors go to
  the login page, anyone else (a patient's account, the site admin) gets a 403 page.
- ``require_clinic_admin``: the same, and the membership's role is ``admin``.
- ``patient_of_clinic``: a person enrolled at the membership's clinic, or 404 (never 403: a clinician of
  one clinic must not learn who is a patient of another, or who exists at all).
- ``audit``: one ``AuditEvent`` per view, change or export of a patient's data. A clinic page that loads a
  patient (``patient_of_clinic``) and answers with anything but a redirect, a 404 or a one-line
  ``text/plain`` refusal, without having audited that patient itself (a form refused and the page shown
  again, 400), gets a "view" row from ``require_clinician``: every answer that shows a patient's data is
  audited, whatever its status.

A clinician's session ends after ``CLINICIAN_IDLE_SECONDS`` without a clinic page: every clinic page
re-arms the expiry (``request.session.set_expiry``), so the session cookie and the stored session both
lapse 30 minutes after the last one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from backhome.web.clinic.models import AuditEvent, Membership, Role
from backhome.web.patient.models import Person

#: A clinician's session lasts this long without a clinic page (30 minutes).
CLINICIAN_IDLE_SECONDS = 30 * 60

View = TypeVar("View", bound=Callable[..., HttpResponse])

#: During one clinic request: the patients it loaded, and those it audited (see ``require_clinician``).
_loaded: ContextVar[dict[int, Person] | None] = ContextVar("clinic_patients_loaded", default=None)
_audited: ContextVar[set[int] | None] = ContextVar("clinic_patients_audited", default=None)


def clinician_membership(user: Any) -> Membership | None:
    """The user's active membership (with its clinic), or None (anonymous, a patient, the site admin).

    A clinician belongs to one clinic in this version; if a user somehow has several active memberships,
    the oldest wins, so the answer is stable.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        Membership.objects.select_related("clinic", "user")
        .filter(user=user, active=True)
        .order_by("created_at", "pk")
        .first()
    )


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """The 403 page of the clinic pages (it names no patient and no clinic)."""
    response = render(
        request,
        "clinic/forbidden.html",
        {"message": message or "These pages are for the clinicians of a clinic that uses backhome."},
        status=403,
    )
    add_never_cache_headers(response)
    return response


def membership_of(request: HttpRequest) -> Membership:
    """The clinician's membership that ``require_clinician`` put on the request."""
    return cast(Membership, request.membership)  # type: ignore[attr-defined]  # set by require_clinician


def require_clinician(view: View) -> View:
    """Let only a clinic's active clinicians in; set ``request.membership``; never cache the page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        membership = clinician_membership(request.user)
        if membership is None:
            return forbidden(request)
        request.membership = membership  # type: ignore[attr-defined]  # HttpRequest's type has no such field
        request.session.set_expiry(CLINICIAN_IDLE_SECONDS)
        loaded_token = _loaded.set({})
        audited_token = _audited.set(set())
        try:
            response = view(request, *args, **kwargs)
            _audit_shown(request, membership, response)
        finally:
            _loaded.reset(loaded_token)
            _audited.reset(audited_token)
        add_never_cache_headers(response)
        return response

    return cast(View, wrapper)


def _shows_data(response: HttpResponse) -> bool:
    """Whether an answer may show a patient's data: anything but a redirect, a 404, and the one-line
    ``text/plain`` refusals of a query value (``until: give a date...``)."""
    if response.status_code in (301, 302, 303, 307, 308, 404):
        return False
    return not response.get("Content-Type", "").startswith("text/plain")


def _audit_shown(request: HttpRequest, membership: Membership, response: HttpResponse) -> None:
    """A "view" row for each patient the request loaded, showed and did not audit itself."""
    loaded, audited = _loaded.get() or {}, _audited.get() or set()
    if not _shows_data(response):
        return
    match = request.resolver_match
    page = (match.url_name or "page").replace("_", " ") if match is not None else "page"
    for pk, person in loaded.items():
        if pk not in audited:
            audit(
                membership=membership,
                person=person,
                action="view",
                what=f"{page}, answered {response.status_code}",
            )


def require_clinic_admin(view: View) -> View:
    """Let only a clinic admin in (a clinician with the ``admin`` role); other clinicians get 403."""

    @functools.wraps(view)
    def admin_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if membership_of(request).role != Role.ADMIN:
            return forbidden(request, "This page is for the clinic's admin.")
        return view(request, *args, **kwargs)

    return require_clinician(cast(View, admin_only))


def patient_of_clinic(membership: Membership, person_id: int | str) -> Person:
    """The person ``person_id`` if enrolled at the membership's clinic; else ``Http404``."""
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        raise Http404("no such patient") from None
    person = Person.objects.filter(pk=pk, enrolment__clinic_id=membership.clinic_id).first()
    if person is None:
        raise Http404("no such patient")
    loaded = _loaded.get()
    if loaded is not None:  # inside a clinic page: audited on the way out unless the view does it
        loaded[person.pk] = person
    return person


def audit(*, membership: Membership, person: Person | None, action: str, what: str) -> AuditEvent:
    """Record that the membership's clinician viewed, changed or exported ``person``'s data.

    ``action`` is one of ``AuditEvent.Action`` ("view", "change", "export"); ``what`` says what, in a few
    words ("patient page", "programme: dose of ext-prone-press-up"); it is cut to 200 characters.
    """
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    audited = _audited.get()
    if audited is not None and person is not None:
        audited.add(person.pk)
    with transaction.atomic():
        return AuditEvent.objects.create(
            clinic_id=membership.clinic_id,
            user_id=membership.user_id,
            person=person,
            action=action,
            what=what[:200],
        )
