"""The clinic creates a patient: Cleo adds Nora (name, date of birth, Riverside's own identifier, a
contact) from the clinic or the API and gets the code Nora joins with; Nora joins on her phone and is
that patient from then on."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.test import Client

from backhome.web.clinic.models import AuditEvent, Enrolment, Invitation
from backhome.web.patient.selectors import person_for_session
from tests.integration.api_helpers import assert_envelope, bearer, token_for
from tests.integration.clinic_people import Cast, cast

pytestmark = pytest.mark.django_db

NORA = {"name": "Nora Quinn", "birth_date": "1961-04-23", "clinic_ref": "RIV-0042", "contact": "07700 900456"}


@pytest.fixture
def people() -> Cast:
    return cast()


def add(people: Cast, **data: str) -> Any:
    return people.client("cleo").post("/clinic/patients/new/", {**NORA, **data})


def test_cleo_adds_nora_and_sees_the_code_she_joins_with(people: Cast) -> None:
    assert people.client("cleo").get("/clinic/patients/new/").status_code == 200
    response = add(people)
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(clinic=people.riverside, clinic_ref="RIV-0042")
    assert (enrolment.name, str(enrolment.birth_date), enrolment.contact) == (
        "Nora Quinn",
        "1961-04-23",
        "07700 900456",
    )
    assert enrolment.label == "Nora Quinn"
    invitation = Invitation.objects.get(patient=enrolment.person)
    assert response.url == f"/clinic/invitations/{invitation.pk}/"
    page = people.client("cleo").get(response.url).content.decode()
    assert invitation.code[:4] in page and "<svg" in page
    assert AuditEvent.objects.filter(
        person=enrolment.person, action="change", what="patient created by the clinic"
    ).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", " ", "Give the patient's name."),
        ("birth_date", "", "Give the patient's date of birth."),
        ("birth_date", "23/04/1961", "Give the date of birth as a date, e.g. 1961-04-23."),
        ("birth_date", "2020-01-01", "backhome is for people aged 16 or over."),
        ("clinic_ref", "", "Give the patient's patient identifier."),
    ],
)
def test_a_wrong_value_is_refused_at_its_field_and_nothing_is_saved(
    people: Cast, field: str, value: str, message: str
) -> None:
    response = add(people, **{field: value})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Enrolment.objects.filter(clinic_ref="RIV-0042").exists()
    assert not Invitation.objects.filter(patient__isnull=False).exists()


def test_the_clinics_identifier_is_unique_within_the_clinic_only(people: Cast) -> None:
    assert add(people).status_code == 302
    again = add(people, name="Someone Else")
    assert again.status_code == 400 and "Another patient of your clinic has this identifier." in (
        again.content.decode()
    )
    yusuf = people.client("yusuf").post("/clinic/patients/new/", NORA)
    assert yusuf.status_code == 302


def test_nora_joins_with_the_code_and_is_the_patient_cleo_created(people: Cast) -> None:
    add(people)
    enrolment = Enrolment.objects.get(clinic_ref="RIV-0042")
    invitation = Invitation.objects.get(patient=enrolment.person)
    phone = Client()
    assert phone.post("/clinic/join/", {"code": invitation.code}).status_code == 302
    joined = phone.post(f"/clinic/join/{invitation.token}/")
    assert joined.status_code == 302
    assert person_for_session(phone.session) == enrolment.person
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.used_by == enrolment.person
    assert Enrolment.objects.filter(clinic=people.riverside).count() == 2  # Dana and Nora, no other
    assert Client().post(f"/clinic/join/{invitation.token}/").status_code == 410


def test_the_api_creates_a_patient_with_201_and_the_join_code(people: Cast) -> None:
    headers = bearer(token_for(people.cleo, "clinic:read", "clinic:write", clinician=True))
    response = Client().post(
        "/api/v1/clinic/patients", json.dumps(NORA), content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    body = response.json()
    enrolment = Enrolment.objects.get(person_id=body["id"])
    assert enrolment.clinic == people.riverside and enrolment.clinic_ref == "RIV-0042"
    invitation = Invitation.objects.get(patient_id=body["id"])
    assert body["join_code"].replace("-", "") == invitation.code
    assert body["join_url"].endswith(f"/clinic/join/{invitation.token}/")
    again = Client().post(
        "/api/v1/clinic/patients", json.dumps(NORA), content_type="application/json", **headers
    )
    assert_envelope(again, 400, "invalid")


def test_the_api_needs_the_clinic_write_scope_to_create_a_patient(people: Cast) -> None:
    headers = bearer(token_for(people.cleo, "clinic:read", clinician=True))
    response = Client().post(
        "/api/v1/clinic/patients", json.dumps(NORA), content_type="application/json", **headers
    )
    assert_envelope(response, 403)
    assert not Enrolment.objects.filter(clinic_ref="RIV-0042").exists()
