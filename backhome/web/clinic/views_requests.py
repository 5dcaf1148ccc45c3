"""Screen requests: the patient's form and thank-you page, and the clinic's inbox (thin: ``requests.py``
reads and writes). The patient's pages act only on the browser's own person."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backhome.web.clinic import requests as screen_requests
from backhome.web.clinic.errors import ClinicError, NotAtClinic
from backhome.web.clinic.models import ScreenRequest
from backhome.web.clinic.permissions import audit, membership_of, require_clinician
from backhome.web.patient.selectors import clinic as referral_clinic
from backhome.web.patient.selectors import person_for_session

#: The session key of the last request this browser sent (its thank-you page shows it).
SESSION_KEY = "backhome_screen_request"
#: The order in which the status form offers the statuses.
STATUSES = (ScreenRequest.Status.NEW, ScreenRequest.Status.CONTACTED, ScreenRequest.Status.BOOKED)


# --------------------------------------------------------------------------- the patient's side


@never_cache
@require_http_methods(["GET", "POST"])
def request_screen(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    own_clinic = screen_requests.clinic_of(person)
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        try:
            sent, _ = screen_requests.screen_request_submit(
                person=person,
                id=post.get("request_id", ""),
                clinic_id=post.get("clinic", ""),
                name=post.get("name", ""),
                phone=post.get("phone", ""),
                email=post.get("email", ""),
                preferred_times=post.get("preferred_times", ""),
                share_summary=post.get("share_summary") == "yes",
                inbox_url=request.build_absolute_uri(reverse("clinic:requests")),
            )
        except screen_requests.RequestInvalid as problem:
            errors = problem.errors
        else:
            request.session[SESSION_KEY] = str(sent.pk)
            return redirect("clinic:request_screen_sent")
    return render(
        request,
        "clinic/requests_form.html",
        {
            "own_clinic": own_clinic,
            "clinics": [] if own_clinic is not None else screen_requests.clinics_to_choose(),
            "has_result": screen_requests.has_result(person),
            "referral": referral_clinic(),
            "errors": errors,
            "posted": request.POST if errors else {},
            # A new id for a new form; the same one again when the form comes back with mistakes.
            "request_id": request.POST.get("request_id") if errors else str(uuid.uuid4()),
        },
        status=400 if errors else 200,
    )


@never_cache
@require_GET
def request_screen_sent(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    sent = screen_requests.request_of_person(person, request.session.get(SESSION_KEY))
    if sent is None:
        return redirect("clinic:request_screen")
    return render(request, "clinic/requests_sent.html", {"sent": sent})


# --------------------------------------------------------------------------- the clinic's inbox


@require_GET
@require_clinician
def inbox(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    status = request.GET.get("status", "")
    if status and status not in ScreenRequest.Status.values:
        return render(
            request,
            "clinic/error.html",
            {
                "title": "Check the filter",
                "error": ClinicError("status", "Choose new, contacted or booked."),
                "back": reverse("clinic:requests"),
                "nav": "requests",
            },
            status=400,
        )
    lines = screen_requests.requests_inbox(membership.clinic_id, status=status or None)
    audit(
        membership=membership,
        person=None,
        action="view",
        what="screen requests" + (f", {status}" if status else ""),
    )
    return render(
        request,
        "clinic/requests_inbox.html",
        {"nav": "requests", "lines": lines, "status": status, "statuses": STATUSES},
    )


@require_POST
@require_clinician
def set_status(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    membership = membership_of(request)
    try:
        screen_requests.screen_request_set_status(
            membership=membership, request_id=request_id, status=request.POST.get("status", "")
        )
    except NotAtClinic:
        raise Http404("no such request") from None
    except ClinicError as problem:
        return render(
            request,
            "clinic/error.html",
            {
                "title": "Nothing was changed",
                "error": problem,
                "back": reverse("clinic:requests"),
                "nav": "requests",
            },
            status=400,
        )
    return redirect(reverse("clinic:requests") + f"#request-{request_id}")
