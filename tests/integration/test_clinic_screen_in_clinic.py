"""The in-clinic screen: Cleo creates Nora, answers the self-screen's questions with her in clinic (Dana's
answers), the core decides, and Cleo can build the programme; Nora joins and her plan is waiting without
the self-screen. An answer with a red flag gives no programme, as on the patient's side."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backhome.web.clinic.models import AuditEvent, Enrolment, Invitation
from backhome.web.patient import questions
from backhome.web.patient.models import Screening
from backhome.web.progress.selectors import current_programme
from tests.integration.clinic_people import Cast, cast
from tests.integration.people import DANA_WEB
from tests.integration.screening_helpers import flat, step_data

pytestmark = pytest.mark.django_db

NORA = {"name": "Nora Quinn", "birth_date": "1961-04-23", "clinic_ref": "RIV-0042"}


@pytest.fixture
def people() -> Cast:
    return cast()


def nora(people: Cast) -> Any:
    people.client("cleo").post("/clinic/patients/new/", NORA)
    return Enrolment.objects.get(clinic_ref="RIV-0042").person


def every_answer(doc: dict[str, Any]) -> dict[str, str]:
    answers = flat(doc)
    data: dict[str, str] = {}
    for step in questions.screening().steps:
        data.update(step_data(step, answers))
    return data


def test_cleo_screens_nora_in_clinic_the_core_decides_and_the_editor_can_build(people: Cast) -> None:
    person = nora(people)
    cleo = people.client("cleo")
    page = cleo.get(f"/clinic/patients/{person.pk}/screen/").content.decode()
    assert "Screen Nora Quinn in clinic" in page
    response = cleo.post(f"/clinic/patients/{person.pk}/screen/", every_answer(DANA_WEB))
    assert response.status_code == 302 and response.url == f"/clinic/patients/{person.pk}/programme/"
    screening = Screening.objects.get(person=person)
    assert screening.tier == "proceed" and screening.decided_at is not None
    programme = current_programme(person)
    assert programme is not None and programme.items
    assert AuditEvent.objects.filter(person=person, what="screening in clinic: proceed").exists()

    invitation = Invitation.objects.get(patient=person)
    phone = Client()
    phone.post(f"/clinic/join/{invitation.token}/")
    plan = phone.get("/plan/")
    assert plan.status_code == 200, plan.status_code
    assert "Prone press-up" in plan.content.decode()


def test_a_missing_answer_decides_nothing(people: Cast) -> None:
    person = nora(people)
    data = every_answer(DANA_WEB)
    data.pop(next(iter(data)))
    response = people.client("cleo").post(f"/clinic/patients/{person.pk}/screen/", data)
    assert response.status_code == 400
    assert not Screening.objects.filter(person=person, decided_at__isnull=False).exists()


def test_a_red_flag_in_clinic_gives_no_programme(people: Cast) -> None:
    person = nora(people)
    doc = {**DANA_WEB, "symptoms": {**DANA_WEB["symptoms"], "saddle_numbness": True}}
    response = people.client("cleo").post(f"/clinic/patients/{person.pk}/screen/", every_answer(doc))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.locked
    assert current_programme(person) is None or not current_programme(person).items
    page = people.client("cleo").get(f"/clinic/patients/{person.pk}/programme/").content.decode()
    assert 'id="add-new"' not in page and 'id="override"' not in page
