"""Download a person's record as a FHIR Bundle: the patient's own (the person of the browser's session,
never an id from the request) and a clinician's patient's (guarded and audited as the clinic's other
patient pages are). Thin: the Bundle comes from ``bundle.person_bundle``."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backhome.web.clinic.permissions import audit, patient_of_clinic, require_clinician
from backhome.web.fhir.bundle import FHIR_JSON, person_bundle
from backhome.web.http import ClinicianHttpRequest
from backhome.web.patient import selectors as patient_selectors


def fhir_download(bundle: dict[str, Any], filename: str) -> HttpResponse:
    """A Bundle as an ``application/fhir+json`` attachment."""
    response = HttpResponse(
        json.dumps(bundle, indent=2, ensure_ascii=False) + "\n", content_type=f"{FHIR_JSON}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@require_GET
def my_record(request: HttpRequest) -> HttpResponse:
    """The browser's person's record (404 before they have answered anything)."""
    person = patient_selectors.person_for_session(request.session)
    if person is None:
        return HttpResponse(
            "There is nothing to download yet: answer the questions first.",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    return fhir_download(
        person_bundle(person), f"backhome-my-record-{timezone.localdate():%Y-%m-%d}.fhir.json"
    )


@require_GET
@require_clinician
def clinic_patient_record(request: ClinicianHttpRequest, person_id: int) -> HttpResponse:
    """A patient of the clinician's clinic (404 for anyone else), audited as an export."""
    membership = request.membership
    person = patient_of_clinic(membership, person_id)
    bundle = person_bundle(person, for_clinic=True)
    audit(membership=membership, person=person, action="export", what="FHIR record (JSON)")
    return fhir_download(bundle, f"backhome-patient-{person.pk}-{timezone.localdate():%Y-%m-%d}.fhir.json")
