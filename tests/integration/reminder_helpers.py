"""Shared by the reminders' tests: a person's reminder choices made through the service, and the
calendar feed's address made the way the page makes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from backhome.web.patient.models import Person
from backhome.web.reminders import selectors, services
from backhome.web.reminders.models import ReminderSettings

#: A Monday, 2 March 2026, and the moments the tests act at (all in Europe/London, UTC+0 in March
#: until the 29th).
MONDAY = dt.date(2026, 3, 2)


def london(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo("Europe/London"))


def choose(person: Person, *, confirmed: bool = True, **values: Any) -> ReminderSettings:
    """The person's choices: every day at 18:00, check-in at 08:00, London, plus ``values``; the address
    confirmed unless ``confirmed`` is False."""
    chosen: dict[str, Any] = {
        "session_days": [0, 1, 2, 3, 4, 5, 6],
        "session_time": dt.time(18, 0),
        "checkin_time": dt.time(8, 0),
        "time_zone": "Europe/London",
    }
    chosen.update(values)
    settings = services.reminder_settings_update(person=person, values=chosen)
    if confirmed:  # as if its owner had opened the emailed link (test_reminders_optin.py tests the link)
        services.reminder_email_confirm(settings=settings, address=selectors.recipient(settings))
        settings.refresh_from_db()
    return settings


def feed_path(client: Client) -> str:
    """Ask for a calendar address on the settings page; the path of the feed it shows (once)."""
    response = client.post("/reminders/calendar/", {"action": "new"})
    assert response.status_code == 302
    page = client.get("/reminders/")
    text = page.content.decode()
    start = text.index('id="feed-url"')
    value = text.index('value="', start) + len('value="')
    url = text[value : text.index('"', value)]
    return url.split("testserver", 1)[1]
