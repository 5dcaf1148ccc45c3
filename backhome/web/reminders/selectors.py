"""Reads of the reminders: a person's settings, the feed by its secret, which reminders are due now,
and whether the person's programme allows any (docs/reminders.md). Writes are in services.py.

No clinical rule is decided here: whether there is a programme to do today is what the other apps
stored (the emergency lock, the latest decision, the exercises the core stopped for now), read through
``progress.selectors.current_programme``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Literal

from django.core import signing

from backhome.web.patient.models import Person
from backhome.web.practice.models import ExerciseSession
from backhome.web.progress.models import CheckIn
from backhome.web.progress.selectors import current_programme
from backhome.web.reminders.models import ReminderSent, ReminderSettings

#: A reminder not sent within this long after its time is not sent at all (cron was down, say): an
#: evening email about a morning check-in helps nobody.
LATE = dt.timedelta(hours=2)
#: The signed link that stops the emails (no expiry: an old email's link still works).
STOP_SALT = "backhome.reminders.stop"
CONFIRM_SALT = "backhome.reminders.confirm"
#: A confirmation link works this long.
CONFIRM_MAX_AGE = dt.timedelta(days=7)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ProgrammeState = Literal["active", "locked", "none", "stopped"]


def public_url() -> str:
    """The site's public address for links made outside a request (``BACKHOME_PUBLIC_URL``)."""
    return (os.environ.get("BACKHOME_PUBLIC_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")


def feed_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA zones a person may choose: the 'Area/City' names and UTC (not the old aliases)."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    }
    return ("UTC", *sorted(names))


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# --------------------------------------------------------------------------- settings


def reminder_settings_for(person: Person | None) -> ReminderSettings | None:
    if person is None:
        return None
    return ReminderSettings.objects.filter(person=person).first()


def reminder_settings_or_defaults(person: Person) -> ReminderSettings:
    """The person's settings, or (before they first save) the defaults, unsaved, with their account's
    address; the page shows these without writing anything."""
    found = reminder_settings_for(person)
    if found is not None:
        return found
    user = person.user
    return ReminderSettings(person=person, email=user.email if user is not None else "")


def settings_by_feed_secret(secret: str) -> ReminderSettings | None:
    """The settings whose feed has this secret (None for an unknown, revoked or malformed one)."""
    if not secret or len(secret) > 100:
        return None
    return ReminderSettings.objects.select_related("person").filter(feed_hash=feed_hash(secret)).first()


def stop_token(settings: ReminderSettings) -> str:
    return signing.dumps({"s": settings.pk, "u": str(settings.uid)}, salt=STOP_SALT, compress=True)


def settings_by_stop_token(token: str) -> ReminderSettings | None:
    try:
        data = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    pk, uid = data.get("s"), data.get("u")
    if not isinstance(pk, int) or not isinstance(uid, str):
        return None
    return ReminderSettings.objects.filter(pk=pk, uid=uid).first()


def programme_state(person: Person) -> ProgrammeState:
    """'active' when there is an exercise to do today; else why not: 'locked' (emergency), 'none' (no
    result yet, or a result that prescribes no exercise) or 'stopped' (every exercise stopped for now)."""
    if person.locked:
        return "locked"
    programme = current_programme(person)
    if programme is None:
        return "none"
    return "active" if programme.active else "stopped"


def confirm_token(settings: ReminderSettings, address: str) -> str:
    """The signed key of the link that confirms ``address`` for these reminders."""
    data = {"s": settings.pk, "u": str(settings.uid), "e": address.lower()}
    return signing.dumps(data, salt=CONFIRM_SALT, compress=True)


def confirmation_by_token(token: str) -> tuple[ReminderSettings, str] | None:
    """The settings and the address a confirmation link is for, if it is whole, recent, and the address
    is still the one the reminders would go to."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    pk, uid, address = data.get("s"), data.get("u"), data.get("e")
    if not isinstance(pk, int) or not isinstance(uid, str) or not isinstance(address, str):
        return None
    settings = ReminderSettings.objects.select_related("person__user").filter(pk=pk, uid=uid).first()
    if settings is None or recipient(settings).lower() != address:
        return None
    return settings, address


def confirmed(settings: ReminderSettings) -> bool:
    """Whether the owner of the address the reminders would go to has confirmed it."""
    address = recipient(settings).lower()
    return bool(address) and address == settings.email_confirmed.lower()


def recipient(settings: ReminderSettings) -> str:
    """Where the emails go: the address the person gave, else their account's."""
    if settings.email:
        return settings.email
    user = settings.person.user
    return user.email if user is not None else ""


# --------------------------------------------------------------------------- when


def checkin_days(session_days: list[int]) -> list[int]:
    """The weekdays of the next-morning check-ins: the day after each session day."""
    return sorted({(day + 1) % 7 for day in session_days})


@dataclass(frozen=True)
class Due:
    kind: ReminderSent.Kind
    day: dt.date  # the person's local day
    at: dt.datetime  # the reminder's time, aware, in the person's zone


def due_reminders(settings: ReminderSettings, now: dt.datetime) -> list[Due]:
    """The reminders whose time has come (not more than ``LATE`` ago) at ``now``, earliest first, as the
    person chose them; the budget, what they did today and their programme are checked by the sender."""
    tz = zone(settings.time_zone)
    local = now.astimezone(tz)
    today = local.date()
    days = [int(d) for d in settings.session_days]
    wanted: list[tuple[ReminderSent.Kind, dt.time, bool]] = [
        (
            ReminderSent.Kind.CHECKIN,
            settings.checkin_time,
            settings.email_checkins and today.weekday() in checkin_days(days),
        ),
        (
            ReminderSent.Kind.SESSION,
            settings.session_time,
            settings.email_sessions and today.weekday() in days,
        ),
    ]
    due = []
    for kind, time, on in wanted:
        if not on:
            continue
        at = dt.datetime.combine(today, time, tzinfo=tz)
        if at <= local < at + LATE:
            due.append(Due(kind, today, at))
    return sorted(due, key=lambda d: d.at)


def day_bounds(day: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    tz = zone(time_zone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def done_today(person: Person, kind: str, day: dt.date, time_zone: str) -> bool:
    """Has the person already logged a session (or, for a check-in reminder, checked in) on their day?"""
    start, end = day_bounds(day, time_zone)
    if kind == ReminderSent.Kind.SESSION:
        return ExerciseSession.objects.filter(
            person=person, started_at__gte=start, started_at__lt=end
        ).exists()
    return CheckIn.objects.filter(person=person, created_at__gte=start, created_at__lt=end).exists()


def sent_on(person: Person, day: dt.date) -> int:
    return ReminderSent.objects.filter(person=person, day=day).count()


def email_settings_due() -> list[ReminderSettings]:
    """Everyone who asked for emails (their person with them, for the lock)."""
    return list(
        ReminderSettings.objects.filter(email_on=True).select_related("person", "person__user").order_by("pk")
    )


# --------------------------------------------------------------------------- words


def days_words(days: list[int]) -> str:
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "every day"
    if not chosen:
        return "no day"
    names = [DAY_NAMES[d] + "s" for d in chosen]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def time_words(time: dt.time) -> str:
    """'6 pm', '7.30 am' (plain, as people say it)."""
    hour = time.hour % 12 or 12
    suffix = "am" if time.hour < 12 else "pm"
    if time.hour == 12 and time.minute == 0:
        return "noon"
    return f"{hour}.{time.minute:02d} {suffix}" if time.minute else f"{hour} {suffix}"
