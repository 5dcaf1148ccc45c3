"""Downloading a record as FHIR: the patient's own from their data page (the person of the browser's
session only), and a clinician's patient's from the patient page (guarded like the clinic's other patient
pages, and audited as an export)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from backhome.web.clinic.models import AuditEvent
from backhome.web.patient.models import Person
from tests.integration.clinic_people import PERSONAS, cast
from tests.integration.fhir_checks import of_type, validated
from tests.integration.people import client_for, person_with_plan
from tests.integration.permission_matrix import clinician_page, outcome

pytestmark = pytest.mark.django_db

MY_RECORD = "/account/data/fhir.json"


def test_a_person_downloads_their_own_record_as_an_fhir_json_attachment() -> None:
    dana, _ = person_with_plan()
    response = client_for(dana).get(MY_RECORD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="backhome-my-record-')
    assert response["Content-Disposition"].endswith('.fhir.json"')
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    bundle = validated(json.loads(response.content))
    [patient] = of_type(bundle, "Patient")
    assert patient["identifier"][0]["value"] == str(dana.pk)
    assert of_type(bundle, "CarePlan")


def test_the_record_is_the_sessions_person_whatever_the_address_asks_for() -> None:
    dana, _ = person_with_plan()
    walt = Person.objects.create()
    response = client_for(walt).get(f"{MY_RECORD}?person={dana.pk}")
    [patient] = of_type(validated(json.loads(response.content)), "Patient")
    assert patient["identifier"][0]["value"] == str(walt.pk)


def test_a_browser_with_no_person_has_nothing_to_download() -> None:
    response = Client().get(MY_RECORD)
    assert response.status_code == 404
    assert b"answer the questions first" in response.content


def test_only_get_is_allowed() -> None:
    dana, _ = person_with_plan()
    assert client_for(dana).post(MY_RECORD).status_code == 405


def test_the_data_page_links_to_the_fhir_download_next_to_the_json_one() -> None:
    dana, _ = person_with_plan()
    page = client_for(dana).get("/account/").content.decode()
    assert 'href="/account/download/"' in page
    assert f'id="download-fhir" href="{MY_RECORD}"' in page
    assert "Download as FHIR (for health records)" in page
    assert 'id="download-fhir"' not in Client().get("/account/").content.decode()


def test_who_may_download_a_clinic_patients_record() -> None:
    people = cast()
    expected = clinician_page(cleo="ok", yusuf=404, ada="ok")
    got = {}
    for persona in PERSONAS:
        got[persona] = outcome(people.client(persona).get(f"/clinic/patients/{people.dana.pk}/fhir.json"))
    assert got == expected
    assert people.client("cleo").get("/clinic/patients/999999/fhir.json").status_code == 404


def test_a_clinicians_download_is_the_patients_bundle_and_is_audited_as_an_export() -> None:
    people = cast()
    response = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/fhir.json")
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="backhome-patient-{people.dana.pk}-'
    )
    [patient] = of_type(validated(json.loads(response.content)), "Patient")
    assert patient["identifier"][0]["value"] == str(people.dana.pk)
    [event] = AuditEvent.objects.filter(person=people.dana, action=AuditEvent.Action.EXPORT)
    assert (event.user_id, event.clinic_id, event.what) == (
        people.cleo.pk,
        people.riverside.pk,
        "FHIR record (JSON)",
    )


def test_a_refused_download_is_not_audited() -> None:
    people = cast()
    people.client("yusuf").get(f"/clinic/patients/{people.dana.pk}/fhir.json")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_clinic_patient_page_links_to_the_fhir_download() -> None:
    people = cast()
    page = people.client("cleo").get(f"/clinic/patients/{people.dana.pk}/").content.decode()
    assert f'href="/clinic/patients/{people.dana.pk}/fhir.json"' in page
