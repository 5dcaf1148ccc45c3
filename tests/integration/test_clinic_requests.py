"""Asking for a screen: a person with or without a clinic sends a request (once, however often the form is
sent); the clinic gets an email and an inbox entry, and marks it contacted or booked."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from backhome.web.clinic.models import AuditEvent, Clinic, ScreenRequest
from backhome.web.patient.models import Screening
from tests.integration.clinic_people import Cast, cast
from tests.integration.people import client_for, person_with_plan

pytestmark = pytest.mark.django_db

FORM = "/clinic/request-screen/"
SENT = "/clinic/request-screen/sent/"


@pytest.fixture
def people() -> Cast:
    world = cast()
    Clinic.objects.filter(pk=world.riverside.pk).update(email="desk@riverside.example")
    Clinic.objects.filter(pk=world.hilltop.pk).update(email="desk@hilltop.example")
    return world


def form(**changes: Any) -> dict[str, str]:
    data = {
        "request_id": str(uuid.uuid4()),
        "name": "Dana Reyes",
        "phone": "07700 900123",
        "email": "",
        "preferred_times": "Weekday mornings",
    }
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_dana_asks_her_own_clinic_for_a_screen(people: Cast) -> None:
    dana = client_for(people.dana)
    page = dana.get(FORM).content.decode()
    assert "Your request goes to <strong>Riverside Physio</strong>" in page
    assert 'name="clinic"' not in page and "Send my screening result with my request" in page
    response = dana.post(FORM, form())
    assert response.status_code == 302 and response.url == SENT
    sent = ScreenRequest.objects.get()
    assert (sent.clinic, sent.person, sent.status) == (people.riverside, people.dana, "new")
    assert (sent.name, sent.phone, sent.preferred_times) == ("Dana Reyes", "07700 900123", "Weekday mornings")
    assert sent.share_summary is False and sent.summary is None
    thanks = dana.get(SENT).content.decode()
    assert (
        "Your request has been sent" in thanks and "Riverside Physio" in thanks and "07700 900123" in thanks
    )


def test_the_clinic_is_emailed_who_asks_and_how_to_reach_them_without_health_information(
    people: Cast,
) -> None:
    client_for(people.dana).post(FORM, form(share_summary="yes", email="dana@example.com"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["desk@riverside.example"]
    assert message.subject == "backhome: Dana Reyes asks for a screen"
    assert "07700 900123" in message.body and "dana@example.com" in message.body
    assert "read it in the inbox" in message.body and "http://testserver/clinic/requests/" in message.body
    assert "Prone press-up" not in message.body and "disc" not in message.body.lower()


def test_a_person_without_a_clinic_chooses_one_from_the_list() -> None:
    world = cast()
    person, _ = person_with_plan()
    client = client_for(person)
    page = client.get(FORM).content.decode()
    assert "Riverside Physio" in page and "Hilltop Clinic" in page and 'name="clinic"' in page
    response = client.post(FORM, form(clinic=world.hilltop.pk))
    assert response.status_code == 302
    assert ScreenRequest.objects.get().clinic == world.hilltop


def test_a_visitor_with_no_answers_can_ask_too(people: Cast) -> None:
    client = Client()
    page = client.get(FORM).content.decode()
    assert "Send my screening result" not in page
    response = client.post(FORM, form(clinic=people.riverside.pk, share_summary="yes"))
    assert response.status_code == 302
    sent = ScreenRequest.objects.get()
    assert sent.person is None and sent.summary is None and sent.share_summary is False
    assert "Riverside Physio" in client.get(SENT).content.decode()


def test_a_clinics_patient_always_asks_their_own_clinic(people: Cast) -> None:
    client_for(people.dana).post(FORM, form(clinic=people.hilltop.pk))
    assert ScreenRequest.objects.get().clinic == people.riverside


def test_the_result_goes_with_the_request_only_when_ticked_and_is_not_decided_again(people: Cast) -> None:
    client_for(people.dana).post(FORM, form(share_summary="yes"))
    sent = ScreenRequest.objects.get()
    assert sent.share_summary is True
    summary = sent.summary
    screening = Screening.objects.get(person=people.dana)
    assert summary["tier"] == screening.tier
    assert {r["rule"] for r in summary["reasons"]} == set(screening.decision["rules"])
    assert "Prone press-up" in {e["name"] for e in summary["programme"]}
    assert "DPT-20" in {rule for b in summary["held_back"] for rule in b["rules"]}
    assert Screening.objects.filter(person=people.dana).count() == 1
    page = people.client("cleo").get("/clinic/requests/").content.decode()
    assert "Their result:" in page and "Prone press-up" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Name: tell us your name"),
        ({"phone": "", "email": ""}, "phone", "Phone or email: give at least one"),
        ({"phone": "call me", "email": ""}, "phone", "Phone: give a phone number with at least 6 digits"),
        ({"phone": "12", "email": ""}, "phone", "Phone: give a phone number with at least 6 digits"),
        ({"email": "dana-at-example"}, "email", "Email: give an email address like name@example.com."),
        ({"preferred_times": "x" * 301}, "preferred_times", "Best times: at most 300 characters."),
    ],
)
def test_mistakes_are_named_by_field_and_nothing_is_stored(
    people: Cast, changes: dict[str, str], field: str, message: str
) -> None:
    data = form(**changes)
    response = client_for(people.dana).post(FORM, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'href="#{field}"' in page
    assert f'value="{data["request_id"]}"' in page  # the same form, the same id
    assert not ScreenRequest.objects.exists() and mail.outbox == []


def test_a_person_without_a_clinic_must_choose_one(people: Cast) -> None:
    person, _ = person_with_plan()
    for clinic in ("", "999999", "riverside"):
        response = client_for(person).post(FORM, form(clinic=clinic))
        assert response.status_code == 400
        assert "Clinic: choose the clinic you would like to hear from." in response.content.decode()
    assert not ScreenRequest.objects.exists()


def test_the_same_request_sent_twice_is_stored_and_emailed_once(people: Cast) -> None:
    dana = client_for(people.dana)
    data = form()
    assert dana.post(FORM, data).status_code == 302
    assert dana.post(FORM, {**data, "name": "Someone Else"}).status_code == 302
    assert ScreenRequest.objects.count() == 1 and ScreenRequest.objects.get().name == "Dana Reyes"
    assert len(mail.outbox) == 1


def test_someone_elses_request_id_or_a_broken_one_is_refused(people: Cast) -> None:
    data = form()
    client_for(people.dana).post(FORM, data)
    response = client_for(people.walt).post(FORM, {**data, "name": "Walt"})
    assert response.status_code == 400 and "The form is out of date" in response.content.decode()
    assert client_for(people.walt).post(FORM, form(request_id="not-a-uuid")).status_code == 400
    assert ScreenRequest.objects.get().person == people.dana


def test_the_thank_you_page_belongs_to_the_browser_that_sent_the_request(people: Cast) -> None:
    dana = client_for(people.dana)
    dana.post(FORM, form())
    assert dana.get(SENT).status_code == 200
    other = client_for(people.walt)
    response = other.get(SENT)
    assert response.status_code == 302 and response.url == FORM


def test_with_no_clinic_at_all_the_page_points_to_the_referral() -> None:
    response = Client().get(FORM)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "No clinic takes requests through backhome here yet" in page
        and "<form" not in page.split("<main")[1].split("</main>")[0]
    )


def test_an_email_that_cannot_be_sent_loses_no_request(people: Cast, settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.integration.test_clinic_requests.BrokenBackend"
    assert client_for(people.dana).post(FORM, form()).status_code == 302
    assert ScreenRequest.objects.count() == 1


class BrokenBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise OSError("the mail server is down")


# --------------------------------------------------------------------------- the clinic's inbox


def test_cleo_sees_riversides_requests_and_marks_one_contacted_then_booked(people: Cast) -> None:
    client_for(people.dana).post(FORM, form())
    Client().post(FORM, form(clinic=people.hilltop.pk, name="Hal Hilltop"))
    cleo = people.client("cleo")
    page = cleo.get("/clinic/requests/").content.decode()
    assert "Dana Reyes" in page and "Hal Hilltop" not in page and "tel:07700 900123" in page
    assert AuditEvent.objects.filter(user=people.cleo, what="screen requests").exists()
    sent = ScreenRequest.objects.get(clinic=people.riverside)
    for status in ("contacted", "booked"):
        response = cleo.post(f"/clinic/requests/{sent.pk}/status/", {"status": status})
        assert response.status_code == 302
        sent.refresh_from_db()
        assert sent.status == status and sent.status_changed_by == people.cleo
    assert AuditEvent.objects.filter(user=people.cleo, person=people.dana, action="change").count() == 2
    assert "Dana Reyes" in cleo.get("/clinic/requests/?status=booked").content.decode()
    assert "Dana Reyes" not in cleo.get("/clinic/requests/?status=new").content.decode()


def test_a_bad_status_is_refused_and_another_clinics_request_is_404(people: Cast) -> None:
    client_for(people.dana).post(FORM, form())
    sent = ScreenRequest.objects.get()
    assert (
        people.client("cleo").post(f"/clinic/requests/{sent.pk}/status/", {"status": "lost"}).status_code
        == 400
    )
    assert people.client("cleo").get("/clinic/requests/?status=lost").status_code == 400
    assert (
        people.client("yusuf").post(f"/clinic/requests/{sent.pk}/status/", {"status": "booked"}).status_code
        == 404
    )
    sent.refresh_from_db()
    assert sent.status == "new"
