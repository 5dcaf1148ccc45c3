"""What a person chose for their reminders, and the reminders sent (docs/reminders.md).

Nothing clinical is stored here: days, times, a time zone, an email address and the person's budget.
The calendar feed's secret is never stored, only its SHA-256 (the secret is 256 random bits, so a plain
hash is enough: nobody can guess one from its hash or by trying).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models

from backhome.web.patient.models import Person

#: Every day of the week (0 = Monday ... 6 = Sunday): the plan is once a day (DS-01).
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def every_day() -> list[int]:
    return list(EVERY_DAY)


def default_time_zone() -> str:
    """The site's time zone (``BACKHOME_TIME_ZONE``, Django's ``TIME_ZONE``) until the person picks one."""
    return str(settings.TIME_ZONE)


class ReminderSettings(models.Model):
    """One person's reminders: when they mean to exercise, when they check in, and what we may send."""

    class Limit(models.IntegerChoices):
        ONE = 1, "At most one email a day"
        TWO = 2, "Up to two emails a day"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="reminder_settings")
    #: Weekdays of the sessions (0 = Monday); the next-morning check-in is the day after each.
    session_days = models.JSONField(default=every_day)
    session_time = models.TimeField(default=dt.time(18, 0))
    checkin_time = models.TimeField(default=dt.time(8, 0))
    #: An IANA name (``Europe/London``): the times above are wall-clock times there.
    time_zone = models.CharField(max_length=64, default=default_time_zone)

    email_on = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    #: The address (lower case) whose owner opened the emailed confirmation link: reminders go only to it
    #: (double opt-in), so a changed address waits for its own confirmation.
    email_confirmed = models.EmailField(blank=True, default="")
    email_sessions = models.BooleanField(default=True)
    email_checkins = models.BooleanField(default=False)
    #: The person's budget: at most this many reminder emails a day ...
    daily_limit = models.PositiveSmallIntegerField(choices=Limit.choices, default=Limit.ONE)
    #: ... and none for what they have already done that day.
    only_if_not_logged = models.BooleanField(default=True)

    #: SHA-256 (hex) of the calendar feed's secret; None: no feed (never made, or turned off).
    feed_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    feed_made_at = models.DateTimeField(null=True, blank=True)
    #: The calendar events' UIDs are made from this, never from the person's id.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: RFC 5545 SEQUENCE of the events: one more each time the days, times or time zone change.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder settings"

    def __str__(self) -> str:
        return f"reminder settings of {self.person}"


class ReminderSent(models.Model):
    """One reminder email, claimed before it is sent: a second run (or a second cron job at the same
    moment) finds the row and sends nothing. A send that fails deletes its row, so a later run may try
    again while the reminder is still timely."""

    class Kind(models.TextChoices):
        SESSION = "session"
        CHECKIN = "checkin"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    #: The person's own calendar day (in their time zone).
    day = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    claimed_at = models.DateTimeField()
    #: Set once the email server took the email.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["person", "day", "kind"], name="remindersent_once_a_day"),
        )

    def __str__(self) -> str:
        return f"{self.kind} reminder of {self.person} on {self.day}"
