"""The reminders page (/reminders/): the browser's own person chooses days, times, zone, emails and a
budget; bad answers are named and change nothing; the plan page links to it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from backhome.web.patient.models import Person
from backhome.web.reminders.models import ReminderSettings
from tests.integration.people import WALT_WEB, client_for, person_with_plan

pytestmark = pytest.mark.django_db

GOOD: dict[str, Any] = {
    "session_days": ["0", "2", "4"],
    "session_time": "18:30",
    "checkin_time": "07:45",
    "time_zone": "Europe/London",
    "email_on": "yes",
    "email": "dana@example.org",
    "email_sessions": "on",
    "daily_limit": "1",
    "only_if_not_logged": "on",
}


def test_the_plan_pages_today_card_links_to_the_reminders() -> None:
    dana, _ = person_with_plan()
    page = client_for(dana).get("/plan/").content.decode()
    today = page[page.index('id="today-title"') : page.index("</section>", page.index('id="today-title"'))]
    assert 'href="/reminders/"' in today


def test_dana_sees_the_defaults_and_opening_the_page_stores_nothing() -> None:
    dana, _ = person_with_plan()
    response = client_for(dana).get("/reminders/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Reminders</h1>" in page
    assert 'value="18:00"' in page and 'value="08:00"' in page
    assert re.search(r'<option value="UTC" selected>', page)
    assert ReminderSettings.objects.count() == 0
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_has_no_inline_script_or_style() -> None:
    dana, _ = person_with_plan()
    page = client_for(dana).get("/reminders/").content.decode()
    assert "<script>" not in page and "style=" not in page and " onclick=" not in page
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/patient/site.js" defer>',
        '<script src="/static/reminders/reminders.js" defer>',
    ]


def test_dana_saves_her_choices_and_sees_them_in_plain_words() -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    response = client.post("/reminders/", GOOD)
    assert response.status_code == 302
    stored = ReminderSettings.objects.get(person=dana)
    assert stored.session_days == [0, 2, 4]
    assert (stored.session_time, stored.checkin_time) == (dt.time(18, 30), dt.time(7, 45))
    assert (stored.time_zone, stored.email_on, stored.email) == ("Europe/London", True, "dana@example.org")
    assert (stored.email_sessions, stored.email_checkins) == (True, False)
    assert (stored.daily_limit, stored.only_if_not_logged) == (1, True)
    page = client.get(response["Location"]).content.decode()
    assert "Exercises Mondays, Wednesdays and Fridays at 6.30 pm" in page
    assert "the morning check-in at 7.45 am" in page
    assert "We will email dana@example.org" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"session_days": []}, "id_session_days", "Choose at least one day."),
        ({"session_time": "25:99"}, "id_session_time", "Give a time, for example 18:00."),
        ({"checkin_time": ""}, "id_checkin_time", "Give a time, for example 08:00."),
        ({"time_zone": "Mars/Olympus_Mons"}, "id_time_zone", "Choose your time zone from the list."),
        ({"email": ""}, "id_email", "Give the address the reminders should go to."),
        ({"email": "not an address"}, "id_email", "Give an email address like name@example.com."),
        ({"email_sessions": ""}, "id_email_sessions", "Choose at least one kind of reminder"),
        ({"daily_limit": "5"}, "id_daily_limit", "Select a valid choice"),
        ({"email_on": "maybe"}, "id_email_on", "Select a valid choice"),
    ],
)
def test_a_bad_answer_is_named_and_changes_nothing(change: dict[str, Any], field: str, message: str) -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    data = {**GOOD, **change}
    data = {k: v for k, v in data.items() if v != ""}
    response = client.post("/reminders/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert f'href="#{field}"' in page
    assert message in page
    assert ReminderSettings.objects.count() == 0


def test_emails_off_needs_no_address() -> None:
    dana, _ = person_with_plan()
    data = {**GOOD, "email_on": "no"}
    del data["email"], data["email_sessions"]
    assert client_for(dana).post("/reminders/", data).status_code == 302
    assert not ReminderSettings.objects.get(person=dana).email_on


def test_an_accounts_address_is_offered_first() -> None:
    dana, _ = person_with_plan()
    account = get_user_model().objects.create_user(username="dana@example.org", email="dana@example.org")
    Person.objects.filter(pk=dana.pk).update(user=account)
    client = Client()
    client.force_login(account)
    page = client.get("/reminders/").content.decode()
    assert 'value="dana@example.org"' in page


def test_each_browser_changes_only_its_own_persons_reminders() -> None:
    dana, _ = person_with_plan()
    walt, _ = person_with_plan(WALT_WEB)
    client_for(dana).post("/reminders/", GOOD)
    client_for(walt).post("/reminders/", {**GOOD, "session_time": "10:00", "email": "walt@example.org"})
    assert ReminderSettings.objects.get(person=dana).session_time == dt.time(18, 30)
    assert ReminderSettings.objects.get(person=walt).session_time == dt.time(10, 0)
    walts_page = client_for(walt).get("/reminders/").content.decode()
    assert "dana@example.org" not in walts_page


def test_a_visitor_without_a_plan_is_sent_to_the_questions_and_nothing_is_stored() -> None:
    visitor = Client()
    page = visitor.get("/reminders/").content.decode()
    assert "Start the questions" in page
    assert visitor.post("/reminders/", GOOD).status_code == 200
    assert visitor.post("/reminders/calendar/", {"action": "new"}).status_code == 302
    assert ReminderSettings.objects.count() == 0


def test_a_locked_person_goes_to_the_emergency_page() -> None:
    dana, _ = person_with_plan()
    Person.objects.filter(pk=dana.pk).update(emergency_locked_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    response = client_for(dana).get("/reminders/")
    assert (response.status_code, response["Location"]) == (302, "/emergency/")


def test_an_unknown_calendar_action_is_refused() -> None:
    dana, _ = person_with_plan()
    response = client_for(dana).post("/reminders/calendar/", {"action": "share"})
    assert response.status_code == 400
    assert "action must be new or off" in response.content.decode()


def test_the_page_says_when_reminders_are_paused_because_there_is_no_exercise_yet() -> None:
    person = Person.objects.create()
    page = client_for(person).get("/reminders/").content.decode()
    assert "Reminders are paused" in page
