"""``python manage.py send_reminders [--now ISO]``: send the reminder emails that are due (for cron).

Run it every 15 minutes or so: a reminder goes out at the first run after its time (never more than
``selectors.LATE`` late), within each person's budget, and never twice (docs/reminders.md). It exits 1
when an email could not be sent, so cron reports it; the next run tries that one again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backhome.web.reminders.services import reminders_send


def parse_now(text: str | None) -> dt.datetime:
    """``--now``: an ISO 8601 moment (a time without an offset is in the site's time zone)."""
    if not text:
        return timezone.now()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now must be an ISO 8601 date and time, e.g. 2026-03-02T18:05+00:00; got {text!r}"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Send the reminder emails that are due now, within each person's budget (idempotent; for cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="act as if it were this moment (ISO 8601), for tests and catching up"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = reminders_send(now=parse_now(options.get("now")))
        self.stdout.write(report.words)
        if report.failed:
            raise CommandError(
                f"{report.failed} reminder email(s) could not be sent; the next run tries again"
            )
