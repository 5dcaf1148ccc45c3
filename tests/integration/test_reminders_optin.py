"""Reminder emails only to an address its owner confirmed (issue 17 item 5): double opt-in with an
emailed link, at most one confirmation email to an address a day, guests like everyone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from backhome.web.reminders import services
from backhome.web.reminders.models import ReminderSettings
from tests.integration.people import WALT_WEB, client_for, person_with_plan
from tests.integration.reminder_helpers import MONDAY, london

pytestmark = pytest.mark.django_db

CHOICES: dict[str, Any] = {
    "session_days": ["0", "1", "2", "3", "4", "5", "6"],
    "session_time": "18:00",
    "checkin_time": "08:00",
    "time_zone": "Europe/London",
    "email_on": "yes",
    "email": "dana@example.org",
    "email_sessions": "on",
    "daily_limit": "1",
    "only_if_not_logged": "on",
}


def confirm_link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://[^/\s]+(/reminders/confirm/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def reminders_at_six() -> list[str]:
    mail.outbox.clear()
    services.reminders_send(now=london(MONDAY, 18, 5))
    return [m.to[0] for m in mail.outbox]


def test_a_guests_new_address_gets_a_confirmation_link_and_no_reminder_until_it_is_opened() -> None:
    dana, _ = person_with_plan()
    browser = client_for(dana)
    saved = browser.post("/reminders/", CHOICES)
    assert saved.status_code == 302
    page = browser.get(saved["Location"]).content.decode()
    assert "We have sent a link to dana@example.org" in page
    (confirmation,) = mail.outbox
    assert confirmation.to == ["dana@example.org"]
    link = confirm_link(confirmation)

    assert reminders_at_six() == [], "nobody confirmed the address yet"

    # Opening the link (a mail scanner does too) confirms nothing; the button on its page does.
    other_device = Client()
    shown = other_device.get(link)
    assert shown.status_code == 200 and "dana@example.org" in shown.content.decode()
    assert reminders_at_six() == []
    done = other_device.post(link)
    assert done.status_code == 200 and "confirmed" in done.content.decode()
    assert reminders_at_six() == ["dana@example.org"]


def test_at_most_one_confirmation_email_to_an_address_a_day_whoever_asks() -> None:
    for person in (person_with_plan()[0], person_with_plan(WALT_WEB)[0]):
        browser = client_for(person)
        browser.post("/reminders/", {**CHOICES, "email": "someone@example.org"})
        browser.post("/reminders/", {**CHOICES, "email": "Someone@example.org", "session_time": "19:00"})
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]
    page = browser.get("/reminders/?saved=1").content.decode()
    assert "less than a day ago" in page


def test_a_changed_address_needs_confirming_again_and_an_old_link_does_not_confirm_it() -> None:
    dana, _ = person_with_plan()
    browser = client_for(dana)
    browser.post("/reminders/", CHOICES)
    old_link = confirm_link(mail.outbox[0])
    Client().post(old_link)
    assert reminders_at_six() == ["dana@example.org"]

    browser.post("/reminders/", {**CHOICES, "email": "dana@work.example"})
    assert reminders_at_six() == []
    assert Client().post(old_link).status_code == 404
    assert ReminderSettings.objects.get(person=dana).email == "dana@work.example"


def test_a_broken_confirmation_link_is_a_404() -> None:
    assert Client().get("/reminders/confirm/not-a-token/").status_code == 404
    assert Client().post("/reminders/confirm/not-a-token/").status_code == 404
