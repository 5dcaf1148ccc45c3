"""The plan page: every response has its own CSP nonce, it is gzipped for a browser that accepts it, and
it is never stale: every kind of change to what it shows is on the very next page. Dana (extension
plan) and Walt (flexion plan) are the personas; Cleo of Riverside is Dana's physical therapist."""

from __future__ import annotations

import gzip
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backhome.web.clinic.models import Enrolment
from backhome.web.patient import questions, services
from backhome.web.patient.models import Person
from tests.integration.clinic_people import cast
from tests.integration.people import DANA_WEB, WALT_WEB, client_for, person_with_plan
from tests.integration.progress_builders import checkin_form, person_started, three_green_days
from tests.integration.screening_helpers import flat
from tests.integration.selfcheck_helpers import DANA_BEFORE, whole_test

pytestmark = pytest.mark.django_db

PLAN = reverse("patient:plan")
PRESS_UP = 'id="exercise-prone-press-up"'
SPREAD = {"back": 5, "leg": 4, "zone": 4, "numbness": False}


def page(client: Client, **headers: Any) -> str:
    response = client.get(PLAN, **headers)
    assert response.status_code == 200
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def nonces(html: str) -> set[str]:
    return set(re.findall(r'nonce="([^"]+)"', html))


def answered_again(person: Person, doc: dict[str, Any], **more: Any) -> None:
    services.screening_save_answers(
        person=person, step_id=questions.step_ids()[0], answers={**flat(doc), **more}
    )
    person.refresh_from_db()
    if not person.locked:
        services.screening_submit(person=person)


# --------------------------------------------------------------------------- its own nonce, gzipped


def tokenless(html: str) -> str:
    """The page without its CSRF token's value (the footer's language form has one, masked anew each time)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value="T"', html)


def test_each_plan_page_has_its_own_nonce_for_its_pictures() -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    first = client.get(PLAN)
    second = client.get(PLAN)
    one, two = first.content.decode(), second.content.decode()
    assert nonces(one) and nonces(two) and nonces(one) != nonces(two)
    (nonce,) = nonces(two)
    assert f"'nonce-{nonce}'" in second["Content-Security-Policy"]
    assert tokenless(two).replace(nonce, "N") == tokenless(one).replace(nonces(one).pop(), "N")
    assert PRESS_UP in two


def test_the_page_is_sent_gzipped_to_a_browser_that_accepts_it_and_reads_the_same() -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    plain = page(client)
    response = client.get(PLAN, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert len(response.content) < len(plain) / 3
    html = gzip.decompress(response.content).decode()
    (nonce,) = nonces(html)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert tokenless(html).replace(nonce, "N") == tokenless(plain).replace(nonces(plain).pop(), "N")


def test_each_person_gets_their_own_page() -> None:
    dana, _ = person_with_plan()
    walt, _ = person_with_plan(WALT_WEB)
    assert PRESS_UP in page(client_for(dana))
    assert PRESS_UP not in page(client_for(walt))


# --------------------------------------------------------------------------- never stale


def test_a_new_screening_shows_on_the_next_page() -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    assert PRESS_UP in page(client)
    answered_again(dana, WALT_WEB)
    assert PRESS_UP not in page(client)
    assert 'id="exercise-single-knee-to-chest"' in page(client)


def test_a_dose_change_after_a_check_in_shows_on_the_next_page() -> None:
    dana, _ = person_started()
    client = client_for(dana)
    assert "10 times, hold each 15 seconds" not in page(client)
    three_green_days(dana)
    assert client.post(reverse("progress:checkin"), checkin_form()).status_code == 302
    html = page(client)
    assert "10 times, hold each 15 seconds" in html and "What changed since last time" in html


def test_a_clinicians_dose_change_shows_on_the_next_page_with_the_notice_once() -> None:
    people = cast()
    client = client_for(people.dana)
    assert "hold each 20 seconds" not in page(client)
    cleo = people.client("cleo")
    why = "Holds of 10 seconds are easy for you now."
    response = cleo.post(
        f"/clinic/patients/{people.dana.pk}/programme/dose/",
        {"exercise": "prone-press-up", "sets": "1", "reps": "10", "hold_s": "20", "why": why},
    )
    assert response.status_code == 302
    html = page(client)
    assert "hold each 20 seconds" in html and "Your physical therapist changed your programme" in html
    html = page(client)
    assert "hold each 20 seconds" in html and "Your physical therapist changed your programme" not in html


def test_a_clearance_shows_on_the_next_page() -> None:
    people = cast()
    fracture = {**DANA_WEB, "history": {**DANA_WEB["history"], "vertebral_fracture": True}}
    person, _ = person_with_plan(fracture)
    Enrolment.objects.create(person=person, clinic=people.riverside, label="Fran")
    client = client_for(person)
    assert PRESS_UP not in page(client)
    response = people.client("cleo").post(
        f"/clinic/patients/{person.pk}/programme/clearance/",
        {"rule": "EL-04", "cleared": "yes", "why": "The fracture healed: the scan of March shows it."},
    )
    assert response.status_code == 302
    assert PRESS_UP in page(client)


def test_a_self_check_result_shows_on_the_next_page() -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    assert PRESS_UP in page(client)
    test = whole_test(client, "extension", DANA_BEFORE, SPREAD, SPREAD)
    assert test.final_response == "worse"
    assert PRESS_UP not in page(client)


def test_an_emergency_lock_and_its_clearance_show_on_the_next_page() -> None:
    people = cast()
    client = client_for(people.dana)
    assert PRESS_UP in page(client)
    answered_again(people.dana, DANA_WEB, **{"symptoms.saddle_numbness": True})
    assert people.dana.locked
    response = client.get(PLAN)
    assert response.status_code == 302 and response.url == reverse("patient:emergency")
    services.person_clear_emergency_lock(person=people.dana, cleared_by=people.cleo, note="Seen today.")
    response = client.get(PLAN)
    assert response.status_code == 302 and response.url == reverse("patient:emergency")  # no plan yet
    answered_again(people.dana, DANA_WEB)
    assert PRESS_UP in page(client)


def test_a_change_to_the_clinics_phone_number_shows_on_the_next_page() -> None:
    people = cast()
    client = client_for(people.dana)
    assert "+44 20 7946 0001" in page(client)
    people.riverside.phone = "+44 20 7946 0999"
    people.riverside.save()
    html = page(client)
    assert "+44 20 7946 0999" in html and "+44 20 7946 0001" not in html
