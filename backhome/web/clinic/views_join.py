"""The patient's side of joining a clinic: type an invitation's code or open its link, see which clinic
and what it will see, join; see and leave the clinic one is a patient of. These pages are the patient's
own: their person comes from their browser session, never from an id.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from backhome.web.clinic import services
from backhome.web.clinic.errors import InvitationError
from backhome.web.clinic.selectors import invitations as invitation_selectors
from backhome.web.patient import services as patient_services
from backhome.web.patient.selectors import person_for_session

#: The words of what a clinic sees once a person joins (the join page).
SHARED = (
    "your answers to the screening questions and the result",
    "your plan: the exercises and their doses",
    "your sessions: what you did, how each exercise went, and any time you stopped",
    "your pain scores and morning check-ins",
)


INVITATION_PROBLEMS = {
    "unknown": "We could not find this invitation. Check the code (8 letters and numbers) or ask your clinic "
    "for a new one.",
    "expired": "This invitation has expired. Ask your clinic for a new one.",
    "used": "This invitation has already been used. Ask your clinic for a new one.",
}


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Type an invitation code; see and leave the clinic the person is a patient of now."""
    person = person_for_session(request.session)
    enrolment = invitation_selectors.enrolment_of(person)
    error = ""
    code = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        found = invitation_selectors.invitation_by_code(services.normalise_code(code))
        try:
            services.invitation_check(found)
        except InvitationError as problem:
            error = INVITATION_PROBLEMS[problem.reason]
        else:
            assert found is not None
            return redirect("clinic:join_token", token=found.token)
    return render(
        request,
        "clinic/join.html",
        {
            "enrolment": enrolment,
            "error": error,
            "code": code,
            "left": request.GET.get("left") == "1",
            "joined": request.GET.get("joined") == "1" and enrolment is not None,
            "shared": SHARED,
        },
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def join_token(request: HttpRequest, token: str) -> HttpResponse:
    """Which clinic, what it will see, and "Join"."""
    found = invitation_selectors.invitation_by_token(token)
    person = person_for_session(request.session)
    enrolment = invitation_selectors.enrolment_of(person)
    try:
        services.invitation_check(found)
    except InvitationError as problem:
        status = 404 if problem.reason == "unknown" else 410
        return render(
            request,
            "clinic/join_invitation.html",
            {"problem": INVITATION_PROBLEMS[problem.reason], "enrolment": enrolment},
            status=status,
        )
    assert found is not None
    if request.method == "POST":
        if person is None:
            person = patient_services.person_get_or_create_for_session(session=request.session)
        try:
            services.enrolment_join(person=person, token=token)
        except InvitationError as problem:  # used or expired a moment ago
            return render(
                request,
                "clinic/join_invitation.html",
                {"problem": INVITATION_PROBLEMS[problem.reason], "enrolment": enrolment},
                status=410,
            )
        return redirect(reverse("clinic:join") + "?joined=1")
    return render(
        request,
        "clinic/join_invitation.html",
        {"invitation": found, "clinic": found.clinic, "enrolment": enrolment, "shared": SHARED},
    )


@never_cache
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    person = person_for_session(request.session)
    if person is not None:
        services.enrolment_leave(person=person)
    return redirect(reverse("clinic:join") + "?left=1")
