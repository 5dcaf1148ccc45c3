"""``python manage.py prune_audit``: delete audit rows older than ``BACKHOME_AUDIT_RETENTION_DAYS``
(for cron, e.g. daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backhome.web.clinic.audit_trail import audit_prune, retention_days


class Command(BaseCommand):
    help = "Delete audit rows older than the retention period (BACKHOME_AUDIT_RETENTION_DAYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = audit_prune()
        days = retention_days()
        kept = f"older than {days} days" if days > 0 else "none: the retention period is 0 (keep everything)"
        self.stdout.write(f"{deleted} audit rows deleted ({kept}).")
