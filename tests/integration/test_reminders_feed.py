"""The calendar feed (RFC 5545) at its secret address, read back with the ``icalendar`` package as a
calendar app would: the events, their times in the person's zone, their recurrences and UIDs, and the
404 of an address that was replaced or turned off."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar

from backhome.web.patient.models import Person
from backhome.web.reminders.models import ReminderSettings
from tests.integration.people import WALT_WEB, client_for, person_with_plan
from tests.integration.reminder_helpers import choose, feed_path

pytestmark = pytest.mark.django_db


def read(client: Client, path: str) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    """The events by their summary."""
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_danas_feed_has_her_sessions_and_next_morning_check_ins_at_her_times_in_her_zone() -> None:
    dana, _ = person_with_plan()
    choose(
        dana,
        session_days=[0, 2, 4],
        session_time=dt.time(18, 30),
        checkin_time=dt.time(7, 45),
        time_zone="Europe/Berlin",
    )
    client = client_for(dana)
    calendar = read(Client(), feed_path(client))
    found = events(calendar)
    assert set(found) == {"Back exercises", "Back exercises: morning check-in"}

    session = found["Back exercises"]
    start = session.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Berlin"
    assert (start.hour, start.minute) == (18, 30)
    assert start.weekday() in (0, 2, 4)  # the first occurrence is one of the chosen days
    assert session["RRULE"]["FREQ"] == ["WEEKLY"]
    assert session["RRULE"]["BYDAY"] == ["MO", "WE", "FR"]
    assert session.decoded("DURATION") == dt.timedelta(minutes=20)

    checkin = found["Back exercises: morning check-in"]
    morning = checkin.decoded("DTSTART")
    assert (morning.hour, morning.minute) == (7, 45)
    assert checkin["RRULE"]["BYDAY"] == ["TU", "TH", "SA"]  # the morning after each session day
    assert morning.date() > start.date() - dt.timedelta(days=7)

    # The zone is described in the feed itself (RFC 5545 3.6.5), so any app reads the times right.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_every_day_is_a_daily_recurrence() -> None:
    walt, _ = person_with_plan(WALT_WEB)
    choose(walt)
    found = events(read(Client(), feed_path(client_for(walt))))
    for event in found.values():
        assert event["RRULE"]["FREQ"] == ["DAILY"]
        assert "BYDAY" not in event["RRULE"]


def test_the_feed_is_a_valid_calendar_with_stable_uids_and_a_sequence_that_counts_changes() -> None:
    dana, _ = person_with_plan()
    settings = choose(dana)
    path = feed_path(client_for(dana))
    first = read(Client(), path)
    assert str(first["VERSION"]) == "2.0"
    assert "PRODID" in first
    uids = sorted(str(e["UID"]) for e in first.walk("VEVENT"))
    assert uids == sorted([f"{settings.uid}-checkin@backhome", f"{settings.uid}-session@backhome"])
    assert str(dana.pk) not in "".join(u.split("@")[0].replace(str(settings.uid), "") for u in uids)
    for event in first.walk("VEVENT"):
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert "LAST-MODIFIED" in event
        assert int(event["SEQUENCE"]) == settings.sequence

    # A new time: the same events (same UIDs), one more in SEQUENCE, the new time.
    choose(dana, session_time=dt.time(7, 0))
    again = read(Client(), path)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == uids
    session = events(again)["Back exercises"]
    assert int(session["SEQUENCE"]) == settings.sequence + 1
    assert session.decoded("DTSTART").hour == 7

    # Saving the same choices again moves nothing.
    choose(dana, session_time=dt.time(7, 0))
    assert int(events(read(Client(), path))["Back exercises"]["SEQUENCE"]) == settings.sequence + 1


def test_the_feed_says_nothing_about_health_beyond_back_exercises() -> None:
    dana, _ = person_with_plan()
    choose(dana)
    body = Client().get(feed_path(client_for(dana))).content.decode()
    for event in Calendar.from_ical(body).walk("VEVENT"):
        assert str(event["SUMMARY"]).startswith("Back exercises")
        assert str(event["URL"]).startswith("http://127.0.0.1:8000/")
    lowered = body.lower()
    for word in ("press-up", "prone", "knee", "pain", "disc", "stenosis", "herniat", "dana"):
        assert word not in lowered


def test_the_plan_address_in_the_feed_is_the_public_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKHOME_PUBLIC_URL", "https://backhome.riverside.example/")
    dana, _ = person_with_plan()
    choose(dana)
    session = events(read(Client(), feed_path(client_for(dana))))["Back exercises"]
    assert str(session["URL"]) == "https://backhome.riverside.example/plan/"
    assert "https://backhome.riverside.example/plan/" in str(session["DESCRIPTION"])


def test_a_new_address_revokes_the_old_one() -> None:
    dana, _ = person_with_plan()
    choose(dana)
    client = client_for(dana)
    old = feed_path(client)
    new = feed_path(client)
    assert old != new
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_turning_the_feed_off_makes_its_address_a_404() -> None:
    dana, _ = person_with_plan()
    choose(dana)
    client = client_for(dana)
    path = feed_path(client)
    response = client.post("/reminders/calendar/", {"action": "off"})
    assert response.status_code == 302
    assert Client().get(path).status_code == 404
    assert ReminderSettings.objects.get(person=dana).feed_hash is None
    assert "Your calendar is turned off" in client.get(response["Location"]).content.decode()


def test_a_made_up_address_is_a_404_and_only_the_hash_of_the_secret_is_stored() -> None:
    dana, _ = person_with_plan()
    choose(dana)
    path = feed_path(client_for(dana))
    secret = path.rsplit("/", 1)[1].removesuffix(".ics")
    stored = ReminderSettings.objects.get(person=dana)
    assert stored.feed_hash and secret not in stored.feed_hash and len(stored.feed_hash) == 64
    assert Client().get("/reminders/feed/" + "A" * 43 + ".ics").status_code == 404
    assert (
        Client().get(path.replace(secret, secret[:-1] + ("B" if secret[-1] != "B" else "C"))).status_code
        == 404
    )


def test_the_address_is_shown_once() -> None:
    dana, _ = person_with_plan()
    client = client_for(dana)
    path = feed_path(client)
    page = client.get("/reminders/").content.decode()
    assert path not in page
    assert "we do not show its address again" in page


def test_a_locked_person_gets_an_empty_calendar_not_an_error() -> None:
    dana, _ = person_with_plan()
    choose(dana)
    path = feed_path(client_for(dana))
    Person.objects.filter(pk=dana.pk).update(
        emergency_locked_at=dt.datetime(2026, 3, 2, tzinfo=ZoneInfo("UTC"))
    )
    calendar = read(Client(), path)
    assert calendar.walk("VEVENT") == []


def test_a_person_in_utc_gets_utc_times_and_the_feed_asks_to_be_refreshed_twice_a_day() -> None:
    dana, _ = person_with_plan()
    choose(dana, time_zone="UTC", session_time=dt.time(9, 15))
    calendar = read(Client(), feed_path(client_for(dana)))
    start = events(calendar)["Back exercises"].decoded("DTSTART")
    assert start.utcoffset() == dt.timedelta(0) and (start.hour, start.minute) == (9, 15)
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT12H"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_a_vtimezone_covers_daylight_saving_so_the_time_stays_at_six_in_summer() -> None:
    walt, _ = person_with_plan(WALT_WEB)
    choose(walt, time_zone="Europe/London", session_time=dt.time(18, 0))
    calendar = read(Client(), feed_path(client_for(walt)))
    (zone,) = calendar.walk("VTIMEZONE")
    summer = dt.datetime(2027, 7, 1, 18, 0)
    assert zone.to_tz().utcoffset(summer) == dt.timedelta(hours=1)
