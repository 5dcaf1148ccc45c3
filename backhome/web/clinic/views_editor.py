"""The programme editor's pages (thin: ``editor.py`` reads and writes; every view of a patient's data is
audited) and the patient's page of what their clinician changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from backhome.web.clinic import editor
from backhome.web.clinic.models import Membership, ProgrammeChange
from backhome.web.clinic.permissions import audit, patient_of_clinic, require_clinician
from backhome.web.clinic.services import ClinicError
from backhome.web.patient.models import Person
from backhome.web.patient.selectors import person_for_session

Action = Callable[[Membership, Person, QueryDict], ProgrammeChange]


def _membership(request: HttpRequest) -> Membership:
    return cast(Membership, request.membership)  # type: ignore[attr-defined]


def _page(
    request: HttpRequest,
    membership: Membership,
    person: Person,
    *,
    error: dict[str, Any] | None = None,
    saved: ProgrammeChange | None = None,
    status: int = 200,
) -> HttpResponse:
    page = editor.editor_page(membership, person)
    return render(
        request,
        "clinic/editor_programme.html",
        {
            "nav": "patients",
            "page": page,
            "error": error,
            "posted": request.POST if error else {},
            "saved": editor.change_text(saved) if saved is not None else "",
        },
        status=status,
    )


@require_GET
@require_clinician
def programme(request: HttpRequest, person_id: int) -> HttpResponse:
    membership = _membership(request)
    person = patient_of_clinic(membership, person_id)
    saved = None
    if request.GET.get("saved", "").isdigit():
        saved = ProgrammeChange.objects.filter(person=person, pk=int(request.GET["saved"])).first()
    audit(membership=membership, person=person, action="view", what="programme editor")
    return _page(request, membership, person, saved=saved)


def _target(form_id: str, field: str) -> str:
    """The id of the element the error summary links to: the field at fault, else its form."""
    if field in ("sets", "reps", "hold_s", "why"):
        return f"{form_id}-{field}"
    if field == "monitoring":
        return "monitoring-monitoring"
    return form_id


def _act(
    request: HttpRequest, person_id: int, form: Callable[[QueryDict], str], action: Action
) -> HttpResponse:
    """Run one editor service; on a mistake show the page again (400) with the message at its form."""
    membership = _membership(request)
    person = patient_of_clinic(membership, person_id)
    try:
        change = action(membership, person, request.POST)
    except ClinicError as problem:
        form_id = form(request.POST)
        error = {
            "form": form_id,
            "field": problem.field,
            "message": problem.message,
            "target": _target(form_id, problem.field),
        }
        return _page(request, membership, person, error=error, status=400)
    return redirect(reverse("clinic:programme", args=[person.pk]) + f"?saved={change.pk}")


@require_POST
@require_clinician
def programme_dose(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        lambda post: f"dose-{post.get('exercise', '')}",
        lambda m, p, post: editor.programme_dose_change(
            membership=m,
            person=p,
            exercise_id=post.get("exercise", ""),
            sets=post.get("sets"),
            reps=post.get("reps"),
            hold_s=post.get("hold_s"),
            why=post.get("why", ""),
        ),
    )


@require_POST
@require_clinician
def programme_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        lambda post: f"add-{post.get('exercise', '')}" if post.get("form") == "put-back" else "add-new",
        lambda m, p, post: editor.programme_exercise_add(
            membership=m, person=p, exercise_id=post.get("exercise", ""), why=post.get("why", "")
        ),
    )


@require_POST
@require_clinician
def programme_remove(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        lambda post: f"remove-{post.get('exercise', '')}",
        lambda m, p, post: editor.programme_exercise_remove(
            membership=m, person=p, exercise_id=post.get("exercise", ""), why=post.get("why", "")
        ),
    )


@require_POST
@require_clinician
def programme_monitoring(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        lambda post: "monitoring",
        lambda m, p, post: editor.care_monitoring_set(
            membership=m, person=p, monitoring=post.get("monitoring", ""), why=post.get("why", "")
        ),
    )


@require_POST
@require_clinician
def programme_clearance(request: HttpRequest, person_id: int) -> HttpResponse:
    def form(post: QueryDict) -> str:
        verb = "withdraw" if post.get("cleared") == "no" else "give"
        return f"{verb}-{post.get('rule', '')}"

    return _act(
        request,
        person_id,
        form,
        lambda m, p, post: editor.care_clearance_set(
            membership=m,
            person=p,
            rule=post.get("rule", ""),
            cleared=post.get("cleared") != "no",
            why=post.get("why", ""),
        ),
    )


@require_POST
@require_clinician
def programme_unlock(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        lambda post: "unlock",
        lambda m, p, post: editor.person_lock_lift(membership=m, person=p, why=post.get("why", "")),
    )


# --------------------------------------------------------------------------- the patient's side


@never_cache
@require_GET
def my_changes(request: HttpRequest) -> HttpResponse:
    """What the person's clinicians changed in their programme (their own, from their browser session);
    the unseen ones are shown as the card the plan page shows, then marked seen."""
    person = person_for_session(request.session)
    unseen = editor.changes_unseen(person)
    earlier = editor.changes_seen(person) if person is not None else []
    if person is not None and unseen:
        editor.changes_mark_seen(person=person)
    return render(request, "clinic/editor_changes.html", {"clinician_changes": unseen, "earlier": earlier})
