"""The clinic creates a patient (thin: ``editor.patients`` writes): name, date of birth, the clinic's own
patient identifier and an optional contact; then the invitation page shows the code and QR code the
patient joins with. The clinician records the red-flag screen in clinic (the same questions; the core
decides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from backhome.web.clinic.editor import patients
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.models import Enrolment
from backhome.web.clinic.permissions import audit, membership_of, patient_of_clinic, require_clinician
from backhome.web.patient import questions
from backhome.web.patient.forms import StepForm

FIELDS = ("name", "birth_date", "clinic_ref", "contact")


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@require_clinician
def patient_new(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    error: dict[str, str] | None = None
    if request.method == "POST":
        posted = {f: str(request.POST.get(f, "")) for f in FIELDS}
        try:
            birth_date = _date(posted["birth_date"])
            if birth_date is None and posted["birth_date"].strip():
                raise ClinicError("birth_date", "Give the date of birth as a date, e.g. 1961-04-23.")
            _, invitation = patients.patient_create(
                membership=membership,
                name=posted["name"],
                birth_date=birth_date,
                clinic_ref=posted["clinic_ref"],
                contact=posted["contact"],
            )
        except ClinicError as problem:
            error = {"field": problem.field, "message": problem.message}
        else:
            return redirect("clinic:invitation", invitation_id=invitation.pk)
    return render(
        request,
        "clinic/patient_new.html",
        {"nav": "patients", "error": error, "posted": request.POST if error else {}},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@require_clinician
def screen(request: HttpRequest, person_id: int) -> HttpResponse:
    """The in-clinic screen: every question of the self-screen on one page, answered by the clinician
    with the patient; the core decides; then the programme editor (which prescribes only on a refer or
    proceed result)."""
    membership = membership_of(request)
    person = patient_of_clinic(membership, person_id)
    steps = questions.screening().steps
    bound = request.method == "POST"
    step_forms = [(step, StepForm(step, request.POST) if bound else StepForm(step)) for step in steps]
    error = ""
    if bound:
        # A step asked only after a yes (``only_if``) counts only when that yes was given, as in the
        # self-screen; its fields are not checked otherwise.
        given: dict[str, Any] = {}
        answered: list[tuple[str, dict[str, Any]]] = []
        complete = True
        for number, (step, form) in enumerate(step_forms):
            if not questions.applies(step, given):
                step_forms[number] = (step, StepForm(step))
                continue
            if form.is_valid():
                given.update(form.answers())
                answered.append((step.id, dict(form.answers())))
            else:
                complete = False
        if complete:
            try:
                patients.screening_in_clinic(membership=membership, person=person, steps=answered)
            except ClinicError as problem:
                error = problem.message
            else:
                return redirect("clinic:programme", person_id=person.pk)
        else:
            error = "Some questions are not answered: each is marked below."
    else:
        audit(membership=membership, person=person, action="view", what="screening in clinic")
    enrolment = Enrolment.objects.filter(person=person).only("label").first()
    return render(
        request,
        "clinic/patient_screen.html",
        {
            "nav": "patients",
            "person": person,
            "label": (enrolment.label if enrolment is not None else "") or f"Patient {person.pk}",
            "steps": [(step, form.rows()) for step, form in step_forms],
            "error": error,
        },
        status=400 if error else 200,
    )
