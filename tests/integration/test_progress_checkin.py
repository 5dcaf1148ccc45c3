"""The morning check-in page: one check-in a day, stored once, bad answers refused, privacy
(issue 3 item 5). Dana (extension plan) checks in; Walt never sees her check-ins."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from backhome.web.patient.models import Person
from backhome.web.patient.services import LockError
from backhome.web.progress import services
from backhome.web.progress.models import CheckIn, DoseChange
from tests.integration.api_helpers import account_for, assert_envelope, bearer, post_json, token_for
from tests.integration.people import WALT_WEB, client_for
from tests.integration.progress_builders import (
    checked_in,
    checkin_form,
    days_ago,
    person_started,
    session_done,
    today,
)

pytestmark = pytest.mark.django_db

URL = "/check-in/"


def test_the_check_in_lives_at_its_url_name() -> None:
    assert reverse("progress:checkin") == URL


def test_dana_gets_the_check_in_form_with_big_choices_and_a_hidden_id() -> None:
    dana, _ = person_started()
    page = client_for(dana).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Morning check-in" in html
    for name, count in (("back", 11), ("leg", 11), ("zone", 6), ("stiffness", 3)):
        assert html.count(f'type="radio" name="{name}"') == count
    assert "My thigh, above the knee" in html  # the body map's plain labels
    assert "30 minutes or more" in html
    uuid.UUID(html.split('name="id" value="')[1].split('"')[0])
    assert "Content-Security-Policy" in page.headers and "no-store" in page.headers["Cache-Control"]


def test_a_check_in_is_stored_and_leads_to_its_result_page() -> None:
    dana, _ = person_started()
    client = client_for(dana)
    response = client.post(URL, checkin_form(back=4, leg=1, zone=2, stiffness="under_30_min"))
    assert response.status_code == 302
    stored = CheckIn.objects.get()
    assert (stored.person, stored.date, stored.back, stored.leg, stored.zone, stored.stiffness) == (
        dana,
        today(),
        4,
        1,
        2,
        "under_30_min",
    )
    assert response.url == reverse("progress:result", args=[stored.pk])
    page = client.get(response.url).content.decode()
    assert "What changes today, and why" in page
    assert "4 out of 10" in page and "One side of my lower back, or my buttock" in page


def test_the_same_form_sent_twice_stores_one_check_in_and_both_answers_show_it() -> None:
    dana, _ = person_started()
    client = client_for(dana)
    form = checkin_form()
    first = client.post(URL, form)
    again = client.post(URL, {**form, "back": "9"})  # a retry carries the same id
    assert first.url == again.url
    assert CheckIn.objects.count() == 1 and CheckIn.objects.get().back == 3


def test_a_second_check_in_the_same_day_changes_nothing_and_says_it_is_done() -> None:
    dana, _ = person_started()
    client = client_for(dana)
    client.post(URL, checkin_form(back=3))
    changes = DoseChange.objects.count()
    response = client.post(URL, checkin_form(back=8))
    assert response.status_code == 409, "the same status as the API's already_checked_in"
    assert "You have checked in today" in response.content.decode()
    assert CheckIn.objects.count() == 1 and CheckIn.objects.get().back == 3
    assert DoseChange.objects.count() == changes
    assert "You have checked in today" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"back": None}, "back", "Please choose how bad your back pain is"),
        ({"back": "11"}, "back", "Please choose how bad your back pain is"),
        ({"leg": "-1"}, "leg", "Please choose how bad your leg pain is"),
        ({"leg": "two"}, "leg", "Please choose how bad your leg pain is"),
        ({"zone": "6"}, "zone", "Please choose how far down"),
        ({"stiffness": "a little"}, "stiffness", "Please choose how long your back stayed stiff"),
        ({"id": "not-a-uuid"}, "id", "could not be matched"),
        ({"id": None}, "id", "could not be matched"),
    ],
)
def test_a_bad_answer_is_refused_with_a_message_naming_it_and_nothing_is_stored(
    change: dict, field: str, message: str
) -> None:
    dana, _ = person_started()
    form = {k: v for k, v in {**checkin_form(), **change}.items() if v is not None}
    response = client_for(dana).post(URL, form)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html and message in html
    if field != "id":
        assert f'href="#q-{field}"' in html
    assert CheckIn.objects.count() == 0 and DoseChange.objects.count() == 0


def test_a_refused_form_keeps_its_id_so_the_corrected_one_is_still_stored_once() -> None:
    dana, _ = person_started()
    client = client_for(dana)
    form = checkin_form()
    refused = client.post(URL, {**form, "back": "12"})
    assert f'value="{form["id"]}"' in refused.content.decode()
    client.post(URL, form)
    client.post(URL, form)
    assert CheckIn.objects.filter(pk=form["id"]).count() == 1


def test_the_service_fails_closed_and_names_the_field() -> None:
    dana, _ = person_started()
    good = {"person": dana, "date": today(), "back": 3, "leg": 2, "zone": 3, "stiffness": "none"}
    for field, value in (
        ("back", 11),
        ("leg", True),
        ("zone", "3"),
        ("stiffness", "lots"),
        ("date", "today"),
    ):
        with pytest.raises(services.InvalidCheckIn) as refused:
            services.checkin_record(**{**good, field: value, "id": uuid.uuid4()})
        assert [name for name, _ in refused.value.fields] == [field]
    with pytest.raises(services.InvalidCheckIn):
        services.checkin_record(**good, id="not-a-uuid")
    assert CheckIn.objects.count() == 0


# --------------------------------------------------------------------------- PM-40 verdicts


def test_the_first_check_in_has_no_earlier_morning_to_compare_with() -> None:
    dana, _ = person_started()
    client = client_for(dana)
    response = client.post(URL, checkin_form())
    assert CheckIn.objects.get().tolerated is None
    assert "This is your first check-in" in client.get(response.url).content.decode()


def test_a_morning_no_worse_than_the_last_one_means_yesterdays_session_was_tolerated() -> None:
    dana, _ = person_started()
    checked_in(dana, days_ago(1), back=3, leg=2)
    session_done(dana, days_ago(1))
    client = client_for(dana)
    response = client.post(URL, checkin_form(back=4, leg=2))
    stored = CheckIn.objects.get(date=today())
    assert stored.tolerated is True and stored.rules == []
    assert "your body took your last exercises well" in client.get(response.url).content.decode()


@pytest.mark.rule("PM-40", fires=True)
def test_a_morning_two_points_worse_means_yesterdays_session_was_not_tolerated() -> None:
    dana, _ = person_started()
    checked_in(dana, days_ago(1), back=3, leg=2)
    session_done(dana, days_ago(1))
    client = client_for(dana)
    response = client.post(URL, checkin_form(back=5, leg=2))
    stored = CheckIn.objects.get(date=today())
    assert stored.tolerated is False and "PM-40" in stored.rules
    page = client.get(response.url).content.decode()
    assert "your back pain is 2 or more points higher than the morning before" in page


# --------------------------------------------------------------------------- who may see what


def test_nobody_sees_anyone_elses_check_in() -> None:
    dana, _ = person_started()
    walt, _ = person_started(WALT_WEB)
    dana_client = client_for(dana)
    mine = dana_client.post(URL, checkin_form())
    walt_client = client_for(walt)
    assert walt_client.get(mine.url).status_code == 404
    assert Client().get(mine.url).status_code == 404  # a visitor without a session
    # Walt's browser sending Dana's check-in id stores nothing and learns nothing
    stolen = walt_client.post(URL, checkin_form(id=CheckIn.objects.get().pk))
    assert stolen.status_code == 404
    assert CheckIn.objects.count() == 1 and CheckIn.objects.get().person == dana


def test_a_result_page_for_an_unknown_check_in_is_not_found() -> None:
    dana, _ = person_started()
    assert client_for(dana).get(reverse("progress:result", args=[uuid.uuid4()])).status_code == 404


def test_without_a_programme_there_is_nothing_to_check_in_for() -> None:
    page = Client().get(URL)
    assert page.status_code == 200 and "Nothing to check in for yet" in page.content.decode()
    guest = Person.objects.create()
    response = client_for(guest).post(URL, checkin_form())
    assert response.status_code == 409 and CheckIn.objects.count() == 0


def test_a_locked_person_is_sent_to_the_emergency_page() -> None:
    dana, screening = person_started()
    dana.emergency_locked_at = screening.decided_at
    dana.emergency_screening = screening
    dana.save()
    client = client_for(dana)
    assert client.get(URL).url == reverse("patient:emergency")
    assert client.post(URL, checkin_form()).url == reverse("patient:emergency")
    assert CheckIn.objects.count() == 0


def test_the_service_refuses_a_locked_person_as_the_api_does() -> None:
    dana, screening = person_started()
    Person.objects.filter(pk=dana.pk).update(
        emergency_locked_at=screening.decided_at, emergency_screening=screening
    )
    with pytest.raises(LockError) as refused:
        services.checkin_record(
            person=dana, date=today(), back=3, leg=2, zone=3, stiffness="none", id=uuid.uuid4()
        )
    assert refused.value.code == "locked"
    token = token_for(account_for(dana, "dana@example.org"), "write")
    body = {"id": str(uuid.uuid4()), "back": 3, "leg": 2, "zone": 3, "stiffness": "none"}
    assert_envelope(post_json(Client(), "/api/v1/me/check-ins", body, **bearer(token)), 409, "locked")
    assert CheckIn.objects.count() == 0
