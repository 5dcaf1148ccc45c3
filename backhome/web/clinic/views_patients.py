"""The clinic creates a patient (thin: ``editor.patients`` writes): name, date of birth, the clinic's own
patient identifier and an optional contact; then the invitation page shows the code and QR code the
patient joins with."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from backhome.web.clinic.editor import patients
from backhome.web.clinic.errors import ClinicError
from backhome.web.clinic.permissions import membership_of, require_clinician

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
