"""Who may see which clinic page, and the audit trail of every look at a patient's data.

- ``require_clinician``: a logged-in user with an active membership of a clinic; anonymous visitors go to
  the login page, anyone else (a patient's account, the site admin) gets a 403 page.
- ``require_clinic_admin``: the same, and the membership's role is ``admin``.
- ``patient_of_clinic``: a person enrolled at the membership's clinic, or 404 (never 403: a clinician of
  one clinic must not learn who is a patient of another, or who exists at all).
- ``audit``: one ``AuditEvent`` per view, change or export of a patient's data.

A clinician's session ends after ``CLINICIAN_IDLE_SECONDS`` without a clinic page: every clinic page
re-arms the expiry (``request.session.set_expiry``), so the session cookie and the stored session both
lapse 30 minutes after the last one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
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
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return cast(View, wrapper)


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
    return person


def audit(*, membership: Membership, person: Person | None, action: str, what: str) -> AuditEvent:
    """Record that the membership's clinician viewed, changed or exported ``person``'s data.

    ``action`` is one of ``AuditEvent.Action`` ("view", "change", "export"); ``what`` says what, in a few
    words ("patient page", "programme: dose of ext-prone-press-up"); it is cut to 200 characters.
    """
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    with transaction.atomic():
        return AuditEvent.objects.create(
            clinic_id=membership.clinic_id,
            user_id=membership.user_id,
            person=person,
            action=action,
            what=what[:200],
        )
