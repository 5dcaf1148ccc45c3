"""``python manage.py scan_alerts``: raise the alerts every enrolled person's stored data calls for.

Run it from cron (say hourly): the services raise most alerts as things happen, but "no activity for 7
days" appears only with time. Scanning again raises nothing twice (``clinic.alerts.alerts_scan``).
Every server may run it from cron: while one scans, another's run skips (``backhome.web.jobs``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from backhome.web.clinic.alerts import alerts_scan_all
from backhome.web.jobs import one_at_a_time


class Command(BaseCommand):
    help = "Raise the alerts that every patient enrolled in a clinic calls for now (idempotent; for cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        with one_at_a_time("scan_alerts") as mine:
            if not mine:
                self.stdout.write("another server is scanning now; nothing to do")
                return
            raised = alerts_scan_all(now=timezone.now())
        self.stdout.write(f"{raised} new alert{'' if raised == 1 else 's'}")
