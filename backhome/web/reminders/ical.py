"""The calendar feed (RFC 5545), written with the ``icalendar`` package (docs/reminders.md).

Two recurring events, not a list of dated ones: "Back exercises" at the session time on the chosen
weekdays (``RRULE:FREQ=WEEKLY;BYDAY=...``, or ``FREQ=DAILY`` for every day) and the next-morning
check-in the day after each. Every calendar app that subscribes to feeds (Google, Apple, Outlook,
Thunderbird, DAVx5) expands ``RRULE`` with a ``TZID``, so the feed is a few hundred bytes that never
runs out, a changed time is one changed event (same ``UID``, ``SEQUENCE`` + 1) rather than weeks of
deleted and added ones, and the times follow the person's zone across daylight-saving changes
(``VTIMEZONE`` from the zone database).

The feed is read by third-party calendar servers, so it says nothing about health beyond "Back
exercises": no exercise, dose, pain score or result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event, vDuration

from backhome.web.reminders.models import ReminderSettings
from backhome.web.reminders.selectors import checkin_days, zone

SESSION_MINUTES = 20
CHECKIN_MINUTES = 5
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PRODID = "-//backhome//reminders 1//EN"


@dataclass(frozen=True)
class Links:
    plan: str
    checkin: str
    settings: str


def _first_on_or_after(day: dt.date, weekdays: list[int]) -> dt.date:
    """The first date from ``day`` on that falls on one of ``weekdays`` (DTSTART must be an instance
    of its RRULE, RFC 5545 3.8.5.3)."""
    for offset in range(7):
        candidate = day + dt.timedelta(days=offset)
        if candidate.weekday() in weekdays:
            return candidate
    raise ValueError("no weekday chosen")


def _rrule(weekdays: list[int]) -> dict[str, object]:
    if len(set(weekdays)) == 7:
        return {"FREQ": "DAILY"}
    return {"FREQ": "WEEKLY", "BYDAY": [BYDAY[d] for d in sorted(set(weekdays))]}


def _event(
    settings: ReminderSettings,
    *,
    kind: str,
    weekdays: list[int],
    time: dt.time,
    minutes: int,
    summary: str,
    description: str,
    url: str,
    first_day: dt.date,
) -> Event:
    tz = zone(settings.time_zone)
    start = dt.datetime.combine(_first_on_or_after(first_day, weekdays), time, tzinfo=tz)
    event = Event()
    event.add("uid", f"{settings.uid}-{kind}@backhome")
    event.add("dtstamp", settings.updated_at)
    event.add("last-modified", settings.updated_at)
    event.add("created", settings.created_at)
    event.add("sequence", settings.sequence)
    event.add("dtstart", start)
    event.add("duration", dt.timedelta(minutes=minutes))
    event.add("rrule", _rrule(weekdays))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("class", "PRIVATE")
    event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: the time stays free
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", dt.timedelta(0))
    event.add_component(alarm)
    return event


def feed_calendar(settings: ReminderSettings, *, links: Links, active: bool) -> Calendar:
    """The person's calendar: their sessions and check-ins while they have a programme to do, and no
    event at all while they have none (an emergency lock, no result yet, every exercise stopped)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Back exercises")
    calendar.add("x-wr-timezone", settings.time_zone)
    calendar.add("refresh-interval", vDuration(dt.timedelta(hours=12)), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    days = [int(d) for d in settings.session_days]
    if active and days:
        first_day = settings.created_at.astimezone(zone(settings.time_zone)).date()
        calendar.add_component(
            _event(
                settings,
                kind="session",
                weekdays=days,
                time=settings.session_time,
                minutes=SESSION_MINUTES,
                summary="Back exercises",
                description=(
                    "Time for your back exercises. Open your plan and start today's session: "
                    f"{links.plan}\n\nChange these times: {links.settings}"
                ),
                url=links.plan,
                first_day=first_day,
            )
        )
        calendar.add_component(
            _event(
                settings,
                kind="checkin",
                weekdays=checkin_days(days),
                time=settings.checkin_time,
                minutes=CHECKIN_MINUTES,
                summary="Back exercises: morning check-in",
                description=(
                    "Two minutes to tell backhome how you are this morning, before you exercise: "
                    f"{links.checkin}\n\nChange these times: {links.settings}"
                ),
                url=links.checkin,
                first_day=first_day + dt.timedelta(days=1),
            )
        )
        # The zone's transitions from a year before the first event to 30 years on (a short VTIMEZONE).
        calendar.add_missing_timezones(
            first_date=first_day - dt.timedelta(days=366), last_date=first_day + dt.timedelta(days=30 * 366)
        )
    return calendar
