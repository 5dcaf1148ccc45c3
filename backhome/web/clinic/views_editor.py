"""The programme editor's pages (thin: ``editor.forms`` checks what is posted, ``editor.services`` writes,
``editor.page`` reads; every view of a patient's data is audited) and the patient's page of what their
clinician changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from backhome.web.clinic.editor import forms, services
from backhome.web.clinic.editor.changes import change_text, changes_seen, changes_unseen
from backhome.web.clinic.editor.page import editor_page
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.models import Membership, ProgrammeChange
from backhome.web.clinic.permissions import audit, membership_of, patient_of_clinic, require_clinician
from backhome.web.patient.models import Person
from backhome.web.patient.selectors import person_for_session

#: A service of the editor, called with the form's cleaned data.
Action = Callable[[Membership, Person, dict[str, Any]], ProgrammeChange]


def _page(
    request: HttpRequest,
    membership: Membership,
    person: Person,
    *,
    form: forms.EditorForm | None = None,
    saved: ProgrammeChange | None = None,
) -> HttpResponse:
    error = None
    if form is not None:
        field, message = form.first_error()
        error = {"form": form.html_id(), "field": field, "message": message, "target": form.error_target()}
    return render(
        request,
        "clinic/editor_programme.html",
        {
            "nav": "patients",
            "page": editor_page(membership, person),
            "error": error,
            "posted": form.data if form is not None else {},
            "saved": change_text(saved) if saved is not None else "",
        },
        status=400 if form is not None else 200,
    )


@require_GET
@require_clinician
def programme(request: HttpRequest, person_id: int) -> HttpResponse:
    membership = membership_of(request)
    person = patient_of_clinic(membership, person_id)
    saved = None
    wanted = request.GET.get("saved", "")
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:  # not "²", not 40 digits: no change's id
        saved = ProgrammeChange.objects.filter(person=person, pk=int(wanted)).first()
    audit(membership=membership, person=person, action="view", what="programme editor")
    return _page(request, membership, person, saved=saved)


def _act(
    request: HttpRequest, person_id: int, form_class: type[forms.EditorForm], action: Action
) -> HttpResponse:
    """Check the form and run one editor service; on a mistake (the form's or the service's refusal)
    show the page again (400) with the message at its form."""
    membership = membership_of(request)
    person = patient_of_clinic(membership, person_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            change = action(membership, person, form.cleaned_data)
        except ClinicError as problem:
            form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        else:
            return redirect(reverse("clinic:programme", args=[person.pk]) + f"?saved={change.pk}")
    return _page(request, membership, person, form=form)


@require_POST
@require_clinician
def programme_dose(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        forms.DoseForm,
        lambda m, p, data: services.programme_dose_change(
            membership=m,
            person=p,
            exercise_id=data["exercise"],
            sets=data["sets"],
            reps=data["reps"],
            hold_s=data["hold_s"],
            why=data["why"],
        ),
    )


@require_POST
@require_clinician
def programme_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        forms.AddForm,
        lambda m, p, data: services.programme_exercise_add(
            membership=m, person=p, exercise_id=data["exercise"], why=data["why"]
        ),
    )


@require_POST
@require_clinician
def programme_remove(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        forms.RemoveForm,
        lambda m, p, data: services.programme_exercise_remove(
            membership=m, person=p, exercise_id=data["exercise"], why=data["why"]
        ),
    )


@require_POST
@require_clinician
def programme_monitoring(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        forms.MonitoringForm,
        lambda m, p, data: services.care_monitoring_set(
            membership=m, person=p, monitoring=data["monitoring"], why=data["why"]
        ),
    )


@require_POST
@require_clinician
def programme_clearance(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        forms.ClearanceForm,
        lambda m, p, data: services.care_clearance_set(
            membership=m, person=p, rule=data["rule"], cleared=data["cleared"], why=data["why"]
        ),
    )


@require_POST
@require_clinician
def programme_unlock(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        forms.UnlockForm,
        lambda m, p, data: services.person_lock_lift(membership=m, person=p, why=data["why"]),
    )


# --------------------------------------------------------------------------- the patient's side


@never_cache
@require_GET
def my_changes(request: HttpRequest) -> HttpResponse:
    """What the person's clinicians changed in their programme (their own, from their browser session);
    the unseen ones are shown as the card the plan page shows, then marked seen."""
    person = person_for_session(request.session)
    unseen = changes_unseen(person)
    earlier = changes_seen(person) if person is not None else []
    if person is not None and unseen:
        services.changes_mark_seen(person=person)
    return render(request, "clinic/editor_changes.html", {"clinician_changes": unseen, "earlier": earlier})
