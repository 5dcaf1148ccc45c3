"""A person whose risk answers (STarT Back) come out high sees on their result page, not folded away,
what that means in plain words, a short piece on pain and movement, and a way to get matched care that
works: their clinic's contact, or how to find a physical therapist, never a page saying no clinic takes
requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from backhome.web.clinic.models import Clinic, Enrolment
from backhome.web.patient.models import Person
from tests.builders import DANA, intake_doc
from tests.integration.people import DANA_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

HIGH_RISK = {"agree": [True] * 8, "bothersome": "extremely"}
WORRIED_DANA = intake_doc(DANA, startback=HIGH_RISK)


def _result_page(doc: dict[str, Any]) -> tuple[str, Person]:
    person, _ = person_with_plan(doc)
    response = client_for(person).get("/plan/", follow=True)
    assert response.status_code == 200
    return response.content.decode(), person


def test_a_high_worry_score_is_explained_on_the_result_page_outside_any_folded_list() -> None:
    page, _ = _result_page(WORRIED_DANA)
    assert 'id="worry"' in page
    worry = page.split('id="worry"', 1)[1].split("</section>", 1)[0]
    assert "the pain is weighing on you" in worry
    assert "hurting does not always mean harm" in worry  # a piece on pain and movement
    assert "SB-04" not in worry and "STarT" not in worry
    before = page.split('id="worry"', 1)[0]
    assert before.count("<details") == before.count("</details>")  # not inside a folded detail


def test_without_a_clinic_the_worried_person_is_told_how_to_find_a_physical_therapist() -> None:
    page, _ = _result_page(WORRIED_DANA)
    worry = page.split('id="worry"', 1)[1].split("</section>", 1)[0]
    assert "ask your doctor to refer you to a physical therapist" in worry
    assert reverse("clinic:request_screen") not in worry  # its page would say no clinic takes requests


def test_a_worried_person_enrolled_at_a_clinic_gets_its_phone_number_and_a_request_link() -> None:
    _, person = _result_page(WORRIED_DANA)
    clinic = Clinic.objects.create(name="Riverside", phone="+1 555 0199")
    Enrolment.objects.create(person=person, clinic=clinic)
    page = client_for(person).get("/plan/", follow=True).content.decode()
    worry = page.split('id="worry"', 1)[1].split("</section>", 1)[0]
    assert 'href="tel:+1 555 0199"' in worry
    assert "Ask a physical therapist to contact you" in worry


def test_a_calm_person_sees_no_worry_section() -> None:
    page, _ = _result_page(DANA_WEB)
    assert 'id="worry"' not in page
