"""Every write of the reminders (docs/reminders.md): the person's choices, the calendar feed's secret,
stopping the emails, and sending the reminders that are due.

Sending claims a ``ReminderSent`` row (unique per person, day and kind) in a short transaction that
holds the person's settings row, checks the budget there, and only then talks to the email server, so
two runs at once, or a run repeated a minute later, send one email. A reminder the email server refused
loses its claim and may go out on a later run while it is still timely; one whose process died between
the claim and the send is not sent again (a missed reminder is better than a doubled one).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backhome.web.config import throttle
from backhome.web.patient.language import person_language
from backhome.web.patient.models import Person
from backhome.web.reminders import selectors
from backhome.web.reminders.models import ReminderSent, ReminderSettings

log = logging.getLogger(__name__)

#: What the settings page may change (the form's cleaned values have these keys).
CHOICES = (
    "session_days",
    "session_time",
    "checkin_time",
    "time_zone",
    "email_on",
    "email",
    "email_sessions",
    "email_checkins",
    "daily_limit",
    "only_if_not_logged",
)
#: A change of one of these moves the calendar's events (their SEQUENCE goes up).
WHEN = ("session_days", "session_time", "checkin_time", "time_zone")


def reminder_settings_get_or_create(*, person: Person) -> ReminderSettings:
    """The person's settings, made with the defaults (and their account's address) on first use."""
    with transaction.atomic():
        found = ReminderSettings.objects.select_for_update().filter(person=person).first()
        if found is not None:
            return found
        user = person.user
        return ReminderSettings.objects.create(person=person, email=user.email if user is not None else "")


def reminder_settings_update(*, person: Person, values: dict[str, Any]) -> ReminderSettings:
    """Store the person's choices (``values``: checked by ``forms.ReminderForm``)."""
    unknown = set(values) - set(CHOICES)
    if unknown:
        raise ValueError(f"unknown reminder settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = reminder_settings_get_or_create(person=person)
        current = ReminderSettings.objects.select_for_update().get(pk=current.pk)
        moved = any(
            key in values and _comparable(getattr(current, key)) != _comparable(values[key]) for key in WHEN
        )
        for key, value in values.items():
            setattr(current, key, value)
        if moved:
            current.sequence += 1
        current.save()
        return current


def _comparable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return sorted(int(v) for v in value)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    return value


def calendar_feed_create(*, person: Person, now: dt.datetime) -> str:
    """Make a new secret address for the person's calendar and return its secret (shown once; only its
    hash is kept). The old address, if any, stops working at once."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        current = reminder_settings_get_or_create(person=person)
        ReminderSettings.objects.filter(pk=current.pk).update(
            feed_hash=selectors.feed_hash(secret), feed_made_at=now, updated_at=now
        )
    return secret


def calendar_feed_revoke(*, person: Person, now: dt.datetime) -> None:
    """Turn the calendar off: its address gives 404 from now on."""
    with transaction.atomic():
        ReminderSettings.objects.filter(person=person).update(
            feed_hash=None, feed_made_at=None, updated_at=now
        )


#: Confirmation emails to one address, whoever asks for them.
CONFIRMATIONS_PER_ADDRESS = "1/day"


class ConfirmOutcome(enum.StrEnum):
    NOT_NEEDED = "not_needed"  # no emails asked for, no address, or already confirmed
    SENT = "sent"
    WAIT = "wait"  # one went to this address less than a day ago


def reminder_email_confirmation_send(*, settings: ReminderSettings, base: str) -> ConfirmOutcome:
    """Email the reminders' address a link to confirm it (double opt-in), unless it is confirmed, or one
    went to it in the last day (a guest can type anyone's address: that address gets one email a day at
    most, and never a reminder unless its owner opens the link)."""
    address = selectors.recipient(settings)
    if not settings.email_on or not address or selectors.confirmed(settings):
        return ConfirmOutcome.NOT_NEEDED
    if throttle.hit("reminder_confirm", address.lower(), CONFIRMATIONS_PER_ADDRESS) is not None:
        return ConfirmOutcome.WAIT
    link = f"{base}/reminders/confirm/{selectors.confirm_token(settings, address)}/"
    lines = [
        "Hello,",
        "",
        "Someone asked backhome to send reminder emails for a home exercise programme to this address.",
        "If it was you, open this link and press the button to start them:",
        "",
        link,
        "",
        f"The link works for {selectors.CONFIRM_MAX_AGE.days} days. If it was not you, ignore this email:",
        "nothing more will be sent to you.",
        "",
        "backhome",
    ]
    EmailMessage(
        subject="Please confirm your reminder emails",
        body="\n".join(lines) + "\n",
        from_email=django_settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
    return ConfirmOutcome.SENT


def reminder_email_confirm(*, settings: ReminderSettings, address: str) -> None:
    """The owner of ``address`` opened the link: reminders may go to it."""
    with transaction.atomic():
        ReminderSettings.objects.filter(pk=settings.pk).update(email_confirmed=address.lower())


def reminder_emails_stop(*, settings: ReminderSettings) -> None:
    """The email's "stop these emails" link: emails off, every other choice kept."""
    with transaction.atomic():
        ReminderSettings.objects.filter(pk=settings.pk).update(email_on=False)


# --------------------------------------------------------------------------- sending


@dataclass
class SendReport:
    """What a run did: emails sent, and reminders due but not sent, by reason."""

    sent: int = 0
    failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    @property
    def words(self) -> str:
        text = f"{self.sent} reminder{'' if self.sent == 1 else 's'} sent"
        if self.failed:
            text += f", {self.failed} failed"
        if self.skipped:
            text += ", not sent: " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        return text


def reminders_send(*, now: dt.datetime, connection: BaseEmailBackend | None = None) -> SendReport:
    """Send every reminder email that is due at ``now`` and that the person's budget allows.

    For each person who asked for emails and each reminder whose time has come (within
    ``selectors.LATE``): nothing while their programme is locked, missing or stopped; nothing for what
    they already did that day, if they asked for that; nothing past their daily limit; nothing twice.
    """
    report = SendReport()
    connection = connection or get_connection()
    base = selectors.public_url()
    for row in selectors.email_settings_due():
        due = selectors.due_reminders(row, now)
        if not due:
            continue
        address = selectors.recipient(row)
        if not address:
            report.skip("no address")
            continue
        if not selectors.confirmed(row):
            report.skip("address not confirmed")
            continue
        state = selectors.programme_state(row.person)
        if state != "active":
            for _ in due:
                report.skip(f"programme {state}")
            continue
        for reminder in due:
            if row.only_if_not_logged and selectors.done_today(
                row.person, reminder.kind, reminder.day, row.time_zone
            ):
                report.skip("already done today")
                continue
            claim = _claim(row, reminder, now=now)
            if claim is None:
                report.skip("already sent or over the daily limit")
                continue
            with translation.override(person_language(row.person)):  # their language, not the server's
                message = _message(row, reminder, address=address, base=base, connection=connection)
            try:
                message.send()
            except Exception:  # the email server's refusal must not stop the other people's reminders
                log.warning("reminder email to person %s failed", row.person_id, exc_info=True)
                ReminderSent.objects.filter(pk=claim.pk).delete()
                report.failed += 1
                continue
            ReminderSent.objects.filter(pk=claim.pk).update(sent_at=now)
            report.sent += 1
    return report


def _claim(row: ReminderSettings, reminder: selectors.Due, *, now: dt.datetime) -> ReminderSent | None:
    """Claim one reminder, or None if it was claimed already or the day's budget is spent."""
    try:
        with transaction.atomic():
            # Holding the settings row makes two runs at once count one after the other.
            ReminderSettings.objects.select_for_update().filter(pk=row.pk).values_list("pk").first()
            if selectors.sent_on(row.person, reminder.day) >= row.daily_limit:
                return None
            return ReminderSent.objects.create(
                person=row.person, day=reminder.day, kind=reminder.kind, claimed_at=now
            )
    except IntegrityError:
        return None


SUBJECTS = {
    ReminderSent.Kind.SESSION: gettext_lazy("Time for your back exercises"),
    ReminderSent.Kind.CHECKIN: gettext_lazy("Your morning check-in"),
}


def _message(
    row: ReminderSettings, reminder: selectors.Due, *, address: str, base: str, connection: BaseEmailBackend
) -> EmailMessage:
    settings_url = f"{base}/reminders/"
    stop_url = f"{base}/reminders/stop/{selectors.stop_token(row)}/"
    at = selectors.time_words(reminder.at.timetz())
    if reminder.kind == ReminderSent.Kind.SESSION:
        lines = [
            _("Hello,"),
            "",
            _("It is %(at)s: the time you chose for your back exercises today.") % {"at": at},
            "",
            _("Start today's session: %(url)s") % {"url": f"{base}/session/"},
            _("Your plan: %(url)s") % {"url": f"{base}/plan/"},
        ]
    else:
        lines = [
            _("Good morning,"),
            "",
            _(
                "Before you exercise today, take two minutes for your morning check-in. It tells backhome "
                "how yesterday's session went, so your exercises can change with you."
            ),
            "",
            _("Check in: %(url)s") % {"url": f"{base}/check-in/"},
        ]
    lines += [
        "",
        "--",
        _("You get this email because you asked backhome for reminders."),
        _("Change your reminders: %(url)s") % {"url": settings_url},
        _("Stop these emails: %(url)s") % {"url": stop_url},
    ]
    return EmailMessage(
        subject=str(SUBJECTS[reminder.kind]),
        body="\n".join(lines) + "\n",
        from_email=django_settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058: a POST to the link
            "Auto-Submitted": "auto-generated",
        },
    )
